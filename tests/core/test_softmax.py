"""Tests of ``attn_course.core.softmax``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import attn_course as ac
from attn_course.core.softmax import softmax_jacobian, softmax_jacobian_norm


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


finite = st.floats(-1e4, 1e4, allow_nan=False, width=64)


logits = arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 7)), elements=finite)


@given(logits)
def test_rows_are_probability_vectors(x):
    p = ac.softmax(x)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(-1), 1.0, atol=1e-12)


@given(logits, st.floats(-100, 100))
def test_shift_invariance(x, c):
    np.testing.assert_allclose(ac.softmax(x + c), ac.softmax(x), atol=1e-9)


@given(logits)
def test_numpy_and_torch_agree(x):
    np.testing.assert_allclose(ac.softmax(torch.from_numpy(x)).numpy(), ac.softmax(x), atol=1e-12)


@given(logits, st.data())
def test_masked_entries_get_zero_and_rest_renormalises(x, data):
    mask = data.draw(arrays(np.bool_, x.shape))
    p = ac.softmax(x, mask=mask)
    assert np.all(p[~mask] == 0)
    rows = mask.any(-1)
    np.testing.assert_allclose(p[rows].sum(-1), 1.0, atol=1e-12)
    assert np.all(p[~rows] == 0)  # fully masked rows: zeros, never NaN
    assert np.all(np.isfinite(p))


def test_matches_torch_softmax():
    x = torch.randn(3, 5, 7, dtype=torch.float64)
    for axis in (0, 1, -1):
        torch.testing.assert_close(ac.softmax(x, axis=axis), torch.softmax(x, dim=axis))


@pytest.mark.parametrize("big", [1e3, 1e4, 1e8])
def test_large_logits_do_not_overflow(big):
    x = np.array([big, big - 1.0, 0.0])
    p = ac.softmax(x)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p[:2], [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1))])
    pt = ac.softmax(torch.tensor(x, dtype=torch.float32))
    assert torch.isfinite(pt).all()


def test_temperature_limits():
    x = np.array([1.0, 3.0, 2.0])
    np.testing.assert_allclose(ac.softmax(x, temperature=1e-3), [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(ac.softmax(x, temperature=1e6), np.full(3, 1 / 3), atol=1e-5)
    np.testing.assert_allclose(ac.softmax(x, temperature=2.0), ac.softmax(x / 2.0))


@pytest.mark.parametrize("t", [0, -1.0, float("nan"), float("inf"), "hot"])
def test_bad_temperature_raises(t):
    with pytest.raises(ValueError, match="temperature"):
        ac.softmax(np.zeros(3), temperature=t)


def test_bad_mask_raises_with_shapes():
    with pytest.raises(ValueError, match=r"mask.*\(4,\).*\(2, 3\)"):
        ac.softmax(np.zeros((2, 3)), mask=np.ones(4, bool))
    with pytest.raises(ValueError, match="boolean"):
        ac.softmax(np.zeros((2, 3)), mask=np.ones((2, 3)))


def test_integer_input_is_promoted():
    np.testing.assert_allclose(ac.softmax(np.array([0, 0])), [0.5, 0.5])
    assert ac.softmax(torch.tensor([0, 0])).dtype == torch.float32


def test_gradient_flows_through_masked_softmax():
    x = torch.randn(2, 4, requires_grad=True)
    mask = torch.tensor([[True, True, False, False], [False] * 4])
    ac.softmax(x, mask=mask)[0, 0].backward()
    assert torch.isfinite(x.grad).all()
    assert x.grad[1].abs().sum() == 0 and x.grad[0, 2:].abs().sum() == 0


@given(logits)
def test_logsumexp_matches_naive_where_naive_is_safe(x):
    x = np.clip(x, -50, 50)
    np.testing.assert_allclose(ac.logsumexp(x), np.log(np.exp(x).sum(-1)), rtol=1e-10, atol=1e-12)


def test_logsumexp_large_and_empty():
    assert ac.logsumexp(np.array([1e4, 1e4])) == pytest.approx(1e4 + np.log(2))
    assert ac.logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
    torch.testing.assert_close(
        ac.logsumexp(torch.tensor([[1.0, 2.0]]), keepdims=True), torch.logsumexp(torch.tensor([[1.0, 2.0]]), -1, keepdim=True)
    )


def test_entropy_bounds():
    assert ac.entropy(np.array([1.0, 0.0, 0.0])) == 0.0
    assert ac.entropy(np.full(8, 1 / 8)) == pytest.approx(np.log(8))
