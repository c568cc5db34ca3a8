"""Checkers for chapter 16's exercises (the prefix-matching score, the copying score)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..experiments.induction import head_scores
from ._base import Checker, CheckResult

__all__ = ["check_copying_score", "check_prefix_score"]


def _weights(S: int, seed: int) -> torch.Tensor:
    """Random causal attention weights ``(B=3, L=2, H=2, 2S, 2S)``."""
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(3, 2, 2, 2 * S, 2 * S, generator=g, dtype=torch.float64) * 2
    keep = torch.ones(2 * S, 2 * S, dtype=torch.bool).tril()  # (2S, 2S)
    return s.masked_fill(~keep, float("-inf")).softmax(-1)


def check_prefix_score(fn: Callable[[torch.Tensor, int], Any]) -> CheckResult:
    """Check ``fn(weights (B, L, H, 2S, 2S), S) -> (L, H)``: the mean weight a query ``i`` in
    the second copy puts on position ``i − S + 1``."""
    c = Checker("check_prefix_score")
    for S, seed in ((5, 0), (8, 1)):
        with c.case(f"S = {S}"):
            w = _weights(S, seed)
            got = torch.as_tensor(fn(w.clone(), S), dtype=torch.float64)
            c.shape(got, (2, 2), "the scores")
            c.close(got, head_scores(w, S)["prefix"],
                    "the scores (queries i = S … 2S − 1, keys i − S + 1, mean over B and i)",
                    atol=1e-9)
    return c.result()


def check_copying_score(fn: Callable[[torch.Tensor], Any]) -> CheckResult:
    """Check ``fn(circuit (V, V)) -> float``: ``Σ Re λ / Σ |λ|`` over the eigenvalues."""
    c = Checker("check_copying_score")
    g = torch.Generator().manual_seed(0)
    A = torch.randn(12, 5, generator=g, dtype=torch.float64)
    R = torch.randn(12, 12, generator=g, dtype=torch.float64)
    for name, M in (("a copying circuit A Aᵀ", A @ A.T), ("a suppressing one −A Aᵀ", -A @ A.T),
                    ("a random one", R)):
        with c.case(name):
            lam = torch.linalg.eigvals(M)
            want = float(lam.real.sum() / lam.abs().sum())
            got = float(fn(M.clone()))
            c.close(got, want, f"the score of {name} (Σ Re λ / Σ |λ| over its eigenvalues)",
                    atol=1e-6)
    return c.result()
