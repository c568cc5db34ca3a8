"""The glimpse view (chapter 1) selects pixels and measures ink in the browser, as Python does."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import PageVisit, check_parity, set_range

from attn_course.data.digits import load_digit_images
from attn_course.data.glimpse import make_scenes
from attn_course.experiments.intuition import pixel_saliency
from attn_course.views.glimpse import GlimpseView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    images, labels = load_digit_images()
    s = make_scenes(images[5:6], labels[5:6], size=64, seed=3)
    return show_views([GlimpseView(s.scenes[0], pixel_saliency(s.scenes[0]), s.ink[0],
                                   budget=41)])


def test_budget_method_and_seed_follow_the_controls(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="glimpse"]').first
    first = check_parity(v)
    assert first["params"] == {"budget": 41, "method": "saliency", "seed": 0}
    assert first["readout"]["ink"] > 0.9  # 1% of the pixels, chosen by saliency
    set_range(v, "budget", 1.0)  # slider position log10(k): 10 pixels
    assert check_parity(v)["params"]["budget"] == 10
    v.locator('select[data-control="method"]').select_option("random")
    set_range(v, "budget", 2.5)  # 316 pixels
    r = check_parity(v)
    assert r["params"]["method"] == "random" and r["params"]["budget"] == 316
    set_range(v, "seed", 17)
    r2 = check_parity(v)
    assert r2["params"]["seed"] == 17
    v.locator('select[data-control="method"]').select_option("grid")
    r3 = check_parity(v)
    assert r3["readout"]["ink"] < 0.5
    visit.check_clean()
