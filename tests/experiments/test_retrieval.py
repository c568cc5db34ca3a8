"""Tests of ``attn_course.experiments.retrieval``."""

from __future__ import annotations

import numpy as np

from attn_course.core.retrieval import (
    loo_mse,
)
from attn_course.data.key_value import make_regression_data
from attn_course.experiments.retrieval import fit_bandwidth


def test_fit_bandwidth_finds_the_grid_minimum():
    x, y = make_regression_data(50, seed=0)
    h, losses = fit_bandwidth(x, y, init=1.0, steps=200, lr=0.05, progress=False)
    grid = np.logspace(-1.7, 0.3, 60)
    best = min(loo_mse(x, y, g) for g in grid)
    assert losses[-1] < losses[0]
    assert loo_mse(x, y, h) <= best + 1e-3
