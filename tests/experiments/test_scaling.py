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


def test_query_gradient_norms_match_autograd():
    import torch

    from attn_course.experiments.scaling import query_gradient_norms

    q, k = random_queries_keys(32, n_trials=2, n_q=3, n_k=5, seed=1)
    g_p = np.random.default_rng(0).standard_normal((2, 3, 5))
    for scaled in (False, True):
        qt = torch.tensor(q, requires_grad=True)
        c = 1 / np.sqrt(32) if scaled else 1.0
        p = torch.softmax(c * qt @ torch.tensor(k).transpose(1, 2), -1)  # (2, 3, 5)
        (p * torch.tensor(g_p)).sum().backward()  # L with ∇_p L = g_p
        want = qt.grad.norm(dim=-1).numpy()
        np.testing.assert_allclose(query_gradient_norms(q, k, g_p, scaled=scaled), want,
                                   rtol=1e-10)


def test_query_gradients_are_sparse_without_scaling():
    from attn_course.experiments.scaling import query_gradients

    qg = query_gradients([1, 64, 1024], n_trials=16)
    s = scaling_sweep([1, 64, 1024], n_trials=16)
    np.testing.assert_allclose(qg.jac["unscaled"], s.jac_unscaled)  # the same draws
    np.testing.assert_allclose(qg.mean["unscaled"][0], qg.mean["scaled"][0])  # d_k = 1
    assert qg.mean["unscaled"][-1] > qg.mean["scaled"][-1]
    assert qg.median["unscaled"][-1] < 0.01 * qg.median["scaled"][-1]
    assert qg.dead["unscaled"][-1] > 0.3 and qg.dead["scaled"].max() == 0
    assert qg.ce_grad["unscaled"][-1] > 0.9  # p − e_y does not vanish
    assert qg.n_queries == 16 * 16
    with pytest.raises(ValueError, match="d_ks"):
        query_gradients([])


def test_retrieval_training_and_steps_to():
    from attn_course.experiments.scaling import retrieval_training, steps_to

    r = retrieval_training(d_k=16, steps=40, seeds=(0, 1), progress=False, lr=1e-2)
    assert r.loss["scaled"].shape == (2, 40) and r.accuracy["unscaled"].shape == (2, 40)
    assert r.loss["scaled"][:, -10:].mean() < r.loss["scaled"][:, :10].mean()
    a = np.array([[0.0] * 5 + [1.0] * 10, [0.0] * 15])
    np.testing.assert_array_equal(steps_to(a, 0.9, window=4), [9, -1])
    with pytest.raises(ValueError, match="window"):
        steps_to(a, window=20)
