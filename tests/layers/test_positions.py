"""Tests of ``attn_course.layers.positions``."""

from __future__ import annotations

import math

import pytest
import torch

from attn_course.core.positions import alibi_bias, alibi_slopes, rope_rotate, sinusoidal_encoding
from attn_course.layers.multihead import MultiHeadAttention
from attn_course.layers.positions import (
    ALiBi,
    LearnedAbsolute,
    LearnedPositionalEmbedding,
    NoPosition,
    RoPE,
    Sinusoidal,
    SinusoidalPositionalEncoding,
    make_method,
)
from tests.core.test_positions import _rot  # RoPE by explicit 2×2 rotations, one reference


def test_modules_add_positions():
    torch.manual_seed(0)
    x = torch.randn(3, 10, 8)
    sin = SinusoidalPositionalEncoding(8, max_len=32)
    torch.testing.assert_close(sin(x) - x, torch.as_tensor(sinusoidal_encoding(10, 8),
                                                           dtype=torch.float32).expand(3, -1, -1))
    assert len(list(sin.parameters())) == 0
    learned = LearnedPositionalEmbedding(32, 8)
    torch.testing.assert_close(learned(x) - x, learned.embedding.weight[:10].expand(3, -1, -1))
    assert sum(p.numel() for p in learned.parameters()) == 32 * 8


def test_modules_reject_bad_shapes():
    sin = SinusoidalPositionalEncoding(8, max_len=4)
    with pytest.raises(ValueError, match="max_len"):
        sin(torch.zeros(1, 5, 8))
    with pytest.raises(ValueError, match="d_model"):
        LearnedPositionalEmbedding(4, 8)(torch.zeros(1, 3, 7))


def test_methods_change_only_their_hook():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, 5, 8, generator=g)
    q = torch.randn(2, 2, 5, 4, generator=g)
    for method in (NoPosition(), Sinusoidal(), LearnedAbsolute(10, 8), ALiBi(2)):
        torch.testing.assert_close(method.rotate(q), q)  # only RoPE rotates
    for method in (NoPosition(), RoPE(), ALiBi(2)):
        torch.testing.assert_close(method.add_to_input(x), x)  # relative: the input is kept
    for method in (NoPosition(), Sinusoidal(), LearnedAbsolute(10, 8), RoPE()):
        assert method.score_bias(5, 5, like=q) is None  # only ALiBi adds a bias
    torch.testing.assert_close(Sinusoidal().add_to_input(x),
                               x + sinusoidal_encoding(5, 8, like=x))
    torch.testing.assert_close(RoPE().rotate(q), rope_rotate(q))
    torch.testing.assert_close(ALiBi(2).score_bias(5, 5, like=q), alibi_bias(5, 5, alibi_slopes(2)))
    assert LearnedAbsolute(10, 8).add_to_input(x).shape == x.shape
    with pytest.raises(ValueError, match="method"):
        make_method("xpos", d_model=8, n_heads=2, max_len=10)


def _position_attention_by_hand(mha, method, x):
    """Causal multi-head self-attention with positions, written out as chapter 14 derives it
    (what the deleted ``PositionAttention`` computed): rotate q and k by position (RoPE),
    add −slope_h |i − j| to the scores (ALiBi), mask the future, softmax, mix the heads."""
    B, N, d_model = x.shape
    H = mha.num_heads
    d_k = d_model // H

    def heads(t):
        return t.view(B, N, H, d_k).transpose(1, 2)  # (B, H, N, d_k)

    q, k, v = heads(mha.W_q(x)), heads(mha.W_k(x)), heads(mha.W_v(x))
    if isinstance(method, RoPE):
        q = torch.stack([torch.stack([_rot(q[b, h, i], i) for i in range(N)])
                         for b in range(B) for h in range(H)]).view(B, H, N, d_k)
        k = torch.stack([torch.stack([_rot(k[b, h, i], i) for i in range(N)])
                         for b in range(B) for h in range(H)]).view(B, H, N, d_k)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (B, H, N, N)
    if isinstance(method, ALiBi):
        i = torch.arange(N)
        dist = (i[:, None] - i[None, :]).abs().to(x.dtype)  # (N, N)
        slopes = torch.tensor([2.0 ** (-8.0 * h / H) for h in range(1, H + 1)], dtype=x.dtype)
        scores = scores - slopes[:, None, None] * dist
    future = torch.triu(torch.ones(N, N, dtype=torch.bool), 1)
    weights = torch.softmax(scores.masked_fill(future, -math.inf), dim=-1)
    out = (weights @ v).transpose(1, 2).reshape(B, N, d_model)
    return mha.W_o(out), weights


@pytest.mark.parametrize("name", ["none", "sinusoidal", "learned", "rope", "alibi"])
def test_hooked_multihead_equals_position_attention_by_hand(name):
    """MultiHeadAttention(positions=method) is the one attention of chapter 14's model: equal
    to the derivation, on the manual and the fused path."""
    torch.manual_seed(0)
    method = make_method(name, d_model=16, n_heads=4, max_len=32)
    mha = MultiHeadAttention(16, 4, positions=method).double()
    x = torch.randn(2, 7, 16, dtype=torch.float64)
    want, want_w = _position_attention_by_hand(mha, method, x)
    with torch.no_grad():
        got, got_w = mha(x, x, x, is_causal=True)
        fast, _ = mha(x, x, x, is_causal=True, need_weights=False)
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(got_w, want_w)
    torch.testing.assert_close(fast, want)


def test_rope_module_reuses_one_table_and_honours_offsets():
    rope = RoPE()
    x = torch.randn(1, 2, 3, 8)
    torch.testing.assert_close(rope.rotate(x, offset=7), rope_rotate(x, offset=7))
    table = rope._table
    rope.rotate(x, offset=100)  # still inside the first table
    assert rope._table is table
    torch.testing.assert_close(rope.rotate(x, offset=500), rope_rotate(x, offset=500))
    assert rope._table.shape[0] >= 503
    torch.testing.assert_close(rope.rotate(x.double(), offset=2), rope_rotate(x.double(), offset=2))


def test_alibi_hook_offset():
    alibi = ALiBi(4)
    like = torch.zeros(1)
    torch.testing.assert_close(alibi.score_bias(1, 5, like=like, offset=4),
                               alibi.score_bias(5, 5, like=like)[:, 4:])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape, offset", [((1, 4, 1, 16), 128), ((3, 2, 37, 8), 0),
                                           ((2, 1, 5, 32), 300), ((7, 6), 3)])
def test_rope_module_fast_path_gives_rope_rotates_bits(dtype, shape, offset):
    # RoPE.rotate computes x·cos + swap(x)·(−sin, sin): the same two products and one sum
    # per feature as rope_rotate, so the same bits, not merely close ones (decoding relies
    # on a cached step and a full pass rotating a position identically)
    x = torch.randn(shape, dtype=dtype, generator=torch.Generator().manual_seed(offset))
    rope = RoPE()
    got = rope.rotate(x, offset=offset)
    assert torch.equal(got, rope_rotate(x, offset=offset))
    if x.shape[-2] > 4:  # one row at its position (a decoding step) = that row of the pass
        assert torch.equal(rope.rotate(x[..., 4:5, :], offset=offset + 4), got[..., 4:5, :])
    x[..., 0, 0] = float("nan")  # NaN in, NaN out, where rope_rotate puts it
    assert torch.equal(rope.rotate(x, offset=offset).isnan(), rope_rotate(x, offset=offset).isnan())
