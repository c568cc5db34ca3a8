"""Chapter 11: SE, CBAM and non-local blocks, the small CNN, and the pixel-cost counts."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.core.attention import scaled_dot_product_attention
from attn_course.experiments.vision import attention_cost, conv_cost, measure_pixel_costs
from attn_course.layers.vision import CBAM, NonLocalBlock, SpatialAttention, SqueezeExcitation
from attn_course.models.cnn import BLOCKS, SmallCNN
from attn_course.tools.tables import markdown_table
from attn_course.tools.training import count_parameters


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


@pytest.mark.parametrize("block", BLOCKS)
def test_small_cnn_logits_and_budget(block):
    torch.manual_seed(0)
    m = SmallCNN(block)
    assert m(torch.randn(5, 1, 8, 8)).shape == (5, 10)
    assert m.features(torch.randn(5, 1, 8, 8)).shape == (5, 32, 8, 8)
    assert 10_000 <= count_parameters(m) <= 30_000


def test_costs_count_and_scale():
    a8, a16 = attention_cost(8, 8, 32), attention_cost(16, 16, 32)
    assert a8["positions"] == 64 and a8["weight_bytes"] == 64 * 64 * 4
    assert a16["flops"] == 16 * a8["flops"]  # doubling the side: (2²)² = 16×
    assert conv_cost(16, 16, 4, 4)["flops"] == 4 * conv_cost(8, 8, 4, 4)["flops"]
    assert attention_cost(224, 224, 1)["weight_bytes"] == 50176**2 * 4
    with pytest.raises(ValueError, match="height"):
        attention_cost(0, 8, 4)
    # the FLOP count matches the matrices the core function builds
    q = torch.randn(1, 64, 32)
    _, w = scaled_dot_product_attention(q, q, q)
    assert w.numel() * 4 == a8["weight_bytes"]


def test_measure_pixel_costs_times_only_small_sizes():
    rows = measure_pixel_costs([4, 8, 300], max_measured=8, repeats=1, channels=4, d_k=4)
    assert [r.size for r in rows] == [4, 8, 300]
    assert rows[0].attn_seconds > 0 and rows[1].conv_seconds > 0
    assert rows[2].attn_seconds is None and rows[2].positions == 90_000


def test_markdown_table():
    t = markdown_table(["a", "b"], [[1, 0.5], [2, None]], formats=["", ".2f"])
    assert t.splitlines() == ["| a | b |", "| --- | --- |", "| 1 | 0.50 |", "| 2 | — |"]
    with pytest.raises(ValueError, match="row 0"):
        markdown_table(["a"], [[1, 2]])


def test_plot_helpers_return_figures_and_validate():
    from matplotlib.figure import Figure

    from attn_course.plots.vision import (
        plot_channel_weights,
        plot_pixel_attention,
        plot_pixel_costs,
        plot_spatial_maps,
    )

    rows = measure_pixel_costs([4, 8, 16], max_measured=8, repeats=1, channels=4, d_k=4)
    assert isinstance(plot_pixel_costs(rows), Figure)
    assert isinstance(plot_channel_weights({"SE": torch.rand(10, 8)}), Figure)
    assert isinstance(plot_spatial_maps(torch.rand(3, 8, 8), torch.rand(3, 8, 8), "abc"), Figure)
    w = torch.softmax(torch.randn(64, 64), -1)
    assert isinstance(plot_pixel_attention(torch.rand(8, 8), w, [(1, 2), (0, 0)]), Figure)
    with pytest.raises(ValueError, match="weights must have shape"):
        plot_pixel_attention(torch.rand(8, 8), w[:10], [(0, 0)])
    with pytest.raises(ValueError, match="n_classes, C"):
        plot_channel_weights({"SE": torch.rand(10)})
