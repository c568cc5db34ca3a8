"""The plot helpers of chapters 6, 7 and 10 return titled figures and reject bad shapes."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_course.core.attention import self_attention
from attn_course.core.positions import sinusoidal_encoding
from attn_course.data.toy_sentence import FEATURES, toy_sentence
from attn_course.plots.multi_head import plot_ablation, plot_head_cost, plot_head_maps, plot_loss
from attn_course.plots.self_attention import (
    plot_equivariance,
    plot_qkv,
    plot_self_vs_cross,
    plot_sinusoidal,
    plot_weighted_sum,
)
from attn_course.plots.transformer import plot_accuracy_vs_length, plot_causal, plot_stability


def _titled(fig):
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles or fig._suptitle is not None
    return fig


def test_chapter6_plots():
    s = toy_sentence()
    out, w = self_attention(s.X, s.W_q, s.W_k, s.W_v)
    _titled(plot_qkv(s.X, s.X @ s.W_q, s.X @ s.W_k, s.X @ s.W_v, s.tokens, features=FEATURES,
                     key_dims=s.key_dims))
    _titled(plot_weighted_sum(w[2], s.X @ s.W_v, out[2], s.tokens, 2, features=FEATURES))
    _titled(plot_self_vs_cross(w, w[:3], s.tokens, s.tokens[:3]))
    _titled(plot_equivariance(out, out[::-1], s.tokens, list(range(6))[::-1], title="t"))
    _titled(plot_sinusoidal(sinusoidal_encoding(32, 8)))
    with pytest.raises(ValueError, match="weights_row"):
        plot_weighted_sum(w, s.X, out[2], s.tokens, 2)
    with pytest.raises(ValueError, match="pe"):
        plot_sinusoidal(np.zeros(3))


def test_chapter7_plots():
    w = np.full((2, 4, 4), 0.25)
    _titled(plot_head_maps(w, list("abcd"), title="maps"))
    _titled(plot_head_cost([1, 2], [10.0, 10.0], [1.0, 2.0], d_model=8, n=4))
    _titled(plot_loss({"a": np.linspace(2, 0.1, 50)}, smooth=5))
    _titled(plot_ablation(["all", "no 0"], {"job": [1.0, 0.1]}, chance={"job": 0.1}))
    with pytest.raises(ValueError, match="weights"):
        plot_head_maps(np.zeros((4, 4)))


def test_chapter10_plots():
    h = {"loss": list(np.linspace(2, 1, 30)), "grad_norm": [1.0] * 30}
    _titled(plot_stability({"pre": h, "post": h}))
    from attn_course.core.masks import causal_mask

    m = causal_mask(4)
    _titled(plot_causal(m, m / m.sum(1, keepdims=True), list("abcd")))
    _titled(plot_accuracy_vs_length([2, 4], {"A": [1, 0.9], "B": [0.5, 0.2]}, chance=0.1,
                                    params={"A": 10, "B": 12}))
