"""The chapter 4 exercise checkers (``attn_course.exercises.ch04``), with right and wrong answers."""

from __future__ import annotations

import numpy as np

from attn_course.exercises.ch04 import (
    check_score_variance,
    check_softmax_jacobian,
    check_unit_variance_scale,
)


def _fails_with(result, *phrases):
    assert not result and not result.passed
    text = str(result)
    for p in phrases:
        assert p in text, f"expected {p!r} in:\n{text}"


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
    # row sums off by 0.1: the message names shift invariance
    _fails_with(check_softmax_jacobian(lambda p: np.diag(p) - np.outer(p, p) + 0.1 * np.eye(len(p))),
                "shift invariance")
    # + a bᵀ with Σb = 0: rows still sum to zero, columns do not (they add b_j Σa)
    b = np.array([1.0, -1.0, 1.0, -1.0])
    _fails_with(check_softmax_jacobian(lambda p: np.diag(p) - np.outer(p, p) + np.outer(np.arange(4.0), b)),
                "the column sums")
