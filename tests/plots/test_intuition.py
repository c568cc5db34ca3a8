"""The plot helpers of ``attn_course.plots.intuition``: labelled figures, bad input refused."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_course.data.digits import load_digit_images
from attn_course.data.glimpse import make_scenes, uniform_pool
from attn_course.experiments.intuition import (
    GlimpseResult,
    context_recovery,
)


@pytest.fixture(scope="module")
def digits():
    return load_digit_images()


def test_plots(digits):
    from attn_course.plots.intuition import (
        plot_context_recovery,
        plot_glimpse_accuracy,
        plot_glimpse_scene,
        plot_ink_budget,
    )

    images, labels = digits
    s = make_scenes(images[:1], labels[:1], size=32, seed=0)
    figs = [
        plot_glimpse_scene(s.scenes[0], (1, 2), (3, 4), uniform_pool(s.scenes)[0], label=1),
        plot_glimpse_accuracy(GlimpseResult(0.007, 0.9, 0.8, 0.1, 0.1, 0.99, 10)),
        plot_ink_budget(np.array([0.01, 0.1]), {"saliency": [0.9, 1.0], "random": [0.01, 0.1]}),
        plot_context_recovery(context_recovery([2, 4], d_hidden=8, vocab=4, n_train=100, n_test=50)),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
