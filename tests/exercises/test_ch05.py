"""The chapter 5 exercise checkers (``attn_course.exercises.ch05``), with right and wrong answers."""

from __future__ import annotations

import numpy as np

from attn_course.exercises.ch05 import check_masked_softmax, check_online_softmax, check_softmax


def _fails_with(result, *phrases):
    assert not result and not result.passed
    text = str(result)
    for p in phrases:
        assert p in text, f"expected {p!r} in:\n{text}"


# --- chapter 5 ------------------------------------------------------------------------------
def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_ch05_softmax():
    assert check_softmax(_softmax)
    _fails_with(check_softmax(lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
                "not stable at large logits")
    _fails_with(check_softmax(lambda x: _softmax(x.ravel()).reshape(x.shape)), "row sums")
    _fails_with(check_softmax(lambda x: _softmax(x)[..., :-1]), "should have shape")


def _masked(x, mask):
    z = np.where(mask, x, -np.inf)
    m = z.max(-1, keepdims=True)
    e = np.exp(z - np.where(np.isfinite(m), m, 0))
    s = e.sum(-1, keepdims=True)
    return e / np.where(s > 0, s, 1)


def test_ch05_masked_softmax():
    assert check_masked_softmax(_masked)
    naive = lambda x, m: _softmax(np.where(m, x, -np.inf))  # noqa: E731
    with np.errstate(invalid="ignore"):
        _fails_with(check_masked_softmax(naive), "fully masked row gave NaN")
    _fails_with(check_masked_softmax(lambda x, m: _softmax(np.where(m, x, -1e9))), "all zeros")
    _fails_with(check_masked_softmax(lambda x, m: _softmax(x)), "masked entries are not zero")


def _stream(x, b, rescale=True):
    m, l = -np.inf, 0.0
    for i in range(0, len(x), b):
        blk = x[i:i + b]
        mn = max(m, blk.max())
        l = (l * np.exp(m - mn) if rescale else l) + np.exp(blk - mn).sum()
        m = mn
    return np.exp(x - m) / l


def test_ch05_online_softmax():
    assert check_online_softmax(_stream)
    _fails_with(check_online_softmax(lambda x, b: _stream(x, b, rescale=False)), "exp(m_old − m_new)")
    _fails_with(check_online_softmax(lambda x, b: _softmax(x[: (len(x) // b) * b] if len(x) >= b else x)),
                "block_size=3")
