"""The Table 1 explorer (chapter 9) recomputes FLOPs and path lengths in the browser, as Python does."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import PageVisit, check_parity, set_range

from attn_course.experiments.complexity import crossover_n, layer_flops, max_path_length
from attn_course.views.complexity import ComplexityView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    return show_views([ComplexityView(n=64, d=128, k=3)])


def test_costs_follow_the_sliders(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="complexity"]').first
    first = check_parity(v)
    assert first["readout"]["cheapest"] == 0
    assert first["readout"]["crossover_recurrent"] == crossover_n(128) == 64  # d/2: mixing FLOPs
    set_range(v, "n", 10)  # slider position 10 → n = 1024 > d: attention is no longer cheapest
    r = check_parity(v)
    assert r["params"]["n"] == 1024 and r["readout"]["cheapest"] == 1
    assert r["readout"]["flops"][0] == layer_flops("self-attention", 1024, 128, 3)
    assert r["readout"]["path"] == [1, 1024, max_path_length("convolutional", 1024, 3)]
    set_range(v, "k", 9)
    r = check_parity(v)
    assert r["readout"]["path"][2] == max_path_length("convolutional", 1024, 9) == 4
    set_range(v, "d", 12)  # d = 4096
    r = check_parity(v)
    assert r["params"]["d"] == 4096
    assert r["readout"]["crossover_recurrent"] == crossover_n(4096) == 2048
    visit.check_clean()
