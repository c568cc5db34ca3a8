"""The plot helpers of ``attn_course.plots.scaling``: labelled figures."""

from __future__ import annotations

from matplotlib.figure import Figure

from attn_course.experiments.scaling import query_gradients, retrieval_training, scaling_sweep
from attn_course.plots.scaling import (
    plot_query_gradients,
    plot_scaling_sweep,
    plot_scaling_training,
)


def test_plots():
    figs = [
        plot_scaling_sweep(scaling_sweep([1, 4], n_trials=2)),
        plot_query_gradients(query_gradients([1, 4], n_trials=2)),
        plot_scaling_training(retrieval_training(d_k=8, steps=25, seeds=(0,), progress=False)),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
