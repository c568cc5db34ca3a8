"""The chapter 8 exercise checkers (``attn_course.exercises.ch08``), with right and wrong answers."""

from __future__ import annotations

import torch

from attn_course.core.softmax import softmax
from attn_course.exercises.ch08 import (
    check_bahdanau_step,
    check_score_parameters,
    check_word_accuracy,
)


def _step(s_prev, ann, W_q, W_k, w_v, lengths, *, use_mask=True):
    scores = torch.tanh((s_prev @ W_q)[:, None, :] + ann @ W_k) @ w_v  # (B, N)
    mask = torch.arange(ann.shape[1])[None, :] < lengths[:, None]
    w = softmax(scores, mask=mask if use_mask else None)
    return (w[:, :, None] * ann).sum(1), w


def test_bahdanau_step() -> None:
    assert check_bahdanau_step(_step)
    bad = check_bahdanau_step(lambda *a: _step(*a, use_mask=False))
    assert not bad and "padded positions" in str(bad)


def test_word_accuracy() -> None:
    def right(pred, ref):
        return sum(p == r for p, r in zip(pred, ref)) / max(len(pred), len(ref), 1)

    def wrong(pred, ref):  # ignores extra words
        return sum(p == r for p, r in zip(pred, ref)) / len(ref)

    assert check_word_accuracy(right)
    bad = check_word_accuracy(wrong)
    assert not bad and "too-long" in str(bad)


def test_score_parameters() -> None:
    def right(kind, d):
        return {"dot": 0, "general": d * d, "additive": 2 * d * d + d}[kind]

    assert check_score_parameters(right)
    bad = check_score_parameters(lambda kind, d: {"dot": 0, "general": d * d, "additive": 2 * d * d}[kind])
    assert not bad and "additive" in str(bad) and "the module has" in str(bad)
