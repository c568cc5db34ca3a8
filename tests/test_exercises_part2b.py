"""Chapters 8–9: every checker passes a right solution and fails a wrong one helpfully."""

from __future__ import annotations

import math

import torch

from attn_course.core.softmax import softmax
from attn_course.exercises.ch08 import (
    check_bahdanau_step,
    check_score_parameters,
    check_word_accuracy,
)
from attn_course.exercises.ch09 import (
    check_dilated_path_length,
    check_fit_exponent,
    check_layer_flops,
)
from attn_course.experiments.complexity import fit_exponent, layer_flops, max_path_length


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


def test_layer_flops() -> None:
    assert check_layer_flops(layer_flops)

    def wrong(kind, n, d, k):  # forgets the weighted sum of the values
        return 2 * n * n * d if kind == "self-attention" else layer_flops(kind, n, d, k)

    bad = check_layer_flops(wrong)
    assert not bad and "self-attention" in str(bad) and "hint" in str(bad)


def test_fit_exponent() -> None:
    import numpy as np

    assert check_fit_exponent(fit_exponent)
    assert check_fit_exponent(lambda x, y: float(np.polyfit(np.log2(x), np.log2(y), 1)[0]))

    def two_points(x, y):
        return math.log(y[-1] / y[0]) / math.log(x[-1] / x[0])

    bad = check_fit_exponent(two_points)
    assert not bad and "least-squares" in str(bad)


def test_dilated_path_length() -> None:
    assert check_dilated_path_length(lambda n, k: max_path_length("convolutional", n, k))

    def float_log(n, k):
        return max(1, math.ceil(math.log(n) / math.log(k)))

    bad = check_dilated_path_length(float_log)
    assert not bad and "compare integers" in str(bad)
