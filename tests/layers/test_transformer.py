"""Tests of ``attn_course.layers.transformer``."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from attn_course.core.masks import causal_mask, padding_mask
from attn_course.layers.multihead import MultiHeadAttention
from attn_course.layers.transformer import FeedForward, TransformerEncoder, TransformerEncoderLayer

ATOL = 1e-5


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("seed", [0, 1])
def test_encoder_layer_matches_torch(norm_first, activation, seed):
    torch.manual_seed(seed)
    ref = nn.TransformerEncoderLayer(16, 4, 40, dropout=0.0, activation=activation,
                                     batch_first=True, norm_first=norm_first).eval()
    ours = TransformerEncoderLayer.from_torch(ref).eval()
    x = torch.randn(3, 7, 16)
    mask = causal_mask(7, like=x)
    with torch.no_grad():
        torch.testing.assert_close(ours(x)[0], ref(x), atol=ATOL, rtol=0)
        torch.testing.assert_close(ours(x, mask=mask)[0], ref(x, src_mask=~mask), atol=ATOL, rtol=0)
        torch.testing.assert_close(ours(x, is_causal=True)[0], ref(x, src_mask=~mask), atol=ATOL, rtol=0)
        pad = padding_mask(torch.tensor([7, 4, 2]), 7)  # (B, 1, N)
        got = ours(x, mask=pad[:, None])[0]
        want = ref(x, src_key_padding_mask=~pad[:, 0])
        for b, n in enumerate([7, 4, 2]):  # torch zeroes padded rows on its fast path; compare real ones
            torch.testing.assert_close(got[b, :n], want[b, :n], atol=ATOL, rtol=0)


def test_weights_and_fast_path_agree():
    torch.manual_seed(0)
    layer = TransformerEncoderLayer(16, 4, 32, norm_first=True).eval()
    x = torch.randn(2, 5, 16)
    y_slow, w = layer(x, is_causal=True)
    y_fast, none = layer(x, is_causal=True, need_weights=False)
    assert none is None and w.shape == (2, 4, 5, 5)
    torch.testing.assert_close(y_slow, y_fast, atol=ATOL, rtol=0)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 4, 5))


def test_encoder_stack_weights_shape_and_final_norm():
    torch.manual_seed(0)
    enc = TransformerEncoder.build(3, 16, 2, 32, norm_first=True)
    assert isinstance(enc.norm, nn.LayerNorm)
    assert TransformerEncoder.build(2, 16, 2, 32).norm is None
    y, w = enc(torch.randn(4, 6, 16))
    assert y.shape == (4, 6, 16) and w.shape == (4, 3, 2, 6, 6)
    assert enc(torch.randn(4, 6, 16), need_weights=False)[1] is None


def test_head_mask_ablates_exactly_one_head():
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2)
    x = torch.randn(2, 5, 8)
    q = mha.split_heads(mha.W_q(x))
    k = mha.split_heads(mha.W_k(x))
    v = mha.split_heads(mha.W_v(x))
    w = torch.softmax(q @ k.transpose(-1, -2) / 2.0, -1)
    heads = w @ v  # (B, H, N, d_k)
    heads[:, 1] = 0
    want = mha.W_o(mha.merge_heads(heads))
    got, _ = mha(x, x, x, head_mask=torch.tensor([1.0, 0.0]))
    torch.testing.assert_close(got, want, atol=ATOL, rtol=0)
    got_fast, _ = mha(x, x, x, head_mask=torch.tensor([1.0, 0.0]), need_weights=False)
    torch.testing.assert_close(got_fast, want, atol=ATOL, rtol=0)
    with pytest.raises(ValueError, match="head_mask"):
        mha(x, x, x, head_mask=torch.ones(3))
    enc = TransformerEncoder.build(2, 8, 2, 16)
    with pytest.raises(ValueError, match="head_mask"):
        enc(x, head_mask=torch.ones(3, 2))


def test_post_norm_output_is_normalised():
    torch.manual_seed(0)
    layer = TransformerEncoderLayer(16, 2, 32, norm_first=False)
    y, _ = layer(5 * torch.randn(2, 4, 16) + 3)
    torch.testing.assert_close(y.mean(-1), torch.zeros(2, 4), atol=1e-5, rtol=0)


def test_feed_forward_is_position_wise():
    torch.manual_seed(0)
    ff = FeedForward(8, 32)
    x = torch.randn(2, 6, 8)
    torch.testing.assert_close(ff(x)[:, 3], ff(x[:, 3:4])[:, 0])
    with pytest.raises(ValueError, match="activation"):
        FeedForward(8, 32, activation="tanh")


def test_bad_inputs():
    layer = TransformerEncoderLayer(16, 4, 32)
    with pytest.raises(ValueError, match="d_model=16"):
        layer(torch.randn(2, 5, 12))
    with pytest.raises(ValueError, match="TransformerEncoderLayer"):
        TransformerEncoderLayer.from_torch(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="batch_first"):
        TransformerEncoderLayer.from_torch(nn.TransformerEncoderLayer(16, 4, 32))
    with pytest.raises(ValueError, match="num_heads"):
        TransformerEncoderLayer(16, 3, 32)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 9), st.booleans())
def test_encoder_layer_is_permutation_equivariant(seed, N, norm_first):
    """Without positions or masks, permuting the tokens permutes the outputs (chapter 6)."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    layer = TransformerEncoderLayer(8, 2, 16, norm_first=norm_first).eval()
    x = torch.randn(2, N, 8, generator=g)
    perm = torch.randperm(N, generator=g)
    with torch.no_grad():
        y, w = layer(x)
        y_p, w_p = layer(x[:, perm])
    torch.testing.assert_close(y_p, y[:, perm], atol=ATOL, rtol=0)
    torch.testing.assert_close(w_p, w[:, :, perm][:, :, :, perm], atol=ATOL, rtol=0)
