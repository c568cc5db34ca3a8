"""The plot helpers of ``attn_course.plots.transformer``: labelled figures, bad input refused."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from attn_course.plots.transformer import plot_accuracy_vs_length, plot_causal, plot_stability


def _titled(fig):
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles or fig._suptitle is not None
    return fig


def test_chapter10_plots():
    h = {"loss": list(np.linspace(2, 1, 30)), "grad_norm": [1.0] * 30}
    _titled(plot_stability({"pre": h, "post": h}))
    from attn_course.core.masks import causal_mask

    m = causal_mask(4)
    _titled(plot_causal(m, m / m.sum(1, keepdims=True), list("abcd")))
    _titled(plot_accuracy_vs_length([2, 4], {"A": [1, 0.9], "B": [0.5, 0.2]}, chance=0.1,
                                    params={"A": 10, "B": 12}))


def test_plot_layer_grad_norms_draws_one_line_per_model():
    import numpy as np

    from attn_course.plots.transformer import plot_layer_grad_norms

    fig = plot_layer_grad_norms({"post": np.full((3, 6), 0.2), "pre": np.full((3, 6), 0.1)})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.get_legend().get_texts()) == 2
