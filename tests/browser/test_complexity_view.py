"""The Table 1 explorer (chapter 9) recomputes FLOPs and path lengths in the browser, as Python does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import PageVisit, assert_close, readout, set_range, write_views_page
from conftest import _serve

from attn_course.experiments.complexity import layer_flops, max_path_length
from attn_course.views.complexity import ComplexityView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def view(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from browser_helpers import VENDOR, unavailable

    if not (VENDOR / "embed-amd.js").exists():
        unavailable("the widget runtime is not vendored (book/vendor/widgets): run `make vendor`")
    site = tmp_path_factory.mktemp("complexity-site")
    write_views_page(site, [ComplexityView(n=64, d=128, k=3)], name="complexity.html")
    url, stop = _serve(site)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    visit = PageVisit.attach(context.new_page(), f"{url}/complexity.html")
    visit.page.goto(visit.url, wait_until="load")
    visit.page.wait_for_selector('.attn-view[data-view="complexity"][data-readout]', timeout=20_000)
    yield visit
    context.close()
    stop()


def _check(view: Any) -> dict[str, Any]:
    r = readout(view)
    assert_close(r["readout"], ComplexityView.from_state({**r["state"], **r["params"]}).readout())
    return r


def test_costs_follow_the_sliders(view: PageVisit) -> None:
    v = view.page.locator('.attn-view[data-view="complexity"]').first
    first = _check(v)
    assert first["readout"]["cheapest"] == 0
    assert first["readout"]["crossover_recurrent"] == 128
    set_range(v, "n", 10)  # slider position 10 → n = 1024 > d: attention is no longer cheapest
    r = _check(v)
    assert r["params"]["n"] == 1024 and r["readout"]["cheapest"] == 1
    assert r["readout"]["flops"][0] == layer_flops("self-attention", 1024, 128, 3)
    assert r["readout"]["path"] == [1, 1024, max_path_length("convolutional", 1024, 3)]
    set_range(v, "k", 9)
    r = _check(v)
    assert r["readout"]["path"][2] == max_path_length("convolutional", 1024, 9) == 4
    set_range(v, "d", 12)  # d = 4096
    r = _check(v)
    assert r["params"]["d"] == 4096 and r["readout"]["crossover_recurrent"] == 4096
    view.check_clean()
