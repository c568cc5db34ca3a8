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


def test_mean_attention_distance_by_hand():
    from attn_course.experiments.vit import mean_attention_distance

    n = 4  # a 2×2 grid of 3-pixel patches, plus a class token
    eye = torch.eye(1 + n)[None, None]  # (1, 1, 5, 5): every patch attends to itself
    assert float(mean_attention_distance(eye, (2, 2), 3)) == 0.0
    uniform = torch.full((1, 1, 1 + n, 1 + n), 1 / (1 + n))
    # the class token's share is dropped and the rest renormalised: each patch attends 1/4
    # to itself, 1/2 to its two neighbours (3 px) and 1/4 to the far corner (3√2 px)
    expected = 0.5 * 3 + 0.25 * 3 * 2**0.5
    torch.testing.assert_close(mean_attention_distance(uniform, (2, 2), 3),
                               torch.tensor([[expected]]))
    with pytest.raises(ValueError, match="N = 2·2"):
        mean_attention_distance(torch.rand(1, 1, 4, 4), (2, 2), 3)


def test_grid_correlation_sees_the_sincos_grid_and_not_noise():
    from attn_course.core.positions import sinusoidal_encoding_2d
    from attn_course.experiments.vit import grid_correlation

    assert grid_correlation(position_similarity(sinusoidal_encoding_2d(4, 4, 32)), (4, 4)) < -0.8
    torch.manual_seed(0)
    noise = [grid_correlation(position_similarity(torch.randn(16, 32)), (4, 4))
             for _ in range(20)]
    assert abs(sum(noise) / len(noise)) < 0.1


def test_random_shift_moves_whole_images():
    from attn_course.data.digits import random_shift

    x = torch.zeros(50, 1, 8, 8)
    x[:, :, 3:5, 3:5] = torch.rand(50, 1, 2, 2) + 0.1  # room to move 2 pixels any way
    y = random_shift(x, 2, torch.Generator().manual_seed(0))
    torch.testing.assert_close(y.sum((1, 2, 3)), x.sum((1, 2, 3)))  # nothing falls off
    moved = [(torch.nonzero(y[i, 0])[0] - torch.nonzero(x[i, 0])[0]).tolist() for i in range(50)]
    assert all(-2 <= d <= 2 for m in moved for d in m) and len({tuple(m) for m in moved}) > 5
    assert random_shift(x, 0, torch.Generator()) is x
    with pytest.raises(ValueError, match="max_shift"):
        random_shift(x, -1, torch.Generator())
