"""Checkers for chapter 8's exercises (a Bahdanau step, word accuracy, score parameters)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..experiments.bahdanau import sentence_scores
from ..layers.additive import ScoreAttention
from ._base import Checker, CheckResult

__all__ = ["check_bahdanau_step", "check_score_parameters", "check_word_accuracy"]


def _reference_step(s_prev: torch.Tensor, ann: torch.Tensor, W_q: torch.Tensor,
                    W_k: torch.Tensor, w_v: torch.Tensor, lengths: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    from ..core.masks import padding_mask
    from ..layers.additive import AdditiveAttention

    attn = AdditiveAttention(W_q.shape[0], W_k.shape[0], W_q.shape[1])
    with torch.no_grad():
        attn.W_q.weight.copy_(W_q.T)
        attn.W_k.weight.copy_(W_k.T)
        attn.w_v.weight.copy_(w_v[None])
        return attn(s_prev, ann, mask=padding_mask(lengths, ann.shape[1]))


def check_bahdanau_step(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(s_prev (B, d_s), ann (B, N, d_h), W_q (d_s, d_a), W_k (d_h, d_a), w_v (d_a,),
    lengths (B,)) -> (context (B, d_h), weights (B, N))``: one step of Bahdanau attention
    over padded annotations (positions ≥ ``lengths[b]`` get zero weight)."""
    c = Checker("check_bahdanau_step")
    g = torch.Generator().manual_seed(0)
    B, N, d_s, d_h, d_a = 3, 5, 4, 6, 7
    s_prev, ann = torch.randn(B, d_s, generator=g), torch.randn(B, N, d_h, generator=g)
    W_q, W_k = torch.randn(d_s, d_a, generator=g), torch.randn(d_h, d_a, generator=g)
    w_v = torch.randn(d_a, generator=g)
    full = torch.full((B,), N)
    with c.case("shapes: context (B, d_h), weights (B, N)"):
        ctx, w = fn(s_prev, ann, W_q, W_k, w_v, full)
        c.shape(ctx, (B, d_h), "context")
        c.shape(w, (B, N), "weights")
    with c.case("weights sum to one over the source words"):
        _, w = fn(s_prev, ann, W_q, W_k, w_v, full)
        c.close(w.sum(-1), torch.ones(B), "the sum of each row of weights", atol=1e-5)
    with c.case("matches w_vᵀ tanh(s W_q + h W_k), softmax, weighted sum"):
        ctx, w = fn(s_prev, ann, W_q, W_k, w_v, full)
        ref_ctx, ref_w = _reference_step(s_prev, ann, W_q, W_k, w_v, full)
        c.close(w, ref_w, "the weights", atol=1e-5)
        c.close(ctx, ref_ctx, "the context vector", atol=1e-5)
    with c.case("padding (positions ≥ length) gets exactly zero weight"):
        lengths = torch.tensor([5, 3, 1])
        ctx, w = fn(s_prev, ann, W_q, W_k, w_v, lengths)
        c.expect(float(w[1, 3:].abs().sum()) == 0.0 and float(w[2, 1:].abs().sum()) == 0.0,
                 "padded positions have nonzero weight: mask the scores with -inf before the "
                 "softmax (True = real word)")
        ref_ctx, ref_w = _reference_step(s_prev, ann, W_q, W_k, w_v, lengths)
        c.close(w, ref_w, "the weights with padding", atol=1e-5)
        c.close(ctx, ref_ctx, "the context with padding", atol=1e-5)
    return c.result()


def check_word_accuracy(fn: Callable[[list[str], list[str]], float]) -> CheckResult:
    """Check ``fn(pred, ref) -> float``: words right at their position / the longer length."""
    c = Checker("check_word_accuracy")
    cases = [
        (["la", "voiture", "rouge"], ["la", "voiture", "rouge"]),
        (["la", "voiture"], ["la", "voiture", "rouge"]),
        (["la", "voiture", "rouge", "et", "et"], ["la", "voiture", "rouge"]),
        (["le", "voiture", "rouge"], ["la", "voiture", "rouge"]),
        ([], ["un", "chat"]),
    ]
    with c.case("a perfect translation scores 1"):
        c.close(fn(*cases[0]), 1.0, "the accuracy of an exact copy")
    with c.case("a translation that stops early is penalised for the missing words"):
        c.close(fn(*cases[1]), 2 / 3, "the accuracy of a too-short translation")
    with c.case("extra words are penalised (divide by the longer of the two lengths)"):
        c.close(fn(*cases[2]), 3 / 5, "the accuracy of a too-long translation")
    with c.case("matches the package on every case, including an empty prediction"):
        for pred, ref in cases:
            c.close(fn(pred, ref), sentence_scores(pred, ref)[0], f"the accuracy of {pred}")
    return c.result()


def check_score_parameters(fn: Callable[[str, int], int]) -> CheckResult:
    """Check ``fn(kind, d) -> int``: learned parameters of a ``ScoreAttention(kind, d)``."""
    c = Checker("check_score_parameters")
    for kind in ("dot", "general", "additive"):
        with c.case(f"{kind} score"):
            for d in (4, 64):
                want = sum(p.numel() for p in ScoreAttention(kind, d).parameters())
                got = fn(kind, d)
                c.expect(int(got) == want, f"for d = {d} you give {got}, the module has {want} "
                         f"(hint: list the matrices and vectors in the formula)")
    return c.result()

