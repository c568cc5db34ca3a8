"""The plot helpers of ``attn_course.plots.self_attention``: labelled figures, bad input refused."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_course.core.attention import self_attention
from attn_course.core.positions import sinusoidal_encoding
from attn_course.data.toy_sentence import FEATURES, toy_sentence
from attn_course.plots.self_attention import (
    plot_equivariance,
    plot_qkv,
    plot_self_vs_cross,
    plot_sinusoidal,
    plot_weight_maps,
    plot_weighted_sum,
)


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
    _titled(plot_weight_maps([w, w], [s.tokens, s.tokens], titles=["a", "b"]))
    with pytest.raises(ValueError, match="matching"):
        plot_weight_maps([w], [s.tokens, s.tokens], titles=["a"])
    with pytest.raises(ValueError, match="weights_row"):
        plot_weighted_sum(w, s.X, out[2], s.tokens, 2)
    with pytest.raises(ValueError, match="pe"):
        plot_sinusoidal(np.zeros(3))
