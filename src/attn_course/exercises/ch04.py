"""Checkers for chapter 4 (why scores are divided by √d_k)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.softmax import softmax, softmax_jacobian
from ..experiments.scaling import dot_product_variance
from ._base import Checker, CheckResult, _np

__all__ = ["check_score_variance", "check_softmax_jacobian", "check_unit_variance_scale"]

_CASES = [(1, 1.0, 1.0), (64, 1.0, 1.0), (512, 1.0, 1.0), (16, 4.0, 1.0), (32, 0.5, 2.0)]


def check_score_variance(fn: Callable[[int, float, float], Any]) -> CheckResult:
    """Check ``fn(d_k, var_q, var_k)``: the variance of ``q·k`` (independent zero-mean entries)."""
    c = Checker("check_score_variance")
    for d_k, vq, vk in _CASES:
        with c.case(f"d_k={d_k}, var_q={vq}, var_k={vk}"):
            got = float(_np(fn(d_k, vq, vk)))
            want = dot_product_variance(d_k, vq, vk)
            if math.isclose(got, math.sqrt(want), rel_tol=1e-6) and want != 1:
                raise AssertionError(f"got {got:g} = √{want:g}: that is the standard deviation, "
                                     "not the variance")
            if math.isclose(got, float(d_k), rel_tol=1e-6) and want != d_k:
                raise AssertionError(f"got {got:g}: the variances of q's and k's entries "
                                     "must enter too")
            c.close(got, want, "the variance", atol=1e-9 * max(1.0, want))
    with c.case("agrees with a simulation"):
        rng = np.random.default_rng(0)
        q = rng.normal(scale=2.0, size=(20000, 8))
        k = rng.normal(scale=0.5, size=(20000, 8))
        measured = float(np.var(np.sum(q * k, -1)))
        got = float(_np(fn(8, 4.0, 0.25)))
        c.expect(abs(got - measured) < 0.1 * measured,
                 f"for d_k=8, var_q=4, var_k=0.25 you predict {got:g}; 20 000 samples give "
                 f"{measured:.3g}")
    return c.result()


def check_unit_variance_scale(fn: Callable[[int, float, float], Any]) -> CheckResult:
    """Check ``fn(d_k, var_q, var_k)``: the factor ``s`` that makes ``Var(s · q·k) = 1``."""
    c = Checker("check_unit_variance_scale")
    for d_k, vq, vk in _CASES:
        with c.case(f"d_k={d_k}, var_q={vq}, var_k={vk}"):
            s = float(_np(fn(d_k, vq, vk)))
            want = 1.0 / math.sqrt(dot_product_variance(d_k, vq, vk))
            if d_k > 1 and math.isclose(s, want**2, rel_tol=1e-6):
                raise AssertionError(f"got {s:g} = {want:g}²: scaling by s multiplies the "
                                     "variance by s², so divide by the standard deviation")
            var_after = s * s * dot_product_variance(d_k, vq, vk)
            c.expect(math.isclose(var_after, 1.0, rel_tol=1e-6),
                     f"with s = {s:g} the scores' variance is {var_after:.4g}, not 1")
    with c.case("the unit-variance case is 1/√d_k"):
        c.close(float(_np(fn(64, 1.0, 1.0))), 0.125, "the scale for d_k=64", atol=1e-12)
    return c.result()


def check_softmax_jacobian(fn: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check ``fn(p)``: the ``(n, n)`` softmax Jacobian ``∂p_i/∂z_j`` at ``p = softmax(z)``."""
    c = Checker("check_softmax_jacobian")
    p = softmax(np.array([2.0, 0.5, -1.0, 1.0]))
    with c.case("shape"):
        c.shape(_np(fn(p)), (4, 4), "the Jacobian of a length-4 p")
    with c.case("symmetry"):
        J = _np(fn(p))
        c.shape(J, (4, 4), "the Jacobian of a length-4 p")
        c.close(J, J.T, "J − Jᵀ (the softmax Jacobian is symmetric)", atol=1e-12)
    with c.case("rows sum to zero"):
        c.shape(_np(fn(p)), (4, 4), "the Jacobian of a length-4 p")
        c.close(_np(fn(p)).sum(-1), np.zeros(4),
                "the row sums Σ_j ∂p_i/∂z_j (shift invariance: adding the same c to every "
                "score changes no weight)", atol=1e-12)
    with c.case("columns sum to zero"):
        c.shape(_np(fn(p)), (4, 4), "the Jacobian of a length-4 p")
        c.close(_np(fn(p)).sum(-2), np.zeros(4),
                "the column sums Σ_i ∂p_i/∂z_j (the weights always sum to 1, so no change "
                "of a score can change their total)", atol=1e-12)
    with c.case("values"):
        J = _np(fn(p))
        c.shape(J, (4, 4), "the Jacobian of a length-4 p")
        if np.allclose(J, np.diag(p), atol=1e-9):
            raise AssertionError("you returned diag(p): the −p pᵀ term is missing")
        c.close(J, softmax_jacobian(p), "the Jacobian", atol=1e-9)
    with c.case("one-hot weights give a zero Jacobian"):
        c.close(_np(fn(np.array([0.0, 1.0, 0.0]))), np.zeros((3, 3)), "J at p = (0, 1, 0)",
                atol=1e-12)
    return c.result()
