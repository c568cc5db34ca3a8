"""Checkers for chapter 6's exercises (self-attention, cross-attention, sinusoidal positions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.attention import cross_attention, self_attention
from ..core.positions import sinusoidal_encoding
from ._base import Checker, CheckResult

__all__ = ["check_cross_attention", "check_self_attention", "check_sinusoidal_encoding"]


def _data(seed: int, n_q: int, n_k: int, d_model: int, d_k: int, d_v: int):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n_q, d_model)), rng.normal(size=(n_k, d_model)),
            rng.normal(size=(d_model, d_k)), rng.normal(size=(d_model, d_k)),
            rng.normal(size=(d_model, d_v)))


def check_self_attention(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(X (N, d_model), W_q, W_k (d_model, d_k), W_v (d_model, d_v)) -> (out, weights)``.

    ``out (N, d_v)`` and ``weights (N, N)`` must equal ``softmax(Q Kᵀ / √d_k)`` and
    ``weights @ V`` with ``Q, K, V = X W_q, X W_k, X W_v``, stay finite for large inputs,
    and work when ``d_v ≠ d_k``.
    """
    c = Checker("check_self_attention")
    X, _, W_q, W_k, W_v = _data(0, 5, 5, 6, 4, 3)
    ref_out, ref_w = self_attention(X, W_q, W_k, W_v)
    with c.case("shapes: out (N, d_v), weights (N, N)"):
        out, w = fn(X, W_q, W_k, W_v)
        c.shape(out, (5, 3), "out")
        c.shape(w, (5, 5), "weights")
    with c.case("each row of the weights sums to 1 (softmax over the keys, axis -1)"):
        _, w = fn(X, W_q, W_k, W_v)
        c.close(np.sum(np.asarray(w, float), axis=-1), np.ones(5), "the row sums", atol=1e-6)
    with c.case("the weights are softmax(Q Kᵀ / √d_k)"):
        _, w = fn(X, W_q, W_k, W_v)
        unscaled = self_attention(X, W_q * np.sqrt(np.sqrt(4)), W_k * np.sqrt(np.sqrt(4)), W_v)[1]
        if np.allclose(np.asarray(w, float), unscaled, atol=1e-6):
            raise AssertionError("the weights miss the 1/√d_k scaling of the scores")
        c.close(w, ref_w, "the weights")
    with c.case("the output is the weighted sum of the values X W_v"):
        out, _ = fn(X, W_q, W_k, W_v)
        c.close(out, ref_out, "out")
    with c.case("large inputs (scores ~1e4) stay finite"):
        out, w = fn(100 * X, W_q, W_k, W_v)
        c.expect(bool(np.all(np.isfinite(np.asarray(w, float)))),
                 "weights are NaN or inf: use a stable softmax (subtract the row maximum)")
        c.close(w, self_attention(100 * X, W_q, W_k, W_v)[1], "the weights", atol=1e-6)
    return c.result()


def check_cross_attention(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(X_q (n_q, d), X_kv (n_k, d), W_q, W_k, W_v) -> (out, weights)``.

    Queries come from ``X_q``; keys and values from ``X_kv``: ``weights (n_q, n_k)``,
    ``out (n_q, d_v)``.
    """
    c = Checker("check_cross_attention")
    X_q, X_kv, W_q, W_k, W_v = _data(1, 3, 7, 5, 4, 2)
    ref_out, ref_w = cross_attention(X_q, X_kv, W_q, W_k, W_v)
    with c.case("shapes: weights (n_q, n_k) = (3, 7), out (n_q, d_v) = (3, 2)"):
        out, w = fn(X_q, X_kv, W_q, W_k, W_v)
        if np.shape(w) == (7, 3):
            raise AssertionError("weights have shape (n_k, n_q): the queries must come from "
                                 "X_q and the keys from X_kv")
        c.shape(w, (3, 7), "weights")
        c.shape(out, (3, 2), "out")
    with c.case("weights and output match softmax((X_q W_q)(X_kv W_k)ᵀ / √d_k) X_kv W_v"):
        out, w = fn(X_q, X_kv, W_q, W_k, W_v)
        c.close(w, ref_w, "the weights")
        c.close(out, ref_out, "out")
    with c.case("with X_q = X_kv it is self-attention"):
        out, w = fn(X_kv, X_kv, W_q, W_k, W_v)
        c.close(w, self_attention(X_kv, W_q, W_k, W_v)[1], "the weights")
    return c.result()


def check_sinusoidal_encoding(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(N, d_model) -> (N, d_model)`` against Vaswani et al.'s table.

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d_model))``, ``PE[pos, 2i+1] = cos(…)``.
    """
    c = Checker("check_sinusoidal_encoding")
    with c.case("shape (N, d_model)"):
        c.shape(fn(10, 6), (10, 6), "the table")
    with c.case("position 0 is [0, 1, 0, 1, …] (sin 0 = 0 in even, cos 0 = 1 in odd columns)"):
        row0 = np.asarray(fn(3, 8), float)[0]
        if np.allclose(row0, [1, 0] * 4):
            raise AssertionError("sines and cosines are swapped: even columns hold the sines")
        c.close(row0, [0, 1] * 4, "row 0")
    with c.case("matches the formula for N=50, d_model=16"):
        got = np.asarray(fn(50, 16), float)
        want = sinusoidal_encoding(50, 16)
        if got.shape == want.shape and not np.allclose(got, want, atol=1e-6):
            blocked = np.concatenate([np.sin(_angles(50, 16)), np.cos(_angles(50, 16))], 1)
            if np.allclose(got, blocked, atol=1e-6):
                raise AssertionError("all sines come first, then all cosines: interleave them "
                                     "(sin in column 2i, cos in column 2i+1)")
        c.close(got, want, "the table", atol=1e-6)
    with c.case("the frequency exponent is 2i / d_model (the same pair index for sin and cos)"):
        c.close(fn(20, 4), sinusoidal_encoding(20, 4), "the table for d_model = 4", atol=1e-6)
    return c.result()


def _angles(N: int, d: int) -> np.ndarray:
    return np.arange(N)[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d)  # (N, d/2)
