"""Part I checkers (chapters 1, 3, 4, 5): a right solution passes, a wrong one fails helpfully."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.exercises.ch01 import check_best_window, check_top_k_mask
from attn_course.exercises.ch03 import check_additive_score, check_cosine_score, check_general_score
from attn_course.exercises.ch04 import (
    check_score_variance,
    check_softmax_jacobian,
    check_unit_variance_scale,
)
from attn_course.exercises.ch05 import check_masked_softmax, check_online_softmax, check_softmax


def _fails_with(result, *phrases):
    assert not result and not result.passed
    text = str(result)
    for p in phrases:
        assert p in text, f"expected {p!r} in:\n{text}"


# --- chapter 1 ------------------------------------------------------------------------------
def _top_k(s, k):
    m = np.zeros(s.size, bool)
    m[np.argsort(-s.ravel(), kind="stable")[:k]] = True
    return m.reshape(s.shape)


def _best(img, size):
    c = np.pad(img, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    s = c[size:, size:] - c[:-size, size:] - c[size:, :-size] + c[:-size, :-size]
    return np.unravel_index(s.argmax(), s.shape)


def test_ch01_top_k():
    assert check_top_k_mask(_top_k)
    _fails_with(check_top_k_mask(lambda s, k: _top_k(-s, k)),
                "select the largest values")
    _fails_with(check_top_k_mask(lambda s, k: np.argsort(-s.ravel())[:k]), "should have shape")
    _fails_with(check_top_k_mask(lambda s, k: _top_k(s, k).astype(int)), "boolean")


def test_ch01_best_window():
    assert check_best_window(_best)
    _fails_with(check_best_window(lambda img, s: tuple(np.add(_best(img, s), s // 2))), "centre")
    _fails_with(check_best_window(lambda img, s: np.unravel_index(img.argmax(), img.shape)),
                "sums to")


# --- chapter 3 ------------------------------------------------------------------------------
def _cos(q, k):
    return (q / np.linalg.norm(q, axis=1, keepdims=True)) @ (k / np.linalg.norm(k, axis=1, keepdims=True)).T


def test_ch03_cosine():
    assert check_cosine_score(_cos)
    _fails_with(check_cosine_score(lambda q, k: q @ k.T), "plain dot products", "[-1, 1]")
    _fails_with(check_cosine_score(lambda q, k: _cos(q, k).T), "transposed")


def test_ch03_general():
    assert check_general_score(lambda q, k, W: q @ W @ k.T)
    _fails_with(check_general_score(lambda q, k, W: q @ k.T), "raised")
    _fails_with(check_general_score(lambda q, k, W: (q @ W.T @ k.T) if W.shape[0] == W.shape[1] else q @ W @ k.T),
                "is W transposed")


def test_ch03_additive():
    ok = lambda q, k, A, B, w: np.tanh((q @ A)[:, None] + (k @ B)[None]) @ w  # noqa: E731
    assert check_additive_score(ok)
    _fails_with(check_additive_score(lambda q, k, A, B, w: ((q @ A)[:, None] + (k @ B)[None]) @ w),
                "tanh is missing")
    _fails_with(check_additive_score(lambda q, k, A, B, w: ok(q, k, A, B, w).T), "should have shape")


# --- chapter 4 ------------------------------------------------------------------------------
def test_ch04_variance_and_scale():
    assert check_score_variance(lambda d, a, b: d * a * b)
    _fails_with(check_score_variance(lambda d, a, b: np.sqrt(d * a * b)), "standard deviation")
    _fails_with(check_score_variance(lambda d, a, b: d), "must enter too")
    assert check_unit_variance_scale(lambda d, a, b: 1 / np.sqrt(d * a * b))
    _fails_with(check_unit_variance_scale(lambda d, a, b: 1 / (d * a * b)), "divide by the standard deviation")
    _fails_with(check_unit_variance_scale(lambda d, a, b: 1 / np.sqrt(d)), "not 1")


def test_ch04_jacobian():
    assert check_softmax_jacobian(lambda p: np.diag(p) - np.outer(p, p))
    _fails_with(check_softmax_jacobian(np.diag), "−p pᵀ term is missing")
    _fails_with(check_softmax_jacobian(lambda p: (np.diag(p) - np.outer(p, p))[:, :-1]), "should have shape")


# --- chapter 5 ------------------------------------------------------------------------------
def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _masked(x, mask):
    z = np.where(mask, x, -np.inf)
    m = z.max(-1, keepdims=True)
    e = np.exp(z - np.where(np.isfinite(m), m, 0))
    s = e.sum(-1, keepdims=True)
    return e / np.where(s > 0, s, 1)


def _stream(x, b, rescale=True):
    m, l = -np.inf, 0.0
    for i in range(0, len(x), b):
        blk = x[i:i + b]
        mn = max(m, blk.max())
        l = (l * np.exp(m - mn) if rescale else l) + np.exp(blk - mn).sum()
        m = mn
    return np.exp(x - m) / l


def test_ch05_softmax():
    assert check_softmax(_softmax)
    _fails_with(check_softmax(lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
                "not stable at large logits")
    _fails_with(check_softmax(lambda x: _softmax(x.ravel()).reshape(x.shape)), "row sums")
    _fails_with(check_softmax(lambda x: _softmax(x)[..., :-1]), "should have shape")


def test_ch05_masked_softmax():
    assert check_masked_softmax(_masked)
    naive = lambda x, m: _softmax(np.where(m, x, -np.inf))  # noqa: E731
    with np.errstate(invalid="ignore"):
        _fails_with(check_masked_softmax(naive), "fully masked row gave NaN")
    _fails_with(check_masked_softmax(lambda x, m: _softmax(np.where(m, x, -1e9))), "all zeros")
    _fails_with(check_masked_softmax(lambda x, m: _softmax(x)), "masked entries are not zero")


def test_ch05_online_softmax():
    assert check_online_softmax(_stream)
    _fails_with(check_online_softmax(lambda x, b: _stream(x, b, rescale=False)), "exp(m_old − m_new)")
    _fails_with(check_online_softmax(lambda x, b: _softmax(x[: (len(x) // b) * b] if len(x) >= b else x)),
                "block_size=3")


@pytest.mark.parametrize("checker", [check_softmax, check_masked_softmax, check_online_softmax,
                                     check_softmax_jacobian, check_cosine_score, check_top_k_mask])
def test_a_crashing_solution_is_reported_not_raised(checker):
    def boom(*args):
        raise RuntimeError("oops")

    r = checker(boom)
    assert not r and "RuntimeError: oops" in str(r)
