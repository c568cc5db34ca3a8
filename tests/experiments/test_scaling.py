"""Tests of ``attn_course.experiments.scaling``."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.experiments.scaling import dot_product_variance, random_queries_keys, scaling_sweep


def test_theory():
    assert dot_product_variance(64) == 64.0
    assert dot_product_variance(8, 2.0, 0.5) == 8.0
    with pytest.raises(ValueError, match="d_k"):
        dot_product_variance(0)


def test_generator_is_deterministic():
    a, b = random_queries_keys(8, seed=3), random_queries_keys(8, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[0].shape == (64, 16, 8) and a[1].shape == (64, 16, 8)
    assert not np.array_equal(random_queries_keys(8, seed=4)[0], a[0])


def test_sweep_shows_the_three_effects():
    s = scaling_sweep([1, 16, 256, 1024], n_trials=32)
    np.testing.assert_allclose(s.var_unscaled / s.var_theory, 1.0, rtol=0.1)
    np.testing.assert_allclose(s.var_scaled, 1.0, rtol=0.1)
    assert np.all(np.diff(s.entropy_unscaled) < 0) and np.all(np.diff(s.jac_unscaled[1:]) < 0)
    assert np.ptp(s.entropy_scaled) < 0.15 and np.ptp(s.jac_scaled) < 0.05
    assert s.entropy_unscaled[-1] < 0.1 * s.max_entropy
    with pytest.raises(ValueError, match="d_ks"):
        scaling_sweep([])
