"""Tests of ``attn_course.layers.efficient``."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course import scaled_dot_product_attention
from attn_course.core.masks import sliding_window_mask
from attn_course.layers.efficient import elu_feature_map, linear_attention, local_attention


def _qkv(n, d=8, d_v=6, batch=(2, 3), seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*batch, n, d, generator=g, dtype=dtype),
            torch.randn(*batch, n, d, generator=g, dtype=dtype),
            torch.randn(*batch, n, d_v, generator=g, dtype=dtype))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60), window=st.integers(0, 70), block=st.integers(1, 40),
       causal=st.booleans())
def test_local_attention_equals_masked_full_attention(n, window, block, causal):
    q, k, v = _qkv(n)
    want, _ = scaled_dot_product_attention(q, k, v, mask=sliding_window_mask(n, window,
                                                                             causal=causal))
    got = local_attention(q, k, v, window, causal=causal, block_size=block)
    torch.testing.assert_close(got, want, atol=1e-10, rtol=1e-10)


def test_wide_window_is_exact_attention():
    q, k, v = _qkv(40)
    want = torch.nn.functional.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(local_attention(q, k, v, 40), want)


def _dense_linear(q, k, v, causal):
    a = elu_feature_map(q) @ elu_feature_map(k).transpose(-2, -1)  # (..., N, N)
    if causal:
        a = torch.tril(a)
    return (a / a.sum(-1, keepdim=True)) @ v


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("n, chunk", [(1, 4), (37, 8), (64, 64), (50, 128)])
def test_linear_attention_equals_dense_form(n, chunk, causal):
    q, k, v = _qkv(n, seed=n)
    got = linear_attention(q, k, v, causal=causal, chunk=chunk)
    torch.testing.assert_close(got, _dense_linear(q, k, v, causal), atol=1e-10, rtol=1e-10)


def test_linear_attention_is_close_to_softmax_for_small_scores_only():
    q, k, v = _qkv(64, d=16, batch=(), seed=1)
    exact = lambda s: torch.nn.functional.scaled_dot_product_attention(q * s, k * s, v)  # noqa: E731
    err = {s: (linear_attention(q * s, k * s, v) - exact(s)).norm() / exact(s).norm()
           for s in (0.05, 3.0)}
    assert err[0.05] < 0.05 < err[3.0]


def test_bad_shapes_raise():
    q, k, v = _qkv(10)
    with pytest.raises(ValueError, match="self-attention"):
        local_attention(q, k[..., :5, :], v[..., :5, :], 2)
    with pytest.raises(ValueError, match="window"):
        local_attention(q, k, v, -1)
    with pytest.raises(ValueError, match="self-attention"):
        linear_attention(q, k[..., :3], v)
