"""Checkers for chapter 14's exercises (RoPE by hand, the ALiBi bias, the offset profile)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..core.positions import alibi_bias, alibi_slopes, rope_rotate
from ..experiments.positions import offset_profile
from ._base import Checker, CheckResult

__all__ = ["check_alibi_bias", "check_rope", "check_sinusoidal_profile"]


def check_rope(fn: Callable[[torch.Tensor], Any]) -> CheckResult:
    """Check ``fn(x (N, d_k)) -> (N, d_k)``: row ``m`` rotated by RoPE at position ``m``."""
    c = Checker("check_rope")
    g = torch.Generator().manual_seed(0)
    x = torch.randn(12, 8, generator=g, dtype=torch.float64)
    with c.case("shape"):
        c.shape(fn(x), (12, 8), "the rotated x")
    with c.case("position 0 is not rotated"):
        c.close(fn(x)[0], x[0], "row 0", atol=1e-10)
    with c.case("matches RoPE (pairs (x_2i, x_2i+1) turned by m · 10000^(-2i/d))"):
        c.close(fn(x), rope_rotate(x), "the rotated x", atol=1e-10)
    with c.case("rotations keep lengths"):
        c.close(fn(x).norm(dim=-1), x.norm(dim=-1), "the row norms", atol=1e-10)
    return c.result()


def check_alibi_bias(fn: Callable[[int, int], Any]) -> CheckResult:
    """Check ``fn(n, n_heads) -> (n_heads, n, n)``: ALiBi's bias ``−slope_h · |i − j|``."""
    c = Checker("check_alibi_bias")
    for n, heads in ((5, 8), (7, 4)):
        with c.case(f"n = {n}, n_heads = {heads}"):
            want = alibi_bias(n, n, alibi_slopes(heads))
            got = fn(n, heads)
            c.shape(got, tuple(want.shape), "the bias")
            diag = np.diagonal(np.asarray(got, dtype=float), axis1=-2, axis2=-1)
            c.expect(np.allclose(diag, 0.0), "the diagonal (|i − j| = 0) must be 0")
            c.close(got, want, "the bias (slopes 2^(-8h/H) for h = 1 … H)", atol=1e-7)
    return c.result()


def check_sinusoidal_profile(fn: Callable[[np.ndarray, int], Any]) -> CheckResult:
    """Check ``fn(offsets (n,), d_model) -> (n,)``: ``PE(m)·PE(m+Δ) / (d_model/2)``."""
    c = Checker("check_sinusoidal_profile")
    offs = np.arange(-30, 31)
    for d in (8, 64):
        with c.case(f"d_model = {d}"):
            got = np.asarray(fn(offs, d), dtype=float)
            c.shape(got, offs.shape, "the profile")
            c.close(got, offset_profile("sinusoidal", offs, d_model=d), "the profile", atol=1e-9)
    return c.result()
