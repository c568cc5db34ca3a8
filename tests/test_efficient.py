"""Local and linear attention against their dense definitions; the measuring helpers."""

from __future__ import annotations

import math
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course import scaled_dot_product_attention
from attn_course.core.masks import sliding_window_mask
from attn_course.experiments.efficient import attention_matrix_bytes, measure_methods
from attn_course.layers.efficient import elu_feature_map, linear_attention, local_attention
from attn_course.tools.measure import peak_memory, time_call, time_calls


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


def test_sliding_window_mask():
    m = sliding_window_mask(5, 1)
    assert m.dtype == bool and m.shape == (5, 5)
    assert sliding_window_mask(5, 1, like=torch.zeros(1)).dtype == torch.bool
    assert m.sum().item() == 5 + 2 * 4
    assert not sliding_window_mask(5, 2, causal=True)[0, 1]
    with pytest.raises(ValueError, match="window"):
        sliding_window_mask(5, -1)


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


def test_attention_matrix_bytes():
    assert attention_matrix_bytes(16384) == 2**30
    assert attention_matrix_bytes(10, 20, batch=3, bytes_per_float=8) == 4800


def test_timer_calls_warmup_then_repeats():
    calls = []
    t = time_call(lambda: calls.append(1), repeats=3, warmup=2)
    assert t >= 0 and len(calls) == 5
    order = []
    times = time_calls({"a": lambda: order.append("a"), "b": lambda: order.append("b")},
                       repeats=2, warmup=1, stat="min")
    assert set(times) == {"a", "b"} and order == ["a", "b"] * 3  # round-robin
    with pytest.raises(ValueError, match="stat"):
        time_call(lambda: None, stat="mean")


def test_timer_threads_and_no_grad():
    seen = []

    def probe():
        seen.append((torch.get_num_threads(), torch.is_grad_enabled()))

    before = torch.get_num_threads()
    time_call(probe, repeats=1, warmup=0, threads=2)
    time_call(probe, repeats=1, warmup=0, grad=True)
    assert seen == [(2, False), (before, True)] and torch.get_num_threads() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_peak_memory_sees_a_large_temporary():
    def make():
        x = torch.ones(64, 2**16)  # 16 MiB, touched
        return float(x.sum())

    peak = peak_memory(make)
    assert 12 * 2**20 < peak < 64 * 2**20


def test_measure_methods_rows():
    rows = measure_methods([256], d=16, repeat=1, max_plain_n=128)
    names = {r["method"] for r in rows}
    assert "plain" not in names and "tiled (ours)" in names
    assert all(r["N"] == 256 and r["seconds"] > 0 for r in rows)
    if sys.platform.startswith("linux"):
        assert all(not math.isnan(r["peak_bytes"]) for r in rows)
