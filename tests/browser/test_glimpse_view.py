"""The glimpse view (chapter 1) selects pixels and measures ink in the browser, as Python does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import PageVisit, assert_close, readout, set_range, write_views_page
from conftest import _serve

from attn_course.data.digits import load_digit_images
from attn_course.data.glimpse import make_scenes
from attn_course.experiments.intuition import pixel_saliency
from attn_course.views.glimpse import GlimpseView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def view(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from browser_helpers import VENDOR, unavailable

    if not (VENDOR / "embed-amd.js").exists():
        unavailable("the widget runtime is not vendored (book/vendor/widgets): run `make vendor`")
    images, labels = load_digit_images()
    s = make_scenes(images[5:6], labels[5:6], size=64, seed=3)
    w = GlimpseView(s.scenes[0], pixel_saliency(s.scenes[0]), s.ink[0], budget=41)
    site = tmp_path_factory.mktemp("glimpse-site")
    write_views_page(site, [w], name="glimpse.html")
    url, stop = _serve(site)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    visit = PageVisit.attach(context.new_page(), f"{url}/glimpse.html")
    visit.page.goto(visit.url, wait_until="load")
    visit.page.wait_for_selector('.attn-view[data-view="glimpse"][data-readout]', timeout=20_000)
    yield visit
    context.close()
    stop()


def _check(view: Any) -> dict[str, Any]:
    r = readout(view)
    assert_close(r["readout"], GlimpseView.from_state({**r["state"], **r["params"]}).readout())
    return r


def test_budget_method_and_seed_follow_the_controls(view: PageVisit) -> None:
    v = view.page.locator('.attn-view[data-view="glimpse"]').first
    first = _check(v)
    assert first["params"] == {"budget": 41, "method": "saliency", "seed": 0}
    assert first["readout"]["ink"] > 0.9  # 1% of the pixels, chosen by saliency
    set_range(v, "budget", 1.0)  # slider position log10(k): 10 pixels
    assert _check(v)["params"]["budget"] == 10
    v.locator('select[data-control="method"]').select_option("random")
    set_range(v, "budget", 2.5)  # 316 pixels
    r = _check(v)
    assert r["params"]["method"] == "random" and r["params"]["budget"] == 316
    set_range(v, "seed", 17)
    r2 = _check(v)
    assert r2["params"]["seed"] == 17
    v.locator('select[data-control="method"]').select_option("grid")
    r3 = _check(v)
    assert r3["readout"]["ink"] < 0.5
    view.check_clean()
