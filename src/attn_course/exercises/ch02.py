"""Checkers for chapter 2's exercises (soft lookup, Nadaraya–Watson, how cold is "nearest")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.retrieval import nadaraya_watson, soft_lookup
from ._base import Checker, CheckResult

__all__ = ["check_cold_temperature", "check_nadaraya_watson", "check_soft_lookup"]


def check_soft_lookup(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(query (d,), keys (n_k, d), values (n_k,), temperature) -> (value, weights)``.

    It must return the softmax-of-negative-squared-distance weights and their
    weighted sum of values, stay finite for far-away keys, and approach the
    nearest key's value as the temperature goes to zero.
    """
    c = Checker("check_soft_lookup")
    rng = np.random.default_rng(0)
    keys, values = rng.normal(size=(6, 2)), rng.normal(size=6)
    q = rng.normal(size=2)
    with c.case("matches the reference on a small store"):
        value, weights = fn(q, keys, values, 0.7)
        ref_v, ref_w = soft_lookup(q, keys, values, temperature=0.7)
        c.shape(weights, (6,), "weights")
        c.close(np.sum(weights), 1.0, "the sum of the weights")
        c.close(weights, ref_w, "the weights")
        c.close(value, ref_v, "the retrieved value")
    with c.case("far-away keys (squared distances ~1e6) stay finite"):
        far = keys * 1000.0
        value, weights = fn(q, far, values, 1.0)
        c.expect(
            bool(np.all(np.isfinite(np.asarray(weights, float)))),
            "weights are NaN or inf: subtract the largest score before exponentiating",
        )
        c.close(weights, soft_lookup(q, far, values, temperature=1.0)[1], "the weights")
    with c.case("a tiny temperature returns the nearest key's value"):
        value, _ = fn(q, keys, values, 1e-4)
        nearest = values[np.argmin(((keys - q) ** 2).sum(-1))]
        c.close(value, nearest, "the retrieved value", atol=1e-4)
    with c.case("a huge temperature returns the mean of the values"):
        value, _ = fn(q, keys, values, 1e8)
        c.close(value, values.mean(), "the retrieved value", atol=1e-4)
    return c.result()


def check_nadaraya_watson(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(x_query (n_q,), x_train (n_k,), y_train (n_k,), bandwidth) -> y_hat (n_q,)``."""
    c = Checker("check_nadaraya_watson")
    rng = np.random.default_rng(1)
    x, y = np.sort(rng.uniform(0, 5, 30)), rng.normal(size=30)
    xq = np.linspace(0, 5, 7)
    ref, _ = nadaraya_watson(xq, x, y, bandwidth=0.4)
    with c.case("returns one prediction per query"):
        c.shape(fn(xq, x, y, 0.4), (7,), "y_hat")
    with c.case("matches the Gaussian-kernel weighted average"):
        out = fn(xq, x, y, 0.4)
        c.close(out, ref, "y_hat", atol=1e-8)
    with c.case("uses the bandwidth as the kernel's standard deviation h (exp(-(x-x_i)²/(2h²)))"):
        out = fn(xq, x, y, 1.3)
        c.close(out, nadaraya_watson(xq, x, y, bandwidth=1.3)[0], "y_hat with h = 1.3", atol=1e-8)
    with c.case("a query far from the data stays finite"):
        out = fn(np.array([80.0]), x, y, 0.1)
        c.expect(bool(np.all(np.isfinite(np.asarray(out, float)))),
                 "y_hat is NaN: the kernel underflows to 0/0 — subtract the max score first")
    return c.result()


POWERS = range(3, -9, -1)  # the temperatures 10³ … 10⁻⁸ the exercise scans, warmest first


def _cold_temperature(query: Any, keys: Any, values: Any, tol: float) -> float | None:
    """The largest ``10**k`` (``k`` from 3 down to -8) at which soft lookup's answer is within
    ``tol`` of the nearest key's value, or None."""
    nearest = values[np.argmin(((keys - query) ** 2).sum(-1))]
    for k in POWERS:
        value, _ = soft_lookup(query, keys, values, temperature=10.0**k)
        if abs(value - nearest) < tol:
            return 10.0**k
    return None


def check_cold_temperature(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(query (d,), keys (n_k, d), values (n_k,), tol) -> tau``.

    ``tau`` must be the largest temperature ``10**k`` (``k`` an integer from 3 down to -8)
    at which the soft-lookup answer is within ``tol`` of the nearest key's value. The cases
    include a store whose two nearest keys are almost tied, which needs a far colder
    temperature, and a smaller tolerance on it.
    """
    c = Checker("check_cold_temperature")
    rng = np.random.default_rng(2)
    keys, values = rng.normal(size=(8, 2)), rng.normal(size=8)
    q = np.array([0.5, -0.5])
    tied = keys.copy()
    order = np.argsort(((keys - q) ** 2).sum(-1))
    # move the runner-up to almost the winner's distance: the gap d2² - d1² becomes ~1e-4
    d1, d2 = (np.sqrt(((keys[order[i]] - q) ** 2).sum()) for i in (0, 1))
    tied[order[1]] = q + (keys[order[1]] - q) * (d1 + 2e-5) / d2
    cases = [("the chapter's kind of store, tolerance 1e-3", keys, 1e-3),
             ("two nearly tied keys need a far colder temperature", tied, 1e-3),
             ("and a smaller tolerance, 1e-6, a colder one still", tied, 1e-6)]
    for description, k_, tol in cases:
        with c.case(description):
            want = _cold_temperature(q, k_, values, tol)
            got = fn(q, k_, values, tol)
            c.expect(got is not None, "returned None, but a temperature in 1e3 … 1e-8 works")
            c.close(np.log10(float(got)), np.log10(want), "log10 of the temperature", atol=1e-9)
    return c.result()
