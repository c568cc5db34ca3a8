"""Tests of ``attn_course.core.retrieval``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from attn_course.core.retrieval import (
    exact_lookup,
    loo_mse,
    nadaraya_watson,
    nearest_lookup,
    soft_lookup,
)
from attn_course.data.key_value import make_key_value_store, make_regression_data


def test_exact_lookup():
    assert exact_lookup({"cat": 1}, "cat") == 1
    with pytest.raises(KeyError):
        exact_lookup({"cat": 1}, "cats")


def test_nearest_returns_closest_key_value():
    keys = np.array([[0.0, 0.0], [5.0, 5.0]])
    v, w = nearest_lookup(np.array([4.0, 4.5]), keys, np.array([1.0, 2.0]))
    assert v == 2.0
    np.testing.assert_array_equal(w, [0, 1])


@given(st.integers(0, 1000))
def test_soft_lookup_limits(seed):
    keys, values = make_key_value_store(6, seed=seed)
    q = np.random.default_rng(seed).normal(size=2)
    cold, w_cold = soft_lookup(q, keys, values, temperature=1e-6)
    near, _ = nearest_lookup(q, keys, values)
    d = np.sort(((keys - q) ** 2).sum(-1))
    if d[1] - d[0] > 1e-3:  # a clear nearest key
        assert cold == pytest.approx(near, abs=1e-6)
    hot, w_hot = soft_lookup(q, keys, values, temperature=1e9)
    assert hot == pytest.approx(values.mean(), abs=1e-6)
    np.testing.assert_allclose(w_cold.sum(), 1.0)


def test_soft_lookup_batched_and_torch_agree():
    keys, values = make_key_value_store(5, seed=1)
    qs = np.array([[0.0, 0.0], [1.0, -1.0]])
    v, w = soft_lookup(qs, keys, values, temperature=2.0)
    assert v.shape == (2,) and w.shape == (2, 5)
    vt, wt = soft_lookup(torch.from_numpy(qs), torch.from_numpy(keys), torch.from_numpy(values), temperature=2.0)
    np.testing.assert_allclose(vt.numpy(), v)
    for i in range(2):
        vi, _ = soft_lookup(qs[i], keys, values, temperature=2.0)
        assert vi == pytest.approx(v[i])


def test_vector_values():
    keys = np.eye(3)
    vals = np.arange(6.0).reshape(3, 2)
    v, w = soft_lookup(np.array([1.0, 0, 0]), keys, vals)
    np.testing.assert_allclose(v, w @ vals)


def test_nadaraya_watson_is_a_weighted_average():
    x, y = make_regression_data(40, seed=0)
    yh, w = nadaraya_watson(np.array([1.0, 2.5]), x, y, bandwidth=0.5)
    np.testing.assert_allclose(w.sum(-1), 1.0)
    np.testing.assert_allclose(yh, w @ y)
    k = np.exp(-((1.0 - x) ** 2) / (2 * 0.5**2))
    assert yh[0] == pytest.approx((k * y).sum() / k.sum())


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: soft_lookup(np.zeros(3), np.zeros((4, 2)), np.zeros(4)), "query"),
        (lambda: soft_lookup(np.zeros(2), np.zeros((4, 2)), np.zeros(5)), r"keys.*\(4, 2\).*values.*\(5,\)"),
        (lambda: nadaraya_watson(np.zeros(2), np.zeros(3), np.zeros(3), bandwidth=0), "bandwidth"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_loo_mse_never_uses_the_point_itself():
    x = np.array([0.0, 1.0, 2.0])
    y = np.array([0.0, 10.0, 0.0])
    # With a tiny bandwidth each point copies its nearest *other* point.
    # Point 1's nearest others (0 and 2) tie at distance 1, so it predicts their mean 0.
    expected = ((10.0 - 0.0) ** 2 + (0.0 - 10.0) ** 2 * 2) / 3
    assert loo_mse(x, y, 1e-2) == pytest.approx(expected)


def test_loo_mse_torch_gradient_and_numpy_agree():
    x, y = make_regression_data(20, seed=2)
    h = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    loss = loo_mse(torch.from_numpy(x), torch.from_numpy(y), h)
    loss.backward()
    assert loss.item() == pytest.approx(loo_mse(x, y, 0.3))
    assert torch.isfinite(h.grad) and h.grad != 0
