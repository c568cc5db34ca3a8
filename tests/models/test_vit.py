"""Tests of ``attn_course.models.vit``."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.layers.transformer import TransformerEncoderLayer
from attn_course.models.vit import PatchEmbedding, VisionTransformer, patchify


def test_patchify_top_left_patch_and_order():
    x = torch.arange(2 * 1 * 4 * 4, dtype=torch.float32).reshape(2, 1, 4, 4)
    p = patchify(x, 2)
    assert p.shape == (2, 4, 4)
    torch.testing.assert_close(p[0, 0], torch.tensor([0.0, 1.0, 4.0, 5.0]))  # top-left
    torch.testing.assert_close(p[0, 1], torch.tensor([2.0, 3.0, 6.0, 7.0]))  # top-right
    torch.testing.assert_close(p[0, 2], torch.tensor([8.0, 9.0, 12.0, 13.0]))


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([1, 2, 4]), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 8), st.integers(0, 10_000))
def test_patch_embedding_equals_strided_conv(p, C, gh, gw, d, seed):
    torch.manual_seed(seed)
    emb = PatchEmbedding(p, C, d)
    x = torch.randn(2, C, gh * p, gw * p)
    conv = emb.as_conv()
    ref = conv(x).flatten(2).transpose(1, 2)  # (B, N, d)
    torch.testing.assert_close(emb(x), ref, atol=1e-5, rtol=1e-5)


def test_patchify_is_a_permutation_of_pixels():
    x = torch.randn(3, 2, 8, 8)
    p = patchify(x, 4)
    assert p.shape == (3, 4, 32)
    torch.testing.assert_close(p.flatten(1).sort(-1).values, x.flatten(1).sort(-1).values)


def test_vit_shapes_blocks_and_attention():
    torch.manual_seed(0)
    m = VisionTransformer(patch_size=2, d_model=32, n_heads=4, n_layers=2, d_ff=64)
    x = torch.rand(5, 1, 8, 8)
    assert m(x).shape == (5, 10)
    assert all(isinstance(layer, TransformerEncoderLayer) for layer in m.encoder.layers)
    assert m.tokens(x).shape == (5, 17, 32)
    w = m.attention(x)
    assert w.shape == (5, 2, 4, 17, 17)
    torch.testing.assert_close(w.sum(-1), torch.ones(5, 2, 4, 17))
    assert m.position_embeddings().shape == (16, 32)
    # the fused path used in forward and the weights path agree
    h_fast, _ = m.encoder(m.tokens(x), need_weights=False)
    h_slow, _ = m.encoder(m.tokens(x), need_weights=True)
    torch.testing.assert_close(h_fast, h_slow, atol=1e-5, rtol=1e-5)


def test_vit_positions_matter_and_bad_input_raises():
    torch.manual_seed(1)
    m = VisionTransformer(patch_size=4)
    x = torch.rand(2, 1, 8, 8)
    with torch.no_grad():
        m.pos_embed.embedding.weight.normal_()
    flipped = x.flip(-1)
    assert not torch.allclose(m(x), m(flipped))
    with pytest.raises(ValueError, match="must divide"):
        VisionTransformer(patch_size=3)
    with pytest.raises(ValueError, match=r"\(B, C, 8, 8\)"):
        m(torch.rand(2, 1, 6, 6))
    with pytest.raises(ValueError, match="patch_size"):
        patchify(torch.rand(1, 1, 6, 6), 4)


def test_vit_gelu_by_default_and_sincos_positions():
    from attn_course.core.positions import sinusoidal_encoding_2d

    m = VisionTransformer(patch_size=2)
    assert m.encoder.layers[0].ff.activation == "gelu"
    assert VisionTransformer(activation="relu").encoder.layers[0].ff.activation == "relu"
    s = VisionTransformer(patch_size=2, positions="sincos")
    torch.testing.assert_close(s.position_embeddings(), sinusoidal_encoding_2d(4, 4, 32))
    assert "pos_embed.table" not in s.state_dict()  # fixed: not a parameter, not stored
    assert s(torch.rand(2, 1, 8, 8)).shape == (2, 10)
    # the class token gets no position: its input is the class vector itself
    x = torch.rand(3, 1, 8, 8)
    torch.testing.assert_close(s.tokens(x)[:, 0], s.cls_token[0].expand(3, -1))
    with pytest.raises(ValueError, match="positions must be one of"):
        VisionTransformer(positions="rope")
