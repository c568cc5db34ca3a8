"""The positions playground (chapter 14) recomputes score-vs-offset in the browser, as Python does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import PageVisit, assert_close, readout, set_range, write_views_page
from conftest import _serve

from attn_course.views.positions import PositionsView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageVisit]:
    from browser_helpers import VENDOR, unavailable

    if not (VENDOR / "embed-amd.js").exists():
        unavailable("the widget runtime is not vendored (book/vendor/widgets): run `make vendor`")
    site = tmp_path_factory.mktemp("positions-site")
    write_views_page(site, [PositionsView("sinusoidal", 64, 8)], name="positions.html")
    url, stop = _serve(site)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    visit = PageVisit.attach(context.new_page(), f"{url}/positions.html")
    visit.page.goto(visit.url, wait_until="load")
    visit.page.wait_for_selector('.attn-view[data-view="positions"][data-readout]', timeout=20_000)
    yield visit
    context.close()
    stop()


def _check(view: Any) -> dict[str, Any]:
    r = readout(view)
    assert_close(r["readout"], PositionsView.from_state({**r["state"], **r["params"]}).readout())
    return r


def test_every_control_recomputes_in_the_browser(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="positions"]').first
    first = _check(v)
    assert first["readout"]["profile"][128] == pytest.approx(1.0)  # Δ = 0
    set_range(v, "d_model", 16)
    set_range(v, "offset", -40)
    r = _check(v)
    assert r["params"]["d_model"] == 16 and r["params"]["offset"] == -40
    v.locator('select[data-control="method"]').select_option("rope")
    v.locator('[data-control="random_content"]').click()
    r = _check(v)
    assert r["params"]["method"] == "rope" and r["params"]["random_content"]
    v.locator('select[data-control="method"]').select_option("alibi")
    set_range(v, "head", 3)
    r = _check(v)
    assert r["readout"]["score"] == pytest.approx(-40 * 2 ** (-8 * 4 / 8))
    visit.check_clean()
