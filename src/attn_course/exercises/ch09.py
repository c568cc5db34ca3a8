"""Checkers for chapter 9's exercises (FLOP formulas, log-log slopes, dilated path length)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..experiments.complexity import LAYER_KINDS, fit_exponent, layer_flops, max_path_length
from ._base import Checker, CheckResult

__all__ = ["check_dilated_path_length", "check_fit_exponent", "check_layer_flops"]


def check_layer_flops(fn: Callable[[str, int, int, int, str], int]) -> CheckResult:
    """Check ``fn(kind, n, d, k, accounting) -> int``: FLOPs of one layer (a multiply–add = 2
    FLOPs) for ``kind`` in ``LAYER_KINDS`` (the recurrent layer is an Elman RNN) and
    ``accounting`` ``"mixing"`` (only products that combine positions) or ``"layer"``
    (whole layers: attention with ``W_q, W_k, W_v, W_o``, the RNN with ``x_t W``)."""
    c = Checker("check_layer_flops")
    hints = {
        ("self-attention", "mixing"): "Q Kᵀ is (n×d)(d×n) and weights·V is (n×n)(n×d): "
                                      "2·n·n·d each",
        ("self-attention", "layer"): "add the four d×d projections W_q, W_k, W_v, W_o, "
                                     "each applied to n vectors",
        ("recurrent", "mixing"): "only h_{t-1} U combines positions; x_t W looks at one "
                                 "position",
        ("recurrent", "layer"): "each of the n steps multiplies x_t by W (d×d) and h by U (d×d)",
        ("convolutional", "mixing"): "each of the n outputs combines k inputs of d channels "
                                     "into d channels",
        ("convolutional", "layer"): "a convolution has no other products: same as mixing",
    }
    for kind in LAYER_KINDS:
        for accounting in ("mixing", "layer"):
            with c.case(f"{kind} layer, {accounting}"):
                for n, d, k in ((5, 3, 3), (64, 32, 3), (10, 128, 5)):
                    got = fn(kind, n, d, k, accounting)
                    want = layer_flops(kind, n, d, k, accounting=accounting)
                    c.expect(int(got) == want,
                             f"n={n}, d={d}, k={k}: you give {got}, the count is {want} "
                             f"(hint: {hints[kind, accounting]})")
    return c.result()


def check_fit_exponent(fn: Callable[[Any, Any], float]) -> CheckResult:
    """Check ``fn(x, y) -> p``: the least-squares slope of ``log y`` against ``log x``."""
    c = Checker("check_fit_exponent")
    x = np.array([16, 32, 64, 128, 256], dtype=float)
    with c.case("an exact power law y = 3·x²"):
        c.close(fn(x, 3 * x**2), 2.0, "the exponent", atol=1e-8)
    with c.case("the constant factor does not change the exponent (y = 1000·x^1.5)"):
        c.close(fn(x, 1000 * x**1.5), 1.5, "the exponent", atol=1e-8)
    with c.case("a noisy cost curve: a least-squares fit over all points, not two end points"):
        y = x**2 * np.array([1.3, 0.8, 1.1, 0.9, 1.2])
        c.close(fn(x, y), fit_exponent(x, y), "the fitted exponent", atol=1e-8)
    with c.case("any logarithm base gives the same slope"):
        y = 5 * x**1.0
        c.close(fn(x, y), 1.0, "the exponent", atol=1e-8)
    return c.result()


def check_dilated_path_length(fn: Callable[[int, int], int]) -> CheckResult:
    """Check ``fn(n, k) -> int``: layers of dilated convolutions (dilations 1, k, k², …) needed
    so that the last of ``n`` positions sees the first, i.e. ``⌈log_k n⌉`` (at least 1)."""
    c = Checker("check_dilated_path_length")
    with c.case("small cases"):
        for n, k in ((2, 2), (3, 3), (4, 3), (10, 3), (100, 10)):
            c.expect(int(fn(n, k)) == max_path_length("convolutional", n, k),
                     f"n={n}, k={k}: you give {fn(n, k)}, need "
                     f"{max_path_length('convolutional', n, k)}")
    with c.case("exact powers of k (floating point: log(125)/log(5) = 3.0000000000000004)"):
        for n, k in ((125, 5), (216, 6), (243, 3), (4096, 2), (16807, 7)):
            want = max_path_length("convolutional", n, k)
            c.expect(int(fn(n, k)) == want,
                     f"n={n}, k={k}: you give {fn(n, k)}, need {want} — compare integers "
                     f"(multiply a reach by k) instead of taking math.log")
    with c.case("a single position needs one layer"):
        c.expect(int(fn(1, 3)) == 1, f"n=1: you give {fn(1, 3)}, need 1")
    return c.result()
