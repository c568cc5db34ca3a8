"""Tests of the gate view (chapter 11): its readout is what the package's blocks compute."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attn_course.data.vision_tasks import cluttered_digits
from attn_course.experiments.vision_probes import box_share, map_box
from attn_course.models.cnn import AttentionCNN
from attn_course.tools.seed import set_seed
from attn_course.views.gates import GateView, conv_gate, mlp_gate, pack_mlp


@pytest.fixture(scope="module")
def canvas():
    g = np.random.default_rng(1)
    digits = (g.random((10, 8, 8)) > 0.5).astype(np.float32)  # (10, 8, 8)
    data = cluttered_digits(digits, np.arange(10), 5, 2)
    set_seed(3)
    se, cbam = AttentionCNN.for_canvas("se").eval(), AttentionCNN.for_canvas("cbam").eval()
    with torch.no_grad():
        cbam.block.spatial.conv.weight.mul_(10)  # a gate that varies over the map
    box = map_box(data, 12)  # (5, 12, 12)
    rows, cols = box.any(2), box.any(1)  # (5, 12) each
    boxes = [[int(r.float().argmax()), int(c.float().argmax()),
              int(12 - r.flip(0).float().argmax()), int(12 - c.flip(0).float().argmax())]
             for r, c in zip(rows, cols)]
    return data, se, cbam, box, boxes


def test_the_readout_is_what_the_blocks_compute(canvas):
    data, se, cbam, box, boxes = canvas
    view = GateView.from_models(se, cbam, data.x, boxes)
    with torch.no_grad():
        f_se, f_cb = se.features(data.x), cbam.features(data.x)
        want_se = se.block.weights(f_se)  # (5, 32)
        want_cb = cbam.block.channel_weights(f_cb)  # (5, 32)
        want_sp = cbam.block.spatial_weights(f_cb)[:, 0]  # (5, 12, 12)
    for i in range(5):
        view.example = i
        r = view.readout()
        # the view ships float32 inputs: agreement to float32 round-off
        np.testing.assert_allclose(r["se_gate"], want_se[i], atol=1e-5)
        np.testing.assert_allclose(r["cbam_channel"], want_cb[i], atol=1e-5)
        np.testing.assert_allclose(np.reshape(r["spatial"], (12, 12)), want_sp[i], atol=1e-5)
        share = box_share(want_sp[i:i + 1].double(), box[i:i + 1])
        assert r["box_share"] == pytest.approx(float(share["share"][0]), abs=1e-5)
        assert r["area"] == pytest.approx(float(share["area"][0]))
    view.show = "difference"
    r = view.readout()
    np.testing.assert_allclose(r["se_shown"], want_se[4] - want_se.mean(0), atol=1e-5)


def test_twins_agree_with_torch():
    set_seed(0)
    se = AttentionCNN.for_canvas("se").block
    s = torch.randn(3, 32)
    got = np.stack([mlp_gate(v.numpy(), pack_mlp(se.mlp), 32, 8) for v in s])
    np.testing.assert_allclose(got, torch.sigmoid(se.mlp(s)).detach(), atol=1e-6)
    pooled, w = np.random.default_rng(0).normal(size=(2, 6, 6)), np.ones((2, 3, 3))
    g = conv_gate(pooled, w, 0.5)
    assert g[0, 0] == pytest.approx(1 / (1 + np.exp(-(pooled[:, :2, :2].sum() + 0.5))))


def test_bad_input_is_refused(canvas):
    data, se, cbam, _, boxes = canvas
    with pytest.raises(ValueError, match="boxes"):
        GateView.from_models(se, cbam, data.x, [[0, 0, 13, 4]] * 5)
    with pytest.raises(ValueError, match="example"):
        GateView.from_models(se, cbam, data.x, boxes, example=5)
    with pytest.raises(ValueError, match="show"):
        GateView.from_models(se, cbam, data.x, boxes, show="both")
    with pytest.raises(ValueError, match="images"):
        GateView.from_models(se, cbam, data.x[:1], boxes[:1])


def test_demo_state_is_small():
    assert GateView.demo().state_bytes() < 40_000
