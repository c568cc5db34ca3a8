"""Tests of ``attn_course.layers.vision``."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.layers.vision import (
    CBAM,
    NONLOCAL_FORMS,
    NonLocalBlock,
    SpatialAttention,
    SqueezeExcitation,
)
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


def _as_matrix(conv):
    return conv.weight[:, :, 0, 0]  # (c_out, c_in)


@pytest.mark.parametrize("form", NONLOCAL_FORMS)
def test_nonlocal_forms_match_wang_et_al(form):
    """Each form against its formula in Wang et al. (2018), with the 1×1 convolutions as
    matrices: y_i = Σ_j f(x_i, x_j) g(x_j) / C(x), z = x + γ W_o y."""
    torch.manual_seed(2)
    m = NonLocalBlock(16, form)
    x = torch.randn(2, 16, 4, 5)
    torch.testing.assert_close(m(x), x)  # gamma = 0 at initialisation: the identity
    with torch.no_grad():
        m.gamma.fill_(0.7)
    tok = x.flatten(2).transpose(1, 2)  # (B, N, C)
    N = tok.shape[1]
    v = tok @ _as_matrix(m.W_v).T + m.W_v.bias  # (B, N, d_v)
    if form == "gaussian":
        f, norm = torch.exp(tok @ tok.transpose(1, 2)), None  # (B, N, N)
    else:
        q = tok @ _as_matrix(m.W_q).T + m.W_q.bias  # (B, N, d_k)
        k = tok @ _as_matrix(m.W_k).T + m.W_k.bias  # (B, N, d_k)
        if form == "embedded_gaussian":
            f, norm = torch.exp(q @ k.transpose(1, 2)), None  # unscaled, as in the paper
        elif form == "dot_product":
            f, norm = q @ k.transpose(1, 2), N
        else:
            w_q, w_k = m.w_f[: m.d_k], m.w_f[m.d_k :]
            f, norm = torch.relu((q @ w_q)[:, :, None] + (k @ w_k)[:, None, :]), N
    ref_w = f / (f.sum(-1, keepdim=True) if norm is None else norm)
    torch.testing.assert_close(m.attention(x), ref_w, atol=1e-5, rtol=1e-4)
    if norm is None:  # the Gaussian forms are a softmax: rows sum to one
        torch.testing.assert_close(m.attention(x).sum(-1), torch.ones(2, N))
    o = (ref_w @ v) @ _as_matrix(m.W_o).T + m.W_o.bias  # (B, N, C)
    ref = x + 0.7 * o.transpose(1, 2).reshape(2, 16, 4, 5)
    torch.testing.assert_close(m(x), ref, atol=1e-4, rtol=1e-4)


def test_nonlocal_scale_none_is_the_transformers_scaled_dot_product():
    torch.manual_seed(3)
    x = torch.randn(2, 8, 3, 3)
    m = NonLocalBlock(8, scale=None)
    tok = x.flatten(2).transpose(1, 2)
    q = tok @ _as_matrix(m.W_q).T + m.W_q.bias
    k = tok @ _as_matrix(m.W_k).T + m.W_k.bias
    ref = torch.softmax(q @ k.transpose(1, 2) / m.d_k**0.5, -1)
    torch.testing.assert_close(m.attention(x), ref)
    assert not torch.allclose(NonLocalBlock(8).attention(x), NonLocalBlock(8, scale=None)
                              .attention(x))


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5), st.integers(0, 10_000),
       st.sampled_from(NONLOCAL_FORMS))
def test_nonlocal_is_equivariant_to_permuting_positions(h, w, c_mult, seed, form):
    """With no positional information, permuting pixels permutes the output (gamma ≠ 0)."""
    torch.manual_seed(seed)
    C = 8 * c_mult
    m = NonLocalBlock(C, form)
    with torch.no_grad():
        m.gamma.fill_(1.0)
    x = torch.randn(1, C, h, w) / C**0.5  # moderate scores for the plain Gaussian
    perm = torch.randperm(h * w)
    xp = x.flatten(2)[:, :, perm].reshape(1, C, h, w)
    yp = m(x).flatten(2)[:, :, perm].reshape(1, C, h, w)
    torch.testing.assert_close(m(xp), yp, atol=1e-5, rtol=1e-4)


def test_bad_input_raises_with_shapes():
    with pytest.raises(ValueError, match=r"\(B, C=8, H, W\).*\(2, 4, 3, 3\)"):
        SqueezeExcitation(8)(torch.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match="C=8"):
        NonLocalBlock(8)(torch.randn(8, 3, 3))
    with pytest.raises(ValueError, match="form must be one of"):
        NonLocalBlock(8, "cosine")
    with pytest.raises(ValueError, match="scale must be positive"):
        NonLocalBlock(8, scale=0.0)
    with pytest.raises(ValueError, match="odd"):
        SpatialAttention(4)
    with pytest.raises(ValueError, match="block must be one of"):
        SmallCNN("transformer")
    with pytest.raises(ValueError, match="x must have shape"):
        SmallCNN()(torch.randn(2, 3, 8, 8))
