"""The head-ablation view (chapter 16) computes a head's scores in the browser, as
``attn_course.experiments.induction.head_scores`` does, and shows the shipped ablation."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from browser_helpers import PageVisit, check_parity, controls_of, operate_by_keyboard, set_range

from attn_course import GPT
from attn_course.data.repeats import repeated_segments
from attn_course.views.heads import HeadAblationView

pytestmark = pytest.mark.browser
S = 6


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    torch.manual_seed(0)
    model = GPT(10, d_model=16, n_heads=2, n_layers=2, max_len=2 * S, d_ff=0).eval()
    return show_views([HeadAblationView.from_model(model, repeated_segments(2, S, 10, seed=1), S)])


def _view(visit: PageVisit) -> Any:
    return visit.page.locator('.attn-view[data-view="heads"]').first


def test_every_control_recomputes(visit: PageVisit) -> None:
    v = _view(visit)
    first = check_parity(v)
    assert first["params"]["query"] == S + S // 2
    assert len(first["readout"]["row"]) == S + S // 2 + 1
    set_range(v, "layer", 1)
    set_range(v, "head", 1)
    r = check_parity(v)
    assert (r["params"]["layer"], r["params"]["head"]) == (1, 1)
    assert r["readout"]["p_ablated"] != first["readout"]["p_ablated"]
    set_range(v, "query", 2)  # the first copy: no earlier occurrence
    assert check_parity(v)["readout"]["prefix_key"] == -1
    set_range(v, "example", 1)
    set_range(v, "query", 2 * S - 2)
    r = check_parity(v)
    assert r["readout"]["prefix_key"] == S - 1
    assert v.locator(".attn-heads-seq span").count() == 2 * S
    visit.check_clean()


def test_keyboard_moves_every_slider(visit: PageVisit) -> None:
    v = _view(visit)
    for control in controls_of(v):
        if control["kind"] == "range":
            operate_by_keyboard(v, control)  # asserts aria-valuetext is the value shown
            check_parity(v)
    visit.check_clean()
