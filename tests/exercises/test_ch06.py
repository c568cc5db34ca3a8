"""The chapter 6 exercise checkers (``attn_course.exercises.ch06``), with right and wrong answers."""

from __future__ import annotations

import numpy as np

from attn_course.core.attention import cross_attention, self_attention
from attn_course.core.positions import sinusoidal_encoding
from attn_course.core.softmax import softmax
from attn_course.exercises.ch06 import (
    check_cross_attention,
    check_self_attention,
    check_sinusoidal_encoding,
)


def _problems(result):
    assert not result, f"{result.name} should fail"
    assert "❌" in str(result)
    return " ".join(result.problems)


def test_self_attention_checker():
    assert check_self_attention(lambda X, Wq, Wk, Wv: self_attention(X, Wq, Wk, Wv))

    def unscaled(X, Wq, Wk, Wv):
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        w = softmax(Q @ K.T, axis=-1)
        return w @ V, w

    assert "1/√d_k" in _problems(check_self_attention(unscaled))

    def naive(X, Wq, Wk, Wv):
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        with np.errstate(all="ignore"):
            e = np.exp(Q @ K.T / np.sqrt(Q.shape[-1]))
            w = e / e.sum(-1, keepdims=True)
        return w @ V, w

    assert "stable softmax" in _problems(check_self_attention(naive))

    def wrong_axis(X, Wq, Wk, Wv):
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        w = softmax(Q @ K.T / np.sqrt(Q.shape[-1]), axis=0)
        return w @ V, w

    assert "row sums" in _problems(check_self_attention(wrong_axis))


def test_cross_attention_checker():
    assert check_cross_attention(cross_attention)

    def swapped(Xq, Xkv, Wq, Wk, Wv):
        return cross_attention(Xkv, Xq, Wq, Wk, Wv)

    assert "X_q" in _problems(check_cross_attention(swapped))


def test_sinusoidal_checker():
    assert check_sinusoidal_encoding(sinusoidal_encoding)

    def swapped(N, d):  # cosines in the even columns, sines in the odd ones
        pairs_swapped = np.arange(d).reshape(-1, 2)[:, ::-1].ravel()
        return sinusoidal_encoding(N, d)[:, pairs_swapped]

    assert "swapped" in _problems(check_sinusoidal_encoding(swapped))

    def blocked(N, d):
        a = np.arange(N)[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d)
        return np.concatenate([np.sin(a), np.cos(a)], 1)

    assert "interleave" in _problems(check_sinusoidal_encoding(blocked))
