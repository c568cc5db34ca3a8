"""The tiling playground (chapter 13) recomputes tiles and costs in the browser, as Python does."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import PageVisit, check_parity, set_range

from attn_course.views.tiling import TilingView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    return show_views([TilingView(1024, 128, causal=False)])


def test_tiles_follow_the_controls(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="tiling"]').first
    first = check_parity(v)
    assert first["readout"]["computed"] == 64
    v.locator('[data-control="causal"]').click()
    r = check_parity(v)
    assert r["params"]["causal"] and r["readout"]["skipped_causal"] == 28
    set_range(v, "n", 1000)  # not a multiple of the block: a ragged last tile
    assert check_parity(v)["params"]["n"] % 64 == 0  # the slider snaps to multiples of 64
    set_range(v, "block", 1)  # 64
    v.locator('[data-control="use_window"]').click()
    set_range(v, "window", 96)
    r = check_parity(v)
    assert r["params"]["use_window"] and r["readout"]["skipped_window"] > 0
    visit.check_clean()
