"""The gate view (chapter 11) recomputes SE's and CBAM's gates in the browser, as Python does."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from browser_helpers import PageVisit, check_parity

from attn_course.data.vision_tasks import cluttered_digits
from attn_course.models.cnn import AttentionCNN
from attn_course.tools.seed import set_seed
from attn_course.views.gates import GateView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    g = np.random.default_rng(1)
    digits = (g.random((10, 8, 8)) > 0.5).astype(np.float32)  # (10, 8, 8)
    data = cluttered_digits(digits, np.arange(10), 4, 2)
    set_seed(3)
    se, cbam = AttentionCNN.for_canvas("se").eval(), AttentionCNN.for_canvas("cbam").eval()
    with torch.no_grad():  # gates that vary over the map and between images
        cbam.block.spatial.conv.weight.mul_(10)
        se.block.mlp[2].weight.mul_(8)
    r, c = data.corner[:, 0] // 2, data.corner[:, 1] // 2
    boxes = torch.stack([r, c, (data.corner[:, 0] + 9) // 2, (data.corner[:, 1] + 9) // 2], 1)
    return show_views([GateView.from_models(se, cbam, data.x, boxes.tolist())])


def test_gates_follow_the_chosen_canvas(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="gates"]').first
    first = check_parity(v)
    assert first["params"] == {"example": 0, "show": "gate"}
    v.locator('button[data-control="example-2"]').click()
    second = check_parity(v)
    assert second["params"]["example"] == 2
    assert second["readout"]["spatial"] != first["readout"]["spatial"]
    assert second["readout"]["se_gate"] != first["readout"]["se_gate"]
    v.locator('select[data-control="show"]').select_option("difference")
    diff = check_parity(v)["readout"]
    assert min(diff["se_shown"]) < 0 < max(diff["se_shown"])  # signed: around the average
    visit.check_clean()
