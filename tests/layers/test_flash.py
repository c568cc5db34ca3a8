"""Tests of ``attn_course.layers.flash``."""

from __future__ import annotations

import math
import sys

import pytest
import torch
import torch.nn.functional as F

from attn_course.core.online_softmax import online_logsumexp
from attn_course.layers.flash import FlashAttentionFunction, flash_attention
from attn_course.tools.measure import peak_memory

SHAPES = [
    # (batch shape, n_q, n_k, d_k, d_v, block_size)
    ((), 64, 64, 16, 16, 16),  # exact multiple of the block
    ((2,), 37, 37, 8, 8, 16),  # ragged: 37 is not a multiple of 16
    ((2, 3), 100, 100, 32, 24, 32),  # (B, H) and d_v != d_k
    ((1, 2), 70, 130, 16, 16, (32, 24)),  # rectangular tiles, n_q != n_k
    ((3, 1), 130, 50, 8, 8, (24, 40)),  # more queries than keys
    ((2, 2), 33, 33, 8, 8, 1),  # one-element tiles
    ((1,), 50, 50, 8, 8, 256),  # a block larger than the sequence
]


def _qkv(batch, n_q, n_k, d_k, d_v, dtype=torch.float32, seed=0, grad=False):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(*batch, n_q, d_k, generator=g, dtype=dtype)
    k = torch.randn(*batch, n_k, d_k, generator=g, dtype=dtype)
    v = torch.randn(*batch, n_k, d_v, generator=g, dtype=dtype)
    return tuple(t.requires_grad_(grad) for t in (q, k, v))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_matches_torch_sdpa(shape, causal):
    batch, n_q, n_k, d_k, d_v, block = shape
    q, k, v = _qkv(batch, n_q, n_k, d_k, d_v)
    got = flash_attention(q, k, v, causal=causal, block_size=block)
    want = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    assert got.shape == want.shape
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape", SHAPES[:5])
def test_gradients_match_torch_sdpa(shape, causal):
    batch, n_q, n_k, d_k, d_v, block = shape
    q, k, v = _qkv(batch, n_q, n_k, d_k, d_v, grad=True, seed=1)
    d_out = torch.randn(*batch, n_q, d_v, generator=torch.Generator().manual_seed(2))
    got = torch.autograd.grad(flash_attention(q, k, v, causal=causal, block_size=block),
                              (q, k, v), d_out)
    want = torch.autograd.grad(F.scaled_dot_product_attention(q, k, v, is_causal=causal),
                               (q, k, v), d_out)
    for name, a, b in zip("qkv", got, want):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5, msg=f"d{name} differs")


@pytest.mark.parametrize("causal", [False, True])
def test_gradcheck_float64(causal):
    q, k, v = _qkv((2,), 11, 11, 4, 3, dtype=torch.float64, grad=True, seed=3)
    assert torch.autograd.gradcheck(
        lambda q, k, v: flash_attention(q, k, v, causal=causal, block_size=4), (q, k, v)
    )


def test_broadcast_batch_axes_and_custom_scale():
    q, _, _ = _qkv((2, 3), 20, 20, 8, 8)
    _, k, v = _qkv((1, 3), 20, 20, 8, 8, seed=5)
    got = flash_attention(q, k, v, block_size=7, scale=0.3)
    want = F.scaled_dot_product_attention(q, k, v, scale=0.3)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


def test_large_logits_do_not_overflow():
    q, k, v = _qkv((1,), 40, 40, 8, 8)
    got = flash_attention(q * 300, k * 300, v, block_size=8)
    want = F.scaled_dot_product_attention(q * 300, k * 300, v)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, want, atol=1e-4, rtol=1e-4)


def _forward_stats(q, k, v):
    from attn_course.layers.flash import _forward

    out, lse = _forward(q[None], k[None], v[None], 1 / math.sqrt(q.shape[-1]), False, 16, 16)
    return out[0], lse[0]


def test_logsumexp_is_the_online_softmax_of_chapter_5():
    q, k, v = _qkv((), 50, 50, 8, 8)
    _, lse = _forward_stats(q, k, v)
    scores = (q @ k.T) / math.sqrt(8)
    want = online_logsumexp(scores, block_size=16)
    torch.testing.assert_close(lse, want.reshape(lse.shape), atol=1e-5, rtol=1e-5)


def test_backward_saves_only_linear_size_tensors():
    n, d = 512, 16
    q, k, v = _qkv((), n, n, d, d, grad=True)
    sizes: list[int] = []

    def pack(t):
        sizes.append(t.numel())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        flash_attention(q, k, v, block_size=64).sum().backward()
    assert max(sizes) <= n * d, f"flash saved a tensor of {max(sizes)} elements"
    sizes.clear()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        torch.softmax(q @ k.T, dim=-1).sum().backward()
    assert max(sizes) >= n * n  # plain attention keeps the N × N matrix


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_peak_memory_grows_like_n_not_n_squared():
    d, block = 64, 128
    peaks = {}
    for n in (2048, 8192):
        q, k, v = _qkv((), n, n, d, d)
        peaks[n] = peak_memory(lambda q=q, k=k, v=v: flash_attention(q, k, v, block_size=block))
    full_matrix = 8192 * 8192 * 4  # 256 MiB
    assert peaks[8192] < full_matrix / 16, peaks
    # 4× the length: the output and running statistics grow 4×, the tile stays the same
    assert peaks[8192] < 8 * max(peaks[2048], 64 * 1024), peaks


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"q": torch.randn(4, 8), "k": torch.randn(4, 7), "v": torch.randn(4, 8)}, "d_k"),
        ({"q": torch.randn(4, 8), "k": torch.randn(4, 8), "v": torch.randn(5, 8)}, "n_k"),
        ({"q": torch.randn(4, 8).numpy(), "k": torch.randn(4, 8),
          "v": torch.randn(4, 8)}, "torch.Tensor"),
        ({"q": torch.randn(2, 4, 8), "k": torch.randn(3, 4, 8), "v": torch.randn(3, 4, 8)},
         "broadcast"),
    ],
)
def test_bad_input_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        flash_attention(**kwargs)


def test_bad_block_size_raises():
    q = torch.randn(4, 8)
    with pytest.raises(ValueError, match="block_size"):
        flash_attention(q, q, q, block_size=0)


def test_function_is_an_autograd_function():
    assert issubclass(FlashAttentionFunction, torch.autograd.Function)
