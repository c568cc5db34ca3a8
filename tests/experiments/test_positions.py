"""Tests of ``attn_course.experiments.positions``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attn_course.core.positions import rope_rotate, sinusoidal_encoding
from attn_course.experiments.positions import evaluate_lengths, offset_profile, train_position_model


def test_offset_profiles():
    offs = np.arange(-20, 21)
    sin = offset_profile("sinusoidal", offs, d_model=16)
    assert sin[20] == pytest.approx(1.0) and np.allclose(sin, sin[::-1])
    # the profile is the dot product of the sinusoidal table's rows, for any start m
    pe = sinusoidal_encoding(60, 16)
    np.testing.assert_allclose(pe[30] @ pe[30 + offs].T / 8, sin, atol=1e-12)
    rope = offset_profile("rope", offs, d_model=16)
    np.testing.assert_allclose(rope, sin, atol=1e-12)  # all-ones content: the same curve
    c = np.random.default_rng(0).normal(size=16)
    x = torch.tensor(c)[None].expand(41, 16)
    rot = rope_rotate(x.contiguous(), offset=0)  # positions 0 … 40
    got = (rot[20] * rot).sum(-1).numpy() / (c @ c)  # offsets −20 … 20
    np.testing.assert_allclose(offset_profile("rope", offs, d_model=16, content=c), got,
                               atol=1e-12)
    ali = offset_profile("alibi", offs, n_heads=4, head=1)
    np.testing.assert_allclose(ali, -0.0625 * np.abs(offs))
    with pytest.raises(ValueError, match="method"):
        offset_profile("learned", offs)


def test_training_reduces_the_loss():
    model, hist = train_position_model("rope", length=16, steps=40, progress=False,
                                       d_model=16, n_layers=1)
    assert np.mean(hist["loss"][-5:]) < np.mean(hist["loss"][:5])
    acc = evaluate_lengths(model, [16, 32], n_seq=16)
    assert set(acc) == {16, 32} and all(0 <= a <= 1 for a in acc.values())


def test_attention_near_is_a_share_and_whole_when_every_key_is_near():
    from attn_course.experiments.positions import attention_near
    from attn_course.models.positions import PositionModel

    torch.manual_seed(0)
    model = PositionModel(6, 2, "rope", d_model=16, n_heads=2)
    # length 5 with max_offset 4: every key a query can see is near, so the share is 1
    share = attention_near(model, [5, 40], max_offset=4, first_query=2, n_seq=4)
    assert share[5] == pytest.approx([1.0, 1.0], abs=1e-5)
    assert all(0 < s < 1 for s in share[40])
    with pytest.raises(ValueError, match="first_query"):
        attention_near(model, [5], first_query=5)
