"""Tests of ``attn_course.layers.vision``."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.layers.vision import CBAM, NonLocalBlock, SpatialAttention, SqueezeExcitation
from attn_course.models.cnn import SmallCNN


@pytest.mark.parametrize("shape", [(2, 8, 5, 5), (1, 16, 3, 7)])
def test_blocks_keep_the_shape(shape):
    x = torch.randn(shape)
    C = shape[1]
    for block in (SqueezeExcitation(C), CBAM(C), NonLocalBlock(C), SpatialAttention(3)):
        assert block(x).shape == x.shape


def test_se_scales_each_channel_by_its_weight_in_0_1():
    torch.manual_seed(0)
    se = SqueezeExcitation(8, reduction=2)
    x = torch.randn(3, 8, 4, 4) + 2.0
    w = se.weights(x)
    assert w.shape == (3, 8) and bool(((w > 0) & (w < 1)).all())
    torch.testing.assert_close(se(x), x * w[:, :, None, None])
    # the weights depend on the pooled map only: a spatial shuffle changes nothing
    perm = torch.randperm(16)
    xs = x.flatten(2)[:, :, perm].reshape(3, 8, 4, 4)
    torch.testing.assert_close(se.weights(xs), w)


def test_cbam_channel_then_spatial():
    torch.manual_seed(1)
    m = CBAM(8, reduction=2, kernel_size=3)
    x = torch.randn(2, 8, 5, 5)
    cw, sw = m.channel_weights(x), m.spatial_weights(x)
    assert cw.shape == (2, 8) and sw.shape == (2, 1, 5, 5)
    assert bool(((sw > 0) & (sw < 1)).all())
    torch.testing.assert_close(m(x), x * cw[:, :, None, None] * sw)


def test_nonlocal_starts_as_identity_and_matches_explicit_attention():
    torch.manual_seed(2)
    m = NonLocalBlock(16)
    x = torch.randn(2, 16, 4, 5)
    torch.testing.assert_close(m(x), x)  # gamma = 0 at initialisation
    with torch.no_grad():
        m.gamma.fill_(0.7)
    w = m.attention(x)
    assert w.shape == (2, 20, 20)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 20))
    # explicit computation with the 1×1 convolutions as matrices
    tok = x.flatten(2).transpose(1, 2)  # (B, N, C)
    q = tok @ m.W_q.weight[:, :, 0, 0].T + m.W_q.bias
    k = tok @ m.W_k.weight[:, :, 0, 0].T + m.W_k.bias
    v = tok @ m.W_v.weight[:, :, 0, 0].T + m.W_v.bias
    scores = q @ k.transpose(1, 2) / m.d_k**0.5
    ref_w = torch.softmax(scores, -1)
    torch.testing.assert_close(w, ref_w)
    o = (ref_w @ v) @ m.W_o.weight[:, :, 0, 0].T + m.W_o.bias  # (B, N, C)
    ref = x + 0.7 * o.transpose(1, 2).reshape(2, 16, 4, 5)
    torch.testing.assert_close(m(x), ref, atol=1e-5, rtol=1e-5)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5), st.integers(0, 10_000))
def test_nonlocal_is_equivariant_to_permuting_positions(h, w, c_mult, seed):
    """With no positional information, permuting pixels permutes the output (gamma ≠ 0)."""
    torch.manual_seed(seed)
    C = 8 * c_mult
    m = NonLocalBlock(C)
    with torch.no_grad():
        m.gamma.fill_(1.0)
    x = torch.randn(1, C, h, w)
    perm = torch.randperm(h * w)
    xp = x.flatten(2)[:, :, perm].reshape(1, C, h, w)
    yp = m(x).flatten(2)[:, :, perm].reshape(1, C, h, w)
    torch.testing.assert_close(m(xp), yp, atol=1e-5, rtol=1e-4)


def test_bad_input_raises_with_shapes():
    with pytest.raises(ValueError, match=r"\(B, C=8, H, W\).*\(2, 4, 3, 3\)"):
        SqueezeExcitation(8)(torch.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match="C=8"):
        NonLocalBlock(8)(torch.randn(8, 3, 3))
    with pytest.raises(ValueError, match="odd"):
        SpatialAttention(4)
    with pytest.raises(ValueError, match="block must be one of"):
        SmallCNN("transformer")
    with pytest.raises(ValueError, match="x must have shape"):
        SmallCNN()(torch.randn(2, 3, 8, 8))
