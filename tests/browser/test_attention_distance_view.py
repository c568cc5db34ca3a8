"""The attention-map explorer's per-head mean attention distance (chapter 12's playground;
ViT's Fig. 7) is computed in the browser as Python computes it, and follows the sliders."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from browser_helpers import PageVisit, check_parity, set_range

from attn_course.views import AttentionMapExplorer

pytestmark = pytest.mark.browser

GRID, OFFSET = 4, 1  # a class token and 4 × 4 patches of 2 × 2 pixels
N = OFFSET + GRID * GRID


def _maps() -> np.ndarray:
    """(E=2, L=2, H=2, 17, 17): in layer 1, head 1 attends to its own patch and head 2
    uniformly; layer 2 holds random maps."""
    rng = np.random.default_rng(0)
    m = rng.dirichlet(np.ones(N), size=(2, 2, 2, N))
    m[:, 0, 0] = np.eye(N) * 0.9 + 0.1 / N
    m[:, 0, 1] = 1 / N
    return m


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    names = ["cls"] + [f"p{i}" for i in range(GRID * GRID)]
    images = np.random.default_rng(1).random((2, 8, 8))
    return show_views([AttentionMapExplorer(_maps(), names, names, images=images,
                                            grid=(GRID, GRID), patch_offset=OFFSET)])


def test_head_distances_follow_the_layer(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="attention_map"]').first
    first = check_parity(v)["readout"]
    local, uniform = first["head_distance"]
    assert local < 0.5 < 2.0 < uniform  # its own patch (distance 0) against all 16 patches
    set_range(v, "head", 1)
    assert check_parity(v)["readout"]["head_distance"] == first["head_distance"]  # per layer
    set_range(v, "layer", 1)
    second = check_parity(v)["readout"]["head_distance"]
    assert second != first["head_distance"]
    visit.check_clean()
