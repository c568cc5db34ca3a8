"""The chapter 1 exercise checkers (``attn_course.exercises.ch01``), with right and wrong answers."""

from __future__ import annotations

import numpy as np

from attn_course.exercises.ch01 import check_best_window, check_top_k_mask


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


def test_ch01_top_k():
    assert check_top_k_mask(_top_k)
    _fails_with(check_top_k_mask(lambda s, k: _top_k(-s, k)),
                "select the largest values")
    _fails_with(check_top_k_mask(lambda s, k: np.argsort(-s.ravel())[:k]), "should have shape")
    _fails_with(check_top_k_mask(lambda s, k: _top_k(s, k).astype(int)), "boolean")


def _best(img, size):
    c = np.pad(img, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    s = c[size:, size:] - c[:-size, size:] - c[size:, :-size] + c[:-size, :-size]
    return np.unravel_index(s.argmax(), s.shape)


def test_ch01_best_window():
    assert check_best_window(_best)
    _fails_with(check_best_window(lambda img, s: tuple(np.add(_best(img, s), s // 2))), "centre")
    _fails_with(check_best_window(lambda img, s: np.unravel_index(img.argmax(), img.shape)),
                "sums to")
