"""Checkers for chapter 1 (the attention bottleneck: choosing where to look)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..experiments.intuition import box_sums
from ._base import Checker, CheckResult

__all__ = ["check_best_window", "check_top_k_mask"]


def check_top_k_mask(fn: Callable[[np.ndarray, int], Any]) -> CheckResult:
    """Check ``fn(saliency, k)``: a boolean ``(H, W)`` mask of the ``k`` most salient pixels."""
    c = Checker("check_top_k_mask")
    rng = np.random.default_rng(3)
    sal = rng.random((6, 7))
    for k in (1, 5, 20):
        with c.case(f"k={k} on a 6×7 map"):
            m = np.asarray(fn(sal, k))
            c.shape(m, (6, 7), "the mask")
            c.expect(m.dtype == np.bool_, f"the mask should be boolean, got dtype {m.dtype}")
            c.expect(int(m.sum()) == k, f"the mask selects {int(m.sum())} pixels, not k={k}")
            worst_in, best_out = sal[m].min(), sal[~m].max()
            c.expect(worst_in >= best_out,
                     f"a selected pixel (saliency {worst_in:.3f}) is less salient than one left "
                     f"out ({best_out:.3f}): select the largest values, not the smallest")
    with c.case("k=0 and k = every pixel"):
        c.expect(int(np.asarray(fn(sal, 0)).sum()) == 0, "k=0 should select nothing")
        c.expect(bool(np.asarray(fn(sal, 42)).all()), "k=42 should select all 42 pixels")
    return c.result()


def check_best_window(fn: Callable[[np.ndarray, int], Any]) -> CheckResult:
    """Check ``fn(image, size)``: ``(row, col)`` of the top-left corner of the ``size × size``
    window with the largest sum."""
    c = Checker("check_best_window")
    rng = np.random.default_rng(4)
    img = rng.random((20, 24)) * 0.2
    img[11:16, 3:8] += 1.0  # a bright 5×5 blob: its window starts at (11, 3)
    for size in (5, 3, 8):
        with c.case(f"size={size} on a 20×24 image"):
            got = tuple(int(v) for v in np.asarray(fn(img, size)).ravel())
            c.expect(len(got) == 2, f"return (row, col), got {got}")
            r, col = got
            c.expect(0 <= r <= 20 - size and 0 <= col <= 24 - size,
                     f"the window at {got} does not fit inside the image")
            sums = box_sums(img[None], size)[0]
            best = np.unravel_index(sums.argmax(), sums.shape)
            if (r, col) == (best[0] + size // 2, best[1] + size // 2):
                raise AssertionError(f"{got} is the window's centre; return its top-left corner")
            c.expect(sums[r, col] >= sums.max() - 1e-9,
                     f"the window at {got} sums to {sums[r, col]:.3f}; the best, at "
                     f"{(int(best[0]), int(best[1]))}, sums to {sums.max():.3f}")
    return c.result()
