"""scaling: theory vs measurement, the softmax Jacobian vs autograd, the sweep's trends."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import attn_course as ac
from attn_course.core.softmax import softmax_jacobian, softmax_jacobian_norm
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


@given(arrays(np.float64, st.integers(1, 8), elements=st.floats(-20, 20)))
def test_jacobian_matches_autograd(z):
    zt = torch.from_numpy(z)
    J_auto = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, -1), zt).numpy()
    np.testing.assert_allclose(softmax_jacobian(ac.softmax(z)), J_auto, atol=1e-12)


def test_jacobian_batched_torch_and_extremes():
    p = ac.softmax(torch.randn(3, 4, 5, dtype=torch.float64))
    J = softmax_jacobian(p)
    assert J.shape == (3, 4, 5, 5)
    torch.testing.assert_close(J.sum(-1), torch.zeros(3, 4, 5, dtype=torch.float64))
    n = 16
    np.testing.assert_allclose(softmax_jacobian_norm(np.full(n, 1 / n)), np.sqrt(n - 1) / n)
    assert softmax_jacobian_norm(np.eye(4)[1]) == 0.0


def test_sweep_shows_the_three_effects():
    s = scaling_sweep([1, 16, 256, 1024], n_trials=32)
    np.testing.assert_allclose(s.var_unscaled / s.var_theory, 1.0, rtol=0.1)
    np.testing.assert_allclose(s.var_scaled, 1.0, rtol=0.1)
    assert np.all(np.diff(s.entropy_unscaled) < 0) and np.all(np.diff(s.jac_unscaled[1:]) < 0)
    assert np.ptp(s.entropy_scaled) < 0.15 and np.ptp(s.jac_scaled) < 0.05
    assert s.entropy_unscaled[-1] < 0.1 * s.max_entropy
    with pytest.raises(ValueError, match="d_ks"):
        scaling_sweep([])
