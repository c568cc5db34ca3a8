"""Every view, on a page of its own: it renders, its controls work, and it agrees with Python.

The page (``show_views()``: every view class's ``demo()`` and two more attention-map
explorers) runs with the vendored widget runtime, whether or not a chapter uses the view yet.
Keyboard and accessibility checks of the same page: ``test_views_a11y.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import (
    check_parity,
    example_views,
    move_controls,
    readout,
    screenshot,
    views_on,
)

from attn_course.views._base import all_views

pytestmark = pytest.mark.browser

N_VIEWS = len(example_views())


@pytest.fixture(scope="module")
def visit(show_views: Any) -> Any:
    return show_views(width=1280)


def test_every_view_renders_cleanly(visit: Any) -> None:
    names = {v.get_attribute("data-view") for v in views_on(visit.page)}
    assert names == set(all_views()), f"views rendered: {sorted(names)}, expected {sorted(all_views())}"
    assert len(views_on(visit.page)) == N_VIEWS
    visit.check_clean()


def test_first_state_matches_python(visit: Any) -> None:
    for view in views_on(visit.page):
        check_parity(view)


@pytest.mark.parametrize("index", range(N_VIEWS))
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


def test_controls_are_labelled(visit: Any) -> None:
    unlabelled = visit.page.evaluate(
        """() => [...document.querySelectorAll('.attn-view input, .attn-view select')]
              .filter(el => !(el.labels && el.labels.length))
              .map(el => el.dataset.control)""")
    assert not unlabelled, f"controls without a <label>: {unlabelled}"


def test_noscript_fallback_present(visit: Any) -> None:
    # Each view is preceded by a <noscript> PNG of its first state, for readers without JS.
    n = visit.page.evaluate("document.querySelectorAll('noscript').length")
    assert n >= len(views_on(visit.page))
