"""Tests of ``attn_course.experiments.vit``."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.experiments.vit import attention_rollout, encoder_flops, position_similarity


def test_rollout_one_layer_and_identity():
    w = torch.softmax(torch.randn(1, 3, 5, 5), -1)
    r = attention_rollout(w)
    ref = 0.5 * (w.mean(1)[0] + torch.eye(5))
    torch.testing.assert_close(r, ref)
    # uniform attention in every layer: rollout mixes towards uniform, rows sum to one
    u = torch.full((4, 2, 2, 6, 6), 1 / 6)
    r = attention_rollout(u)
    assert r.shape == (4, 6, 6)
    torch.testing.assert_close(r.sum(-1), torch.ones(4, 6))
    # without the residual, identity attention stays identity
    eye = torch.eye(6).expand(3, 2, 6, 6)
    torch.testing.assert_close(attention_rollout(eye, residual=False), torch.eye(6))
    with pytest.raises(ValueError, match="weights"):
        attention_rollout(torch.rand(3, 4, 5))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(2, 6), st.integers(0, 10_000))
def test_rollout_rows_are_distributions(L, H, N, seed):
    g = torch.Generator().manual_seed(seed)
    w = torch.softmax(3 * torch.randn(2, L, H, N, N, generator=g), -1)
    r = attention_rollout(w)
    assert bool((r >= 0).all())
    torch.testing.assert_close(r.sum(-1), torch.ones(2, N))


def test_position_similarity_and_flops():
    pos = torch.randn(9, 4)
    s = position_similarity(pos)
    torch.testing.assert_close(s.diagonal(), torch.ones(9))
    torch.testing.assert_close(s, s.T)
    f1, f2 = encoder_flops(17, 32, 2, 64), encoder_flops(65, 32, 2, 64)
    assert f1["attention"] == 2 * 4 * 17**2 * 32
    assert f2["attention"] / f1["attention"] == pytest.approx((65 / 17) ** 2)
    with pytest.raises(ValueError, match="n_tokens"):
        encoder_flops(0, 32, 2, 64)
