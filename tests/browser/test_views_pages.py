"""Every chapter page of the built book: clean load, playgrounds found, controls agree with Python.

Runs against ``_build/html`` (``make book``). For each page: no console error, no failed
request and no request outside 127.0.0.1; every ``attn_course.views`` widget saved in the
page renders; moving its controls gives the numbers Python computes for that setting.
A screenshot of each playground is saved under ``_build/screenshots/``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from browser_helpers import (
    HTML,
    chapter_pages,
    check_parity,
    move_controls,
    screenshot,
    unavailable,
    views_on,
)

pytestmark = pytest.mark.browser

PAGES = chapter_pages()
NO_PAGES = "(no chapter pages)"


def expected_views(path: str) -> int:
    """How many attn_course views the page's saved widget state displays."""
    text = (HTML / path).read_text(encoding="utf-8")
    m = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                  text, re.S)
    if not m:
        return 0
    models = json.loads(m.group(1))["state"]
    ours = {mid for mid, s in models.items()
            if str(s.get("state", {}).get("_anywidget_id", "")).startswith("attn_course.views.")}
    shown = re.findall(r'application/vnd.jupyter.widget-view\+json">(.*?)</script>', text, re.S)
    return sum(json.loads(s.replace("\\/", "/"))["model_id"] in ours for s in shown)


@pytest.mark.parametrize("path", PAGES or [NO_PAGES])
def test_chapter_page(book_server: str, open_page: Any, path: str) -> None:
    if path == NO_PAGES:
        unavailable("no chapter pages in _build/html/notebooks: run `make book`")
    n = expected_views(path)
    visit = open_page(f"{book_server}/{path}", wait_for=None)
    page = visit.page
    if n:
        page.wait_for_function(
            f"document.querySelectorAll('.attn-view[data-readout]').length >= {n}", timeout=30_000)
    else:
        page.wait_for_timeout(500)
    views = views_on(page)
    # (>=: a view nested in an ipywidgets container is not counted in the saved views)
    assert len(views) >= n, f"{path}: {len(views)} playgrounds rendered, {n} saved in the page"
    stem = path.rsplit("/", 1)[-1].removesuffix(".html")
    for i, view in enumerate(views):
        check_parity(view)
        moved = list(move_controls(view))
        assert moved, f"{path}: nothing to move in view {i}"
        check_parity(view)
        screenshot(view, f"{stem}-{i}-{view.get_attribute('data-view')}")
    visit.check_clean()
