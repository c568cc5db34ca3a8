"""Tests of ``attn_course.core.attention``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import attn_course as ac
from attn_course.core.attention import (
    cross_attention,
    scaled_dot_product_attention,
    self_attention,
)
from attn_course.data.toy_sentence import toy_sentence

SHAPES = [  # (batch shape, n_q, n_k, d_k, d_v)
    ((), 1, 1, 1, 1),
    ((), 4, 6, 8, 3),
    ((2,), 5, 5, 16, 16),
    ((2, 3), 7, 9, 8, 4),
    ((1, 2), 33, 17, 64, 32),
]


def _qkv(batch, n_q, n_k, d_k, d_v, seed, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(*batch, n_q, d_k, generator=g, dtype=dtype),
        torch.randn(*batch, n_k, d_k, generator=g, dtype=dtype),
        torch.randn(*batch, n_k, d_v, generator=g, dtype=dtype),
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("mask_kind", [None, "causal", "random"])
def test_matches_torch_sdpa(shape, seed, mask_kind):
    batch, n_q, n_k, d_k, d_v = shape
    q, k, v = _qkv(batch, n_q, n_k, d_k, d_v, seed)
    mask = None
    if mask_kind == "causal":
        mask = ac.causal_mask(n_q, n_k, like=q)
    elif mask_kind == "random":
        g = torch.Generator().manual_seed(seed + 100)
        mask = torch.rand(*batch, n_q, n_k, generator=g) > 0.3
        mask[..., 0] = True  # SDPA returns NaN on fully masked rows; ours returns 0 (tested below)
    out, w = ac.scaled_dot_product_attention(q, k, v, mask=mask)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, ref, atol=1e-10, rtol=1e-10)
    assert w.shape == (*batch, n_q, n_k)


@pytest.mark.parametrize("scale", [0.1, 1.0, 3.0])
def test_custom_scale_matches_torch(scale):
    q, k, v = _qkv((2,), 4, 5, 8, 8, 3)
    out, _ = ac.scaled_dot_product_attention(q, k, v, scale=scale)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, scale=scale))


@pytest.mark.parametrize("shape", SHAPES)
def test_numpy_and_torch_agree(shape):
    q, k, v = _qkv(*shape, seed=5)
    mask = ac.causal_mask(shape[1], shape[2])
    out_t, w_t = ac.scaled_dot_product_attention(q, k, v, mask=torch.from_numpy(mask))
    out_n, w_n = ac.scaled_dot_product_attention(q.numpy(), k.numpy(), v.numpy(), mask=mask)
    assert isinstance(out_n, np.ndarray) and isinstance(w_n, np.ndarray)
    np.testing.assert_allclose(out_n, out_t.numpy(), atol=1e-12)
    np.testing.assert_allclose(w_n, w_t.numpy(), atol=1e-12)


def test_float32_matches_sdpa_to_1e5():
    q, k, v = _qkv((4, 8), 128, 128, 64, 64, 0, dtype=torch.float32)
    out, _ = ac.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), atol=1e-5, rtol=1e-5)


def test_fully_masked_row_gives_zero_weights_and_output():
    q, k, v = _qkv((), 3, 4, 8, 5, 0)
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[1] = False
    out, w = ac.scaled_dot_product_attention(q, k, v, mask=mask)
    assert torch.all(w[1] == 0) and torch.all(out[1] == 0)
    assert torch.isfinite(out).all()


def test_gradients_match_sdpa():
    q, k, v = (t.requires_grad_() for t in _qkv((2,), 5, 6, 8, 4, 1))
    mask = ac.causal_mask(5, 6, like=q)
    out, _ = ac.scaled_dot_product_attention(q, k, v, mask=mask)
    grads = torch.autograd.grad(out.sum(), (q, k, v))
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    ref_grads = torch.autograd.grad(ref.sum(), (q, k, v))
    for g, r in zip(grads, ref_grads):
        torch.testing.assert_close(g, r)


@given(st.integers(1, 6), st.integers(1, 8), st.integers(0, 10_000))
def test_self_attention_is_permutation_equivariant(n, d, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    perm = rng.permutation(n)
    out, w = ac.scaled_dot_product_attention(x, x, x)
    out_p, w_p = ac.scaled_dot_product_attention(x[perm], x[perm], x[perm])
    np.testing.assert_allclose(out_p, out[perm], atol=1e-10)
    np.testing.assert_allclose(w_p, w[np.ix_(perm, perm)], atol=1e-10)


@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6), st.integers(0, 10_000))
def test_weights_are_distributions_and_output_is_convex_combination(n_q, n_k, d, seed):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(n_q, d)), rng.normal(size=(n_k, d)), rng.normal(size=(n_k, d))
    mask = rng.random((n_q, n_k)) > 0.4
    out, w = ac.scaled_dot_product_attention(q, k, v, mask=mask)
    assert np.all(w[~mask] == 0)
    has = mask.any(-1)
    np.testing.assert_allclose(w[has].sum(-1), 1.0, atol=1e-12)
    assert np.all(out[has] <= v.max(0) + 1e-9) and np.all(out[has] >= v.min(0) - 1e-9)


def test_default_scale_is_inverse_sqrt_dk():
    q, k, v = _qkv((), 3, 3, 16, 2, 0)
    _, w = ac.scaled_dot_product_attention(q, k, v)
    _, w1 = ac.scaled_dot_product_attention(q, k, v, scale=1 / math.sqrt(16))
    torch.testing.assert_close(w, w1)


@pytest.mark.parametrize(
    "shapes, match",
    [
        (((3, 4), (5, 6), (5, 2)), r"q and k.*d_k.*\(3, 4\).*\(5, 6\)"),
        (((3, 4), (5, 4), (6, 2)), r"k and v.*n_k.*\(5, 4\).*\(6, 2\)"),
        (((4,), (5, 4), (5, 2)), r"q must have at least 2 axes.*\(4,\)"),
        (((2, 3, 4), (3, 5, 4), (3, 5, 2)), r"batch axes"),
    ],
)
def test_bad_shapes_raise_value_error(shapes, match):
    q, k, v = (np.zeros(s) for s in shapes)
    with pytest.raises(ValueError, match=match):
        ac.scaled_dot_product_attention(q, k, v)


def test_mask_not_broadcastable_raises():
    q, k, v = np.zeros((3, 4)), np.zeros((5, 4)), np.zeros((5, 2))
    with pytest.raises(ValueError, match=r"mask.*\(3, 4\).*\(3, 5\)"):
        ac.scaled_dot_product_attention(q, k, v, mask=np.ones((3, 4), bool))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cross_attention_matches_torch_sdpa(seed):
    g = torch.Generator().manual_seed(seed)
    Xq, Xkv = torch.randn(2, 4, 6, generator=g), torch.randn(2, 7, 6, generator=g)
    Wq, Wk, Wv = (torch.randn(6, d, generator=g) for d in (5, 5, 3))
    out, w = cross_attention(Xq, Xkv, Wq, Wk, Wv)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(Xq @ Wq, Xkv @ Wk, Xkv @ Wv))
    assert w.shape == (2, 4, 7)


def test_numpy_and_torch_agree_and_mask_is_applied():
    s = toy_sentence()
    out_np, w_np = self_attention(s.X, s.W_q, s.W_k, s.W_v, mask=np.tril(np.ones((6, 6), bool)))
    t = [torch.as_tensor(a) for a in (s.X, s.W_q, s.W_k, s.W_v)]
    out_t, w_t = self_attention(*t, mask=torch.tril(torch.ones(6, 6, dtype=torch.bool)))
    np.testing.assert_allclose(out_np, out_t.numpy(), atol=1e-12)
    assert np.all(np.triu(w_np, 1) == 0)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 8))
def test_self_attention_of_projections_is_permutation_equivariant(seed, N):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 5))
    Wq, Wk, Wv = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    perm = rng.permutation(N)
    out, w = self_attention(X, Wq, Wk, Wv)
    out_p, w_p = self_attention(X[perm], Wq, Wk, Wv)
    np.testing.assert_allclose(out_p, out[perm], atol=1e-10)
    np.testing.assert_allclose(w_p, w[perm][:, perm], atol=1e-10)


def test_bad_shapes_name_the_argument():
    X = np.zeros((4, 6))
    with pytest.raises(ValueError, match="W_q"):
        self_attention(X, np.zeros((5, 3)), np.zeros((6, 3)), np.zeros((6, 3)))
    with pytest.raises(ValueError, match="W_q and W_k"):
        self_attention(X, np.zeros((6, 3)), np.zeros((6, 2)), np.zeros((6, 3)))
    with pytest.raises(ValueError, match="X_q"):
        cross_attention(np.zeros(6), X, np.zeros((6, 3)), np.zeros((6, 3)), np.zeros((6, 3)))


# --- grouped-query attention (chapter 15) -------------------------------------------------

@pytest.mark.parametrize("H, H_kv", [(4, 4), (4, 2), (4, 1), (6, 3), (8, 2)])
@pytest.mark.parametrize("masked", [False, True])
def test_enable_gqa_matches_torch(H, H_kv, masked):
    g = torch.Generator().manual_seed(H * 10 + H_kv)
    q = torch.randn(2, H, 5, 8, generator=g)
    k, v = torch.randn(2, H_kv, 7, 8, generator=g), torch.randn(2, H_kv, 7, 6, generator=g)
    mask = torch.rand(2, 1, 5, 7, generator=g) > 0.3 if masked else None
    out, w = scaled_dot_product_attention(q, k, v, mask=mask, enable_gqa=True)
    ref = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                                           enable_gqa=True)
    if masked:  # torch gives NaN where a row is fully masked; ours gives zeros
        keep = mask.any(-1, keepdim=True).expand_as(ref)
        ref = torch.where(keep, ref, torch.zeros_like(ref))
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)
    assert w.shape == (2, H, 5, 7)


def test_enable_gqa_shares_each_kv_head_with_consecutive_query_heads():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(6, 4, 3)), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 2))
    out, _ = scaled_dot_product_attention(q, k, v, enable_gqa=True)  # NumPy works too
    for h in range(6):
        want, _ = scaled_dot_product_attention(q[h], k[h // 3], v[h // 3])
        np.testing.assert_allclose(out[h], want, atol=1e-12)


def test_enable_gqa_bad_heads_name_the_shapes():
    q, k = torch.zeros(1, 4, 3, 2), torch.zeros(1, 3, 3, 2)
    with pytest.raises(ValueError, match=r"H_kv dividing.*\(1, 4, 3, 2\)"):
        scaled_dot_product_attention(q, k, k, enable_gqa=True)
    with pytest.raises(ValueError, match="head axis"):
        scaled_dot_product_attention(torch.zeros(3, 2), torch.zeros(3, 2), torch.zeros(3, 2),
                                     enable_gqa=True)
    with pytest.raises(ValueError, match="same feature size|broadcast"):  # without the flag
        scaled_dot_product_attention(q, torch.zeros(1, 2, 3, 2), torch.zeros(1, 2, 3, 2))
