"""Tests of ``attn_course.core.scores``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import attn_course as ac
from attn_course.core.scores import SCORE_NAMES, SCORE_PARAMETERS, score


def test_scores_reject_mismatched_sizes():
    with pytest.raises(ValueError, match="same feature size"):
        ac.dot_score(np.zeros((2, 3)), np.zeros((4, 5)))


@pytest.fixture
def qk(rng):
    return rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))


def test_dot_and_scaled_dot(qk):
    q, k = qk
    expected = np.einsum("bqd,bkd->bqk", q, k)
    np.testing.assert_allclose(ac.dot_score(q, k), expected)
    np.testing.assert_allclose(ac.scaled_dot_score(q, k), expected / 2.0)


def test_general_with_identity_is_dot(qk):
    q, k = qk
    np.testing.assert_allclose(ac.general_score(q, k, np.eye(4)), ac.dot_score(q, k))


def test_general_allows_different_sizes(rng):
    q, k, W = rng.normal(size=(3, 4)), rng.normal(size=(6, 7)), rng.normal(size=(4, 7))
    np.testing.assert_allclose(ac.general_score(q, k, W), np.einsum("qd,de,ke->qk", q, W, k))


def test_additive_matches_loop(rng):
    q, k = rng.normal(size=(3, 4)), rng.normal(size=(5, 6))
    Wq, Wk, wv = rng.normal(size=(4, 8)), rng.normal(size=(6, 8)), rng.normal(size=8)
    got = ac.additive_score(q, k, Wq, Wk, wv)
    ref = np.array([[wv @ np.tanh(qi @ Wq + kj @ Wk) for kj in k] for qi in q])
    np.testing.assert_allclose(got, ref)


@given(st.floats(0.1, 10), st.floats(0.1, 10), st.integers(0, 1000))
def test_cosine_ignores_length(a, b, seed):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(size=(2, 3)), rng.normal(size=(4, 3))
    np.testing.assert_allclose(ac.cosine_score(a * q, b * k), ac.cosine_score(q, k), atol=1e-10)
    assert np.all(np.abs(ac.cosine_score(q, k)) <= 1 + 1e-12)


def test_dot_prefers_long_keys(rng):
    q = rng.normal(size=(1, 3))
    k = np.vstack([q[0], 3 * q[0]])  # same direction, three times longer
    assert ac.dot_score(q, k)[0, 1] == pytest.approx(3 * ac.dot_score(q, k)[0, 0])
    np.testing.assert_allclose(ac.cosine_score(q, k)[0], [1.0, 1.0])


def test_location_ignores_keys(rng):
    q, W = rng.normal(size=(3, 4)), rng.normal(size=(4, 6))
    np.testing.assert_allclose(ac.location_score(q, W), q @ W)


def test_torch_and_numpy_agree(qk, rng):
    q, k = qk
    Wq, Wk, wv = rng.normal(size=(4, 8)), rng.normal(size=(4, 8)), rng.normal(size=8)
    t = torch.from_numpy
    for fn, args in [
        (ac.dot_score, ()),
        (ac.scaled_dot_score, ()),
        (ac.cosine_score, ()),
        (ac.general_score, (np.eye(4),)),
        (ac.additive_score, (Wq, Wk, wv)),
    ]:
        got = fn(t(q), t(k), *map(t, args))
        assert isinstance(got, torch.Tensor)
        np.testing.assert_allclose(got.numpy(), fn(q, k, *args), atol=1e-12)


def test_scaled_dot_variance_is_near_one(rng):
    d = 256
    q, k = rng.normal(size=(2000, d)), rng.normal(size=(2000, d))
    s = np.sum(q * k, -1)
    assert np.var(s) == pytest.approx(d, rel=0.1)
    assert np.var(s / math.sqrt(d)) == pytest.approx(1.0, rel=0.1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ac.dot_score(np.zeros((2, 3)), np.zeros((2, 4))), r"q.*\(2, 3\).*k.*\(2, 4\)"),
        (lambda: ac.general_score(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((4, 3))), "W must have shape"),
        (lambda: ac.additive_score(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((3, 5)), np.zeros((3, 5)), np.zeros(5)), "W_k"),
        (lambda: ac.additive_score(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((3, 5)), np.zeros((4, 5)), np.zeros(4)), "w_v"),
        (lambda: ac.location_score(np.zeros((2, 3)), np.zeros((4, 5))), "W must have shape"),
    ],
)
def test_errors_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _params(d_q, d_k, n_k, d_a, rng):
    return {"W": rng.normal(size=(d_q, d_k)), "W_q": rng.normal(size=(d_q, d_a)),
            "W_k": rng.normal(size=(d_k, d_a)), "w_v": rng.normal(size=d_a),
            "W_loc": rng.normal(size=(d_q, n_k))}


@pytest.mark.parametrize("name", SCORE_NAMES)
def test_dispatcher_calls_the_named_score(name, rng):
    """score(name, ...) is the one dispatcher: it equals the named function, NumPy and torch."""
    q, k = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    p = _params(4, 4, 5, 6, rng)
    want = {
        "dot": lambda: ac.dot_score(q, k),
        "scaled_dot": lambda: ac.scaled_dot_score(q, k),
        "general": lambda: ac.general_score(q, k, p["W"]),
        "additive": lambda: ac.additive_score(q, k, p["W_q"], p["W_k"], p["w_v"]),
        "cosine": lambda: ac.cosine_score(q, k),
        "location": lambda: ac.location_score(q, p["W_loc"]),
    }[name]()
    np.testing.assert_array_equal(score(name, q, k, p), want)
    pt = {key: torch.from_numpy(v) for key, v in p.items()}
    got_t = score(name, torch.from_numpy(q), torch.from_numpy(k), pt)
    assert isinstance(got_t, torch.Tensor)
    np.testing.assert_allclose(got_t.numpy(), want, atol=1e-12)
    needed = SCORE_PARAMETERS[name]
    if needed:
        with pytest.raises(ValueError, match=needed[0]):
            score(name, q, k, {key: v for key, v in p.items() if key != needed[0]})


def test_dispatcher_rejects_unknown_names():
    with pytest.raises(ValueError, match="score must be one of"):
        score("bilinear", np.zeros((2, 3)), np.zeros((2, 3)))
