"""The chapter 3 exercise checkers (``attn_course.exercises.ch03``), with right and wrong answers."""

from __future__ import annotations

import numpy as np

from attn_course.exercises.ch03 import check_additive_score, check_cosine_score, check_general_score


def _fails_with(result, *phrases):
    assert not result and not result.passed
    text = str(result)
    for p in phrases:
        assert p in text, f"expected {p!r} in:\n{text}"


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
