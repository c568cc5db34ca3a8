"""Checkers for chapter 3 (the alignment-score family)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.scores import additive_score, cosine_score, dot_score, general_score
from ._base import Checker, CheckResult, _np

__all__ = ["check_additive_score", "check_cosine_score", "check_general_score"]


def _data(seed: int, n_q: int = 3, n_k: int = 5, d_q: int = 4, d_k: int = 4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_q, d_q)), rng.normal(size=(n_k, d_k)) * 2, rng


def check_cosine_score(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Check ``fn(q, k)``: cosine similarities ``(n_q, n_k)`` of ``q (n_q, d)``, ``k (n_k, d)``."""
    c = Checker("check_cosine_score")
    q, k, _ = _data(1)
    with c.case("shape"):
        c.shape(_np(fn(q, k)), (3, 5), "scores of 3 queries against 5 keys")
    with c.case("values"):
        got = _np(fn(q, k))
        if got.shape == (5, 3):
            raise AssertionError("the output is transposed: rows must be queries, columns keys")
        c.shape(got, (3, 5), "the scores")
        if np.allclose(got, dot_score(q, k), atol=1e-9):
            raise AssertionError("these are plain dot products: divide by both vectors' norms")
        c.close(got, cosine_score(q, k), "the scores")
    with c.case("range"):
        got = _np(fn(q, k))
        c.expect(bool(np.all(np.abs(got) <= 1 + 1e-9)),
                 f"cosine similarities lie in [-1, 1], got values up to {np.abs(got).max():.3g}")
    with c.case("ignores the keys' lengths"):
        c.close(_np(fn(q, 10.0 * k)), _np(fn(q, k)), "the change when every key is made 10× longer",
                atol=1e-9)
    with c.case("a vector pointing the same way scores 1"):
        c.close(_np(fn(k[:1] * 0.3, k)), cosine_score(k[:1], k), "cos(0.3·k₀, k)")
    return c.result()


def check_general_score(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Check ``fn(q, k, W)``: the bilinear score ``q W kᵀ`` with ``W`` of shape ``(d_q, d_k)``."""
    c = Checker("check_general_score")
    q, k, rng = _data(2, d_q=3, d_k=6)
    W = rng.normal(size=(3, 6))
    with c.case("different query and key sizes (d_q=3, d_k=6)"):
        got = _np(fn(q, k, W))
        c.shape(got, (3, 5), "scores of 3 queries against 5 keys")
        c.close(got, general_score(q, k, W), "the scores")
    with c.case("W = identity gives the dot product"):
        q2, k2, _ = _data(3)
        c.shape(_np(fn(q2, k2, np.eye(4))), (3, 5), "scores of 3 queries against 5 keys")
        c.close(_np(fn(q2, k2, np.eye(4))), dot_score(q2, k2), "q I kᵀ")
    with c.case("a non-symmetric W (the order of q and k matters)"):
        q2, k2, _ = _data(4)
        W2 = np.triu(np.ones((4, 4)))
        c.shape(_np(fn(q2, k2, W2)), (3, 5), "scores of 3 queries against 5 keys")
        c.close(_np(fn(q2, k2, W2)), general_score(q2, k2, W2),
                "q W kᵀ for an upper-triangular W — is W transposed?")
    return c.result()


def check_additive_score(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(q, k, W_q, W_k, w_v)``: ``w_vᵀ tanh(q W_q + k W_k)``, shape ``(n_q, n_k)``."""
    c = Checker("check_additive_score")
    q, k, rng = _data(5, d_q=3, d_k=4)
    W_q, W_k, w_v = rng.normal(size=(3, 7)), rng.normal(size=(4, 7)), rng.normal(size=7)
    with c.case("shape (every query against every key)"):
        c.shape(_np(fn(q, k, W_q, W_k, w_v)), (3, 5), "scores of 3 queries against 5 keys")
    with c.case("values"):
        got = _np(fn(q, k, W_q, W_k, w_v))
        no_tanh = (np.expand_dims(q @ W_q, 1) + np.expand_dims(k @ W_k, 0)) @ w_v
        if np.shape(got) == no_tanh.shape and np.allclose(got, no_tanh, atol=1e-9):
            raise AssertionError("the tanh is missing: without it the score is linear in q and k")
        c.close(got, additive_score(q, k, W_q, W_k, w_v), "the scores")
    with c.case("bounded by ‖w_v‖₁"):
        got = _np(fn(10 * q, 10 * k, W_q, W_k, w_v))
        c.expect(bool(np.all(np.abs(got) <= np.abs(w_v).sum() + 1e-9)),
                 "scores must stay within ±‖w_v‖₁ (tanh is bounded), even for long inputs")
    return c.result()
