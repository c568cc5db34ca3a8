"""The plot helpers of ``attn_course.plots.intuition``: labelled figures, bad input refused."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_course.data.digits import load_digit_images
from attn_course.data.glimpse import make_scenes, uniform_pool
from attn_course.experiments.context_vector import context_capacity
from attn_course.experiments.intuition import GlimpseResult, soft_glimpse


@pytest.fixture(scope="module")
def digits():
    return load_digit_images()


def test_plots(digits):
    from attn_course.plots.intuition import (
        plot_context_capacity,
        plot_glimpse_accuracy,
        plot_glimpse_scene,
        plot_ink_budget,
        plot_soft_glimpse,
    )

    images, labels = digits
    s = make_scenes(images[:1], labels[:1], size=32, seed=0)
    soft = {t: soft_glimpse(s.scenes, t) for t in (0.5, 5.0)}
    figs = [
        plot_glimpse_scene(s.scenes[0], (1, 2), (3, 4), uniform_pool(s.scenes)[0], label=1),
        plot_glimpse_accuracy([GlimpseResult(0.007, 0.004, 0.9, 0.8, 0.1, 0.1, (0.5,),
                                             np.array([0.85]), 0.5, 0.99, 0.9, 0.7,
                                             np.array([0.8]), 30, 10)]),
        plot_ink_budget(np.array([0.01, 0.1]), {"saliency": [0.9, 1.0], "random": [0.01, 0.1]},
                        ink_share=0.004),
        plot_soft_glimpse({t: a[0] for t, (g, a) in soft.items()},
                          {t: g[0] for t, (g, a) in soft.items()}),
        plot_context_capacity(context_capacity((4, 8), 4, vocab=4, n_train=100, n_test=50,
                                               seeds=(0,))),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        for ax in fig.axes:
            if ax.get_label() == "<colorbar>":
                continue
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_glimpse_accuracy_needs_results():
    from attn_course.plots.intuition import plot_glimpse_accuracy

    with pytest.raises(ValueError, match="at least one"):
        plot_glimpse_accuracy([])
