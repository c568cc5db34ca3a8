"""The plot helpers of ``attn_course.plots.scores``: labelled figures."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from attn_course.experiments.learned_scores import LearnedScores
from attn_course.experiments.scores import key_length_sweep
from attn_course.plots.scores import plot_key_length_sweep, plot_learned_scores


def test_plots():
    acc = {n: np.array([[0.2, 0.9, 0.9], [0.3, 0.8, 0.8]]) for n in ("dot", "general")}
    L = np.linspace(0.5, 3, 5)
    figs = [
        plot_learned_scores(LearnedScores(acc, {"dot": 0.0, "general": 0.0}, (0, 1), 10, 10, 5)),
        plot_key_length_sweep(L, key_length_sweep(L, names=("dot", "distance")), crossover=1.5),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
