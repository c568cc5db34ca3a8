"""Tests of ``attn_course.core.online_softmax``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import attn_course as ac
from attn_course.core.online_softmax import (
    online_logsumexp,
    online_softmax,
    online_softmax_init,
    online_softmax_state,
    online_softmax_trace,
    online_softmax_update,
)

finite = st.floats(-1e3, 1e3, allow_nan=False, width=64)


logits = arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 12)), elements=finite)


@given(logits, st.integers(1, 13))
def test_equals_softmax_for_any_block_size(x, b):
    np.testing.assert_allclose(online_softmax(x, b), ac.softmax(x), atol=1e-12)


@given(logits, st.integers(1, 13))
def test_logsumexp_matches(x, b):
    np.testing.assert_allclose(online_logsumexp(x, b), ac.logsumexp(x), rtol=1e-12, atol=1e-9)


@given(logits, st.integers(1, 5), st.data())
def test_masks_like_softmax(x, b, data):
    mask = data.draw(arrays(np.bool_, x.shape))
    p = online_softmax(x, b, mask=mask)
    np.testing.assert_allclose(p, ac.softmax(x, mask=mask), atol=1e-12)
    assert np.all(np.isfinite(p))
    assert np.all(p[~mask.any(-1)] == 0)


def test_large_logits_and_torch():
    x = torch.tensor([[1000.0, 999.0, -1000.0, 1001.0, 3.0]], dtype=torch.float32)
    p = online_softmax(x, 2)
    assert isinstance(p, torch.Tensor) and torch.isfinite(p).all()
    torch.testing.assert_close(p, torch.softmax(x, dim=-1))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_other_axes(axis):
    x = np.random.default_rng(1).normal(size=(4, 6, 5)) * 10
    np.testing.assert_allclose(online_softmax(x, 2, axis=axis), ac.softmax(x, axis=axis), atol=1e-12)


def test_update_rule_by_hand():
    m, l = online_softmax_init(np.zeros((1, 3)))
    assert m.shape == (1, 1) and m[0, 0] == -math.inf and l[0, 0] == 0
    m, l, r = online_softmax_update(m, l, np.array([[1.0, 2.0]]))
    assert r[0, 0] == 0.0 and m[0, 0] == 2.0
    np.testing.assert_allclose(l[0, 0], math.exp(-1) + 1)
    m, l, r = online_softmax_update(m, l, np.array([[5.0]]))
    np.testing.assert_allclose(r[0, 0], math.exp(2 - 5))
    np.testing.assert_allclose(l[0, 0], (math.exp(-1) + 1) * math.exp(-3) + 1)
    np.testing.assert_allclose(m[0, 0] + np.log(l[0, 0]), ac.logsumexp(np.array([1.0, 2, 5])))


def test_fully_masked_blocks_keep_empty_state():
    m, l = online_softmax_init(np.zeros((1, 2)))
    m, l, r = online_softmax_update(m, l, np.array([[-np.inf, -np.inf]]))
    assert m[0, 0] == -np.inf and l[0, 0] == 0 and np.isfinite(r).all()


def test_state_and_trace():
    x = np.array([0.0, 3.0, 1.0, 7.0, 2.0])
    m, l = online_softmax_state(x, 2)
    assert m.shape == (1,) and m[0] == 7.0
    t = online_softmax_trace(x, 2)
    assert t["end"] == [2, 4, 5] and t["m"] == [3.0, 7.0, 7.0]
    np.testing.assert_allclose(t["l"][-1], np.exp(x - 7).sum())


def test_bad_input():
    with pytest.raises(ValueError, match="block_size"):
        online_softmax(np.zeros(3), 0)
    with pytest.raises(ValueError, match="m and l"):
        online_softmax_update(np.zeros((2, 1)), np.zeros((2, 1)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="mask"):
        online_softmax(np.zeros((2, 3)), 2, mask=np.ones((4,), dtype=bool))
