"""The plot helpers of ``attn_course.plots.bahdanau``: labelled figures, bad input refused."""

from __future__ import annotations

import numpy as np


def test_plot_helpers_return_labelled_figures() -> None:
    from matplotlib.figure import Figure

    from attn_course.plots.bahdanau import (
        plot_accuracy_by_length,
        plot_alignment,
        plot_context_sweep,
        plot_score_comparison,
        plot_training_losses,
        plot_validation_curves,
    )

    figs = [
        plot_accuracy_by_length({"a": [2, 3, 5]}, {"a": [1.0, 0.9, 0.5]}, train_max=3),
        plot_accuracy_by_length({"a": [2, 3]}, {"a": [1.0, 0.8]},
                                spread={"a": ([0.9, 0.7], [1.0, 0.9])}),
        plot_context_sweep([32, 64], {"long": [[0.5, 0.6], [0.7, 0.8]]}),
        plot_alignment(np.eye(3), ["the", "red", "car"], ["la", "voiture", "rouge"]),
        plot_score_comparison(["dot", "general"], [0.9, 0.8], [0.7, 0.6]),
        plot_training_losses({"a": list(np.linspace(2, 0.1, 50))}),
        plot_validation_curves({"a": [[(250, 0.5), (500, 0.7)], [(250, 0.4), (500, 0.8)]]}),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
