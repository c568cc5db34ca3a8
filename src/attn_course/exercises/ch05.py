"""Checkers for chapter 5 (softmax, temperature, masks, online softmax).

Each takes the learner's NumPy function and returns a :class:`CheckResult`
saying what is wrong, e.g. "not stable at large logits" or "masked entries are not zero".
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.online_softmax import online_softmax
from ..core.softmax import softmax
from ._base import Checker, CheckResult, _np

__all__ = ["check_masked_softmax", "check_online_softmax", "check_softmax"]


def _call(fn: Callable[..., Any], *args: Any) -> np.ndarray:
    with warnings.catch_warnings():
        # Report an overflow as a problem, not as a warning.
        warnings.simplefilter("ignore", RuntimeWarning)
        return _np(fn(*args))


def check_softmax(fn: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check ``fn(x)``: a softmax over the last axis of a NumPy array of any shape."""
    c = Checker("check_softmax")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 5))
    with c.case("shape of a (3, 5) input"):
        c.shape(_call(fn, x), (3, 5), "the output")
    with c.case("values on a (3, 5) input"):
        p = _call(fn, x)
        c.close(p.sum(-1), np.ones(3), "the row sums (each row must sum to 1 over the last axis)",
                atol=1e-9)
        c.close(p, softmax(x), "the weights")
    with c.case("a 1-d input"):
        v = np.array([1.0, 2.0, 3.0])
        c.close(_call(fn, v), softmax(v), "softmax([1, 2, 3])")
    with c.case("stability at large logits"):
        big = np.array([[1000.0, 999.0, 998.0]])
        p = _call(fn, big)
        c.expect(bool(np.all(np.isfinite(p))),
                 "not stable at large logits: softmax([1000, 999, 998]) gave NaN or inf — "
                 "subtract the row maximum before exp")
        c.close(p, softmax(big), "softmax([1000, 999, 998])")
    with c.case("very negative logits"):
        small = np.array([[-1000.0, -1001.0]])
        p = _call(fn, small)
        c.expect(bool(np.all(np.isfinite(p))),
                 "softmax([-1000, -1001]) gave NaN (0/0): subtract the row maximum")
        c.close(p, softmax(small), "softmax([-1000, -1001])")
    with c.case("shift invariance"):
        c.close(_call(fn, x + 50.0), _call(fn, x), "softmax(x + 50) − softmax(x)", atol=1e-9)
    return c.result()


def check_masked_softmax(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Check ``fn(x, mask)``: softmax over the last axis where ``mask`` (True = keep) is True.

    Masked entries must be exactly 0, the kept ones sum to 1, and a fully masked
    row must come out as zeros (not NaN).
    """
    c = Checker("check_masked_softmax")
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 4)) * 3
    mask = np.array([[True, True, False, True], [False, True, True, False],
                     [True, False, False, False]])
    with c.case("shape"):
        c.shape(_call(fn, x, mask), (3, 4), "the output")
    with c.case("masked entries"):
        p = _call(fn, x, mask)
        c.expect(bool(np.all(p[~mask] == 0)),
                 f"masked entries are not zero: got {np.round(p[~mask], 4).tolist()}")
    with c.case("kept entries"):
        c.close(_call(fn, x, mask), softmax(x, mask=mask), "the weights of the kept entries")
    with c.case("a fully masked row"):
        m2 = mask.copy()
        m2[1] = False
        p = _call(fn, x, m2)
        c.expect(bool(np.all(np.isfinite(p[1]))),
                 "a fully masked row gave NaN: when nothing is kept, return zeros for that row")
        c.expect(bool(np.all(p[1] == 0)), f"a fully masked row should be all zeros, got {p[1]}")
        c.close(p[[0, 2]], softmax(x, mask=m2)[[0, 2]], "the other rows")
    with c.case("stability at large logits"):
        big = np.array([[1000.0, 990.0, 5.0]])
        p = _call(fn, big, np.array([[True, True, False]]))
        c.close(p, softmax(big, mask=np.array([[True, True, False]])),
                "softmax of [1000, 990, masked]")
    return c.result()


def check_online_softmax(fn: Callable[[np.ndarray, int], Any]) -> CheckResult:
    """Check ``fn(x, block_size)``: a streaming softmax of a 1-d ``x`` that equals the softmax."""
    c = Checker("check_online_softmax")
    rng = np.random.default_rng(11)
    x = rng.normal(size=10) * 4
    for b in (1, 3, 4, 10, 16):
        with c.case(f"block_size={b}"):
            p = _call(fn, x, b)
            c.shape(p, (10,), "the output")
            c.close(p, softmax(x), f"the weights with block_size={b}"
                    + (" (10 is not a multiple of it: handle a shorter last block)"
                       if 10 % b else ""))
    with c.case("the maximum arrives late (needs the rescale step)"):
        y = np.array([0.0, 1.0, 2.0, 50.0, 3.0])
        c.close(_call(fn, y, 2), online_softmax(y, 2),
                "the weights when a later block raises the maximum — did you multiply the "
                "running sum by exp(m_old − m_new)?")
    with c.case("stability at large logits"):
        y = np.array([1000.0, 999.0, 1001.0, 998.0])
        p = _call(fn, y, 2)
        c.expect(bool(np.all(np.isfinite(p))), "gave NaN or inf at logits around 1000")
        c.close(p, softmax(y), "the weights at logits around 1000")
    return c.result()
