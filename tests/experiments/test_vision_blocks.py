"""Tests of ``attn_course.experiments.vision_blocks`` (the measurements, and a short run)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from attn_course.experiments import vision_blocks as vb
from attn_course.experiments import vision_probes as vp
from attn_course.models.cnn import AttentionCNN


def test_receptive_fields_of_the_stems():
    rf = vp.receptive_fields(AttentionCNN.for_marks().stem, 16)
    assert rf.shape == (64, 16, 16)
    sides = rf.any(2).sum(1)  # rows covered by each position
    assert int(sides.max()) == 8  # two 3×3 convolutions around a 2×2 pool: 8 pixels
    # a position in the middle sees an 8×8 window around its own 2×2 block
    assert bool(rf[3 * 8 + 3, 3:11, 3:11].all()) and int(rf[3 * 8 + 3].sum()) == 64
    gate = nn.Sequential(*AttentionCNN.for_canvas().stem, nn.Conv2d(1, 1, 7, padding=3))
    assert int(vp.receptive_fields(gate, 24).any(2).sum(1).max()) == 20  # 8 + 6·2


def test_no_position_of_the_marks_network_sees_both_marks():
    _, test = vb.marks_data()
    rf = vp.receptive_fields(AttentionCNN.for_marks().stem, 16)  # (64, 16, 16)
    touches = [(rf[None] & test.masks[:, k, None]).flatten(2).any(2) for k in range(2)]
    assert not bool((touches[0] & touches[1]).any())


def test_gate_variances_tell_fixed_from_image_dependent_gates():
    torch.manual_seed(0)
    fixed = torch.rand(1, 16).expand(100, 16)
    v = vp.gate_variances(fixed)
    assert v["per_image"] == pytest.approx(0.0, abs=1e-12) and v["between_channels"] > 0.01
    moving = torch.rand(100, 16)
    v = vp.gate_variances(moving)
    assert v["per_image"] == pytest.approx(1 / 12, rel=0.3)
    with pytest.raises(ValueError, match="n_images, C"):
        vp.gate_variances(torch.rand(3, 4, 5))


def test_summarize():
    s = vp.summarize([1.0, 2.0, 3.0])
    assert s["mean"] == 2.0 and s["sd"] == pytest.approx(1.0) and s["n"] == 3
    assert math.isnan(vp.summarize([1.0])["sd"])


def test_a_short_marks_run_is_reproducible():
    train, _ = vb.marks_data()
    m1, h1 = vb.marks_run("embedded_gaussian-s0", progress=False, data=train, steps=60)
    m2, h2 = vb.marks_run("embedded_gaussian-s0", progress=False, data=train, steps=60)
    assert len(h1["first"]) == 50 and h1["first"] == h2["first"]
    assert len(h1["smoothed"]) == 1
    for a, b in zip(m1.state_dict().values(), m2.state_dict().values()):
        torch.testing.assert_close(a, b)


def test_map_box_and_its_bounds_cover_the_digit():
    from attn_course.data.vision_tasks import cluttered_digits

    digits = torch.ones(10, 8, 8).numpy()
    data = cluttered_digits(digits, list(range(10)), 20, 0, n_fragments=0, n_streaks=0,
                            noise=0.0)
    box = vp.map_box(data, 12)  # (20, 12, 12)
    bounds = vp.map_box_bounds(data, 12)  # (20, 4)
    for b, (r0, c0, r1, c1) in zip(box, bounds.tolist()):
        want = torch.zeros(12, 12, dtype=torch.bool)
        want[r0:r1, c0:c1] = True
        assert torch.equal(b, want)
    # the lit pixels, pooled 2×2, are exactly the box: a map equal to the image has share 1
    pooled = data.x[:, 0].reshape(20, 12, 2, 12, 2).amax(4).amax(2)  # (20, 12, 12)
    sh = vp.box_share(pooled, box)
    assert torch.allclose(sh["share"], torch.ones(20, dtype=torch.float64))
    assert sh["area"].min() >= 16 / 144 and sh["area"].max() <= 25 / 144
    with pytest.raises(ValueError, match="map_side"):
        vp.map_box(data, 7)
