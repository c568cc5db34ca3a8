"""The plot helpers of ``attn_course.plots.multi_head``: labelled figures, bad input refused."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_course.plots.multi_head import (
    plot_ablation,
    plot_head_cost,
    plot_head_maps,
    plot_head_sweep,
    plot_loss,
)


def _titled(fig):
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles or fig._suptitle is not None
    return fig


def test_chapter7_plots():
    w = np.full((2, 4, 4), 0.25)
    _titled(plot_head_maps(w, list("abcd"), title="maps"))
    _titled(plot_head_cost([1, 2], [10.0, 10.0], [1.0, 2.0], d_model=8, n=4))
    _titled(plot_loss({"a": np.linspace(2, 0.1, 50)}, smooth=5))
    _titled(plot_ablation(["all", "no 0"], {"job": [1.0, 0.1]}, chance={"job": 0.1}))

    class Sweep:  # the fields plot_head_sweep reads
        n_heads, seeds, loss = (1, 2), (0, 1), np.linspace(2, 0.1, 2 * 2 * 30).reshape(2, 2, 30)

    fig = _titled(plot_head_sweep(Sweep()))
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    with pytest.raises(ValueError, match="weights"):
        plot_head_maps(np.zeros((4, 4)))
