"""The chapter 7 exercise checkers (``attn_course.exercises.ch07``), with right and wrong answers."""

from __future__ import annotations

import numpy as np

from attn_course.exercises.ch07 import (
    check_mha_flops,
    check_previous_token_score,
    check_split_merge,
)
from attn_course.experiments.multi_head import mha_flops, previous_token_score


def _problems(result):
    assert not result, f"{result.name} should fail"
    assert "❌" in str(result)
    return " ".join(result.problems)


def _split(x, H):
    B, N, d = x.shape
    return x.reshape(B, N, H, d // H).transpose(1, 2)


def _merge(h):
    B, H, N, d_k = h.shape
    return h.transpose(1, 2).reshape(B, N, H * d_k)


def test_split_merge_checker():
    assert check_split_merge(_split, _merge)

    def naive_split(x, H):
        B, N, d = x.shape
        return x.reshape(B, H, N, d // H)

    def naive_merge(h):
        B, H, N, d_k = h.shape
        return h.reshape(B, N, H * d_k)

    assert "mix tokens" in _problems(check_split_merge(naive_split, naive_merge))


def test_mha_flops_checker():
    assert check_mha_flops(lambda a, b, d, h: mha_flops(a, b, d, h)["total"])
    assert "2 FLOPs" in _problems(check_mha_flops(lambda a, b, d, h: mha_flops(a, b, d, h)["total"] // 2))
    no_proj = check_mha_flops(lambda a, b, d, h: 4 * a * b * d)
    assert "projections" in _problems(no_proj)

    def per_head(a, b, d, h):  # forgets that there are h heads
        f = mha_flops(a, b, d, h)
        return f["projections"] + (f["scores"] + f["weighted_sum"]) // h

    assert "expected" in _problems(check_mha_flops(per_head))


def test_previous_token_score_checker():
    assert check_previous_token_score(lambda w: previous_token_score(np.asarray(w)))

    def including_first(w):
        w = np.asarray(w)
        sub = np.diagonal(w, -1, -2, -1)
        return sub.sum(-1) / w.shape[-1]

    assert "query 0" in _problems(check_previous_token_score(including_first))
    next_token = check_previous_token_score(lambda w: np.diagonal(np.asarray(w), 1, -2, -1).mean(-1))
    assert "next" in _problems(next_token)
