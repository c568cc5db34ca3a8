"""The path playground (chapter 9) recomputes the routes in the browser, as Python does."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import PageVisit, check_parity, operate_by_keyboard, set_range

from attn_course.experiments.paths import PATH_KINDS, path_between
from attn_course.views.paths import PathsView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    return show_views([PathsView(n=24, i=20, j=3, k=3, r=4)])


def lengths(i: int, j: int, k: int, r: int) -> list[int]:
    return [path_between(kind, i, j, k=k, r=r) for kind in PATH_KINDS]


def test_lengths_follow_the_sliders(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="paths"]').first
    assert check_parity(v)["readout"]["lengths"] == lengths(20, 3, 3, 4)
    set_range(v, "j", 0)
    assert check_parity(v)["readout"]["lengths"] == lengths(20, 0, 3, 4)
    set_range(v, "r", 8)
    set_range(v, "k", 2)
    assert check_parity(v)["readout"]["lengths"] == lengths(20, 0, 2, 8)
    set_range(v, "n", 10)  # i = 20 no longer exists: clipped to 9
    r = check_parity(v)
    assert r["params"]["i"] == 9 and r["readout"]["lengths"] == lengths(9, 0, 2, 8)
    assert v.locator('input[data-control="i"]').get_attribute("max") == "9"
    shown = v.locator('svg[data-kind="restricted"]').get_attribute("aria-label")
    assert shown.startswith(f"windowed attention (r = 8): {lengths(9, 0, 2, 8)[3]} layer")
    visit.check_clean()


def test_keyboard_moves_a_position(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="paths"]').first
    before = check_parity(v)["params"]["j"]
    operate_by_keyboard(v, {"name": "j", "kind": "range"})
    r = check_parity(v)
    assert r["params"]["j"] != before
    text = v.locator('input[data-control="j"]').get_attribute("aria-valuetext")
    assert text == str(r["params"]["j"])
