"""The tiling playground (chapter 13) recomputes tiles and costs in the browser, as Python does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import PageVisit, assert_close, readout, set_range, write_views_page
from conftest import _serve

from attn_course.views.tiling import TilingView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def view(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from browser_helpers import VENDOR, unavailable

    if not (VENDOR / "embed-amd.js").exists():
        unavailable("the widget runtime is not vendored (book/vendor/widgets): run `make vendor`")
    site = tmp_path_factory.mktemp("tiling-site")
    write_views_page(site, [TilingView(1024, 128, causal=False)], name="tiling.html")
    url, stop = _serve(site)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    visit = PageVisit.attach(context.new_page(), f"{url}/tiling.html")
    visit.page.goto(visit.url, wait_until="load")
    visit.page.wait_for_selector('.attn-view[data-view="tiling"][data-readout]', timeout=20_000)
    yield visit
    context.close()
    stop()


def _check(view: Any) -> dict[str, Any]:
    r = readout(view)
    assert_close(r["readout"], TilingView.from_state({**r["state"], **r["params"]}).readout())
    return r


def test_tiles_follow_the_controls(view: PageVisit) -> None:
    v = view.page.locator('.attn-view[data-view="tiling"]').first
    first = _check(v)
    assert first["readout"]["computed"] == 64
    v.locator('[data-control="causal"]').click()
    r = _check(v)
    assert r["params"]["causal"] and r["readout"]["skipped_causal"] == 28
    set_range(v, "n", 1000)  # not a multiple of the block: a ragged last tile
    assert _check(v)["params"]["n"] % 64 == 0  # the slider snaps to multiples of 64
    set_range(v, "block", 1)  # 64
    v.locator('[data-control="use_window"]').click()
    set_range(v, "window", 96)
    r = _check(v)
    assert r["params"]["use_window"] and r["readout"]["skipped_window"] > 0
    view.check_clean()
