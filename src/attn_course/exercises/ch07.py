"""Checkers for chapter 7's exercises (head split/merge, FLOPs, previous-token score)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..experiments.multi_head import mha_flops, previous_token_score
from ..layers.multihead import MultiHeadAttention
from ._base import Checker, CheckResult

__all__ = ["check_mha_flops", "check_previous_token_score", "check_split_merge"]


def check_split_merge(split: Callable[..., Any], merge: Callable[..., Any]) -> CheckResult:
    """Check ``split(x (B, N, d_model), n_heads) -> (B, n_heads, N, d_k)`` and its inverse
    ``merge(heads (B, n_heads, N, d_k)) -> (B, N, d_model)``.

    Head ``h`` must hold the columns ``h·d_k … (h+1)·d_k - 1`` of every token, as in
    :meth:`attn_course.layers.multihead.MultiHeadAttention.split_heads`.
    """
    c = Checker("check_split_merge")
    x = torch.arange(2 * 5 * 12, dtype=torch.float32).reshape(2, 5, 12)  # (B, N, d_model)
    ref = MultiHeadAttention(12, 3)
    want = ref.split_heads(x)  # (B, H, N, d_k)
    with c.case("split gives shape (B, n_heads, N, d_k) = (2, 3, 5, 4)"):
        c.shape(split(x, 3), (2, 3, 5, 4), "split(x, 3)")
    with c.case("head h holds columns h·d_k … (h+1)·d_k - 1 of each token"):
        got = split(x, 3)
        wrong = x.reshape(2, 3, 5, 4)  # (B, H, N, d_k) without the transpose: mixes tokens
        if tuple(got.shape) == (2, 3, 5, 4) and torch.equal(torch.as_tensor(got), wrong):
            raise AssertionError("the heads mix tokens: reshape to (B, N, n_heads, d_k) first, "
                                 "then swap the N and n_heads axes")
        c.close(got, want, "split(x, 3)")
    with c.case("merge undoes split and gives (B, N, d_model)"):
        back = merge(split(x, 3))
        c.shape(back, (2, 5, 12), "merge(split(x))")
        c.close(back, x, "merge(split(x))")
    with c.case("merge concatenates the heads along the features (works for any n_heads)"):
        heads = torch.randn(2, 4, 5, 3, generator=torch.Generator().manual_seed(0))
        c.close(merge(heads), MultiHeadAttention(12, 4).merge_heads(heads), "merge(heads)")
    return c.result()


def check_mha_flops(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(n_q, n_k, d_model, n_heads) -> int``: the matmul FLOPs of one call
    (2 per multiply-add; projections W_q, W_k, W_v, W_o, the scores and the weighted sum)."""
    c = Checker("check_mha_flops")
    cases = [(7, 7, 16, 1), (7, 7, 16, 4), (3, 11, 24, 6), (128, 128, 512, 8)]
    for n_q, n_k, d, h in cases:
        with c.case(f"n_q={n_q}, n_k={n_k}, d_model={d}, n_heads={h}"):
            want = mha_flops(n_q, n_k, d, h)
            got = int(fn(n_q, n_k, d, h))
            if got == want["total"] // 2:
                raise AssertionError(f"got {got}, half the answer: count 2 FLOPs per "
                                     "multiply-add")
            if got == want["total"] - want["projections"]:
                raise AssertionError(f"got {got}: the four projections are missing")
            c.expect(got == want["total"], f"expected {want['total']} FLOPs, got {got}")
    with c.case("the count does not depend on n_heads"):
        c.expect(int(fn(9, 9, 48, 1)) == int(fn(9, 9, 48, 8)),
                 "H heads of size d_model/H do the same matmul work as one head of size d_model")
    return c.result()


def check_previous_token_score(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(weights (H, N, N)) -> (H,)``: each head's mean weight on the previous token
    (queries ``i = 1 … N-1``, entry ``[i, i-1]``)."""
    c = Checker("check_previous_token_score")
    rng = np.random.default_rng(0)
    raw = rng.random((3, 6, 6))
    w = raw / raw.sum(-1, keepdims=True)  # (H, N, N)
    with c.case("shape (H,)"):
        c.shape(fn(w), (3,), "the scores")
    with c.case("a perfect previous-token head scores 1, a diagonal head 0"):
        perfect = np.stack([np.eye(6, k=-1), np.eye(6)])  # (2, N, N)
        perfect[0, 0, 0] = 1.0  # the first query has no previous token
        got = np.asarray(fn(perfect), float)
        if got.shape == (2,) and np.isclose(got[0], 5 / 6):
            raise AssertionError("query 0 has no previous token: average over i = 1 … N-1 only")
        c.close(got, [1.0, 0.0], "the scores")
    with c.case("matches the mean of weights[h, i, i-1] on random weights"):
        got = np.asarray(fn(w), float)
        if got.shape == (3,) and np.allclose(got, np.diagonal(w, 1, -2, -1).mean(-1)):
            raise AssertionError("that is the weight on the *next* token ([i, i+1]); "
                                 "the previous one is [i, i-1]")
        c.close(got, previous_token_score(w), "the scores")
    return c.result()
