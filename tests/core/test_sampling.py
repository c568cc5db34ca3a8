"""Tests of ``attn_course.core.sampling``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.core.sampling import next_token_probs
from attn_course.core.softmax import softmax


def test_greedy_temperature_and_plain_softmax():
    z = np.array([1.0, 3.0, 2.0, 3.0])
    np.testing.assert_array_equal(next_token_probs(z, temperature=0), [0, 1, 0, 0])  # first max
    np.testing.assert_allclose(next_token_probs(z, temperature=0.5), softmax(z / 0.5))
    np.testing.assert_allclose(next_token_probs(z), softmax(z))


def test_top_k_and_top_p_keep_the_right_tokens():
    z = np.log(np.array([0.5, 0.2, 0.15, 0.1, 0.05]))
    np.testing.assert_allclose(next_token_probs(z, top_k=2), [5 / 7, 2 / 7, 0, 0, 0])
    # mass above each token: 0, .5, .7, .85, .95 → top_p=0.8 keeps the first three
    np.testing.assert_allclose(next_token_probs(z, top_p=0.8), [0.5 / 0.85, 0.2 / 0.85,
                                                                 0.15 / 0.85, 0, 0])
    np.testing.assert_allclose(next_token_probs(z, top_p=0.3), [1, 0, 0, 0, 0])  # top token stays
    tied = np.zeros(4)
    np.testing.assert_allclose(next_token_probs(tied, top_k=1), np.full(4, 0.25))  # ties kept


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), t=st.floats(0.05, 5), k=st.integers(1, 9),
       p=st.floats(0.01, 1.0))
def test_numpy_and_torch_agree_and_rows_sum_to_one(seed, t, k, p):
    z = np.random.default_rng(seed).normal(size=(3, 9)) * 3
    a = next_token_probs(z, temperature=t, top_k=k, top_p=p)
    b = next_token_probs(torch.as_tensor(z), temperature=t, top_k=k, top_p=p)
    np.testing.assert_allclose(a, b.numpy(), atol=1e-12)
    np.testing.assert_allclose(a.sum(-1), 1.0)
    assert ((a > 0).sum(-1) <= np.maximum(k, (z == z.max(-1, keepdims=True)).sum(-1))).all()


@pytest.mark.parametrize("kw", [dict(temperature=-1), dict(top_k=0), dict(top_k=1.5),
                                dict(top_p=0.0), dict(top_p=1.5)])
def test_bad_arguments(kw):
    with pytest.raises(ValueError):
        next_token_probs(np.zeros(3), **kw)
