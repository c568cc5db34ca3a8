"""Every view, on a page of its own: it renders, its controls work, and it agrees with Python.

The page (made by ``write_views_page``) holds one of each view with the vendored widget
runtime, so this runs whether or not a chapter uses the view yet.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from browser_helpers import (
    check_parity,
    move_controls,
    readout,
    screenshot,
    views_on,
)

from attn_course.views import VIEWS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(views_server: str, open_page: Any) -> Any:
    return open_page(f"{views_server}/views.html")


@pytest.fixture(scope="module")
def open_page(browser: Any) -> Any:  # module-scoped: one page for all the tests below
    from browser_helpers import PageVisit

    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def _open(url: str) -> PageVisit:
        visit = PageVisit.attach(context.new_page(), url)
        visit.page.goto(url, wait_until="load")
        visit.page.wait_for_function(
            "document.querySelectorAll('.attn-view[data-readout]').length >= 8", timeout=20_000)
        return visit

    yield _open
    context.close()


def test_every_view_renders_cleanly(visit: Any) -> None:
    names = {v.get_attribute("data-view") for v in views_on(visit.page)}
    assert names == set(VIEWS), f"views rendered: {sorted(names)}, expected {sorted(VIEWS)}"
    visit.check_clean()


def test_first_state_matches_python(visit: Any) -> None:
    for view in views_on(visit.page):
        check_parity(view)


@pytest.mark.parametrize("index", range(8))
def test_moving_controls_matches_python(visit: Any, index: int) -> None:
    view = views_on(visit.page)[index]
    before = readout(view)
    moves = []
    for what in move_controls(view):
        moves.append(what)
        check_parity(view)
    after = readout(view)
    assert moves, "no control was moved"
    assert after["params"] != before["params"], f"params did not change after {moves}"
    assert after["readout"] != before["readout"], f"the display did not change after {moves}"
    screenshot(view, f"views-{index}-{before['name']}")
    visit.check_clean()


def test_sliders_are_labelled_and_keyboard_operable(visit: Any) -> None:
    page = visit.page
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('.attn-view input, .attn-view select')]
              .filter(el => !(el.labels && el.labels.length))
              .map(el => el.dataset.control)""")
    assert not unlabelled, f"controls without a <label>: {unlabelled}"
    view = views_on(page)[0]  # the retrieval playground
    before = json.loads(view.get_attribute("data-params"))
    view.locator('input[data-control="query_x"]').focus()
    page.keyboard.press("ArrowLeft")
    after = json.loads(view.get_attribute("data-params"))
    assert after["query"][0] < before["query"][0], "ArrowLeft did not move the query slider"
    check_parity(view)


def test_noscript_fallback_present(visit: Any) -> None:
    # Each view is preceded by a <noscript> PNG of its first state, for readers without JS.
    n = visit.page.evaluate("document.querySelectorAll('noscript').length")
    assert n >= len(views_on(visit.page))
