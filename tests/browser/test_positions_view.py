"""The positions playground (chapter 14) recomputes score-vs-offset in the browser, as Python does."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import PageVisit, check_parity, set_range

from attn_course.views.positions import PositionsView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    return show_views([PositionsView("sinusoidal", 64, 8), PositionsView(n_heads=1)])


def test_every_control_recomputes_in_the_browser(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="positions"]').first
    first = check_parity(v)
    assert first["readout"]["profile"][128] == pytest.approx(1.0)  # Δ = 0
    set_range(v, "d_model", 16)
    set_range(v, "offset", -40)
    r = check_parity(v)
    assert r["params"]["d_model"] == 16 and r["params"]["offset"] == -40
    v.locator('select[data-control="method"]').select_option("rope")
    v.locator('[data-control="random_content"]').click()
    r = check_parity(v)
    assert r["params"]["method"] == "rope" and r["params"]["random_content"]
    v.locator('select[data-control="method"]').select_option("alibi")
    set_range(v, "head", 3)
    r = check_parity(v)
    assert r["readout"]["score"] == pytest.approx(-40 * 2 ** (-8 * 4 / 8))
    visit.check_clean()


def test_one_head_hides_the_head_slider(visit: PageVisit) -> None:
    one = visit.page.locator('.attn-view[data-view="positions"]').nth(1)
    assert one.locator('input[data-control="head"]').is_hidden()
    assert visit.page.locator('.attn-view[data-view="positions"]').first.locator(
        'input[data-control="head"]').is_visible()
