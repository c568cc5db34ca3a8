"""Table 1 explorer (chapter 9): FLOPs, sequential operations and path length of three layers.

Sliders for the sequence length ``n``, the width ``d`` and the kernel size ``k``; the
browser recomputes, with the formulas of :mod:`attn_course.experiments.complexity`, the FLOPs of one
self-attention, recurrent and convolutional layer, their sequential operations and
maximum path lengths, and where self-attention stops being the cheapest.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from ..experiments.complexity import (
    LAYER_KINDS,
    crossover_n,
    layer_flops,
    max_path_length,
    sequential_ops,
)
from ._base import AttnView

__all__ = ["ComplexityView"]

MAX_LOG2 = 14  # n and d range over powers of two up to 2**14


def _power_of_two(name: str, x: Any, lo: int = 1) -> int:
    if int(x) != x or not 2**lo <= x <= 2**MAX_LOG2 or int(x) & (int(x) - 1):
        raise ValueError(f"{name} must be a power of two in [{2**lo}, {2**MAX_LOG2}], got {x!r}")
    return int(x)


class ComplexityView(AttnView):
    """Move ``n``, ``d`` (powers of two) and ``k`` (2–9); see the three layers' costs.

    Readout: ``flops``, ``sequential``, ``path`` (lists in the order of
    ``attn_course.experiments.complexity.LAYER_KINDS``), ``crossover_recurrent`` (the largest
    ``n`` at which the mixing of self-attention needs no more FLOPs than an Elman
    recurrence, ``d/2``),
    ``crossover_conv`` (the same against a convolution, ``⌊k·d/2⌋``) and ``cheapest`` (the
    index of the layer with the fewest FLOPs; numbers only, so the browser test can compare).
    """

    view_name = "complexity"
    _view_js = "complexity.js"

    n = traitlets.Int(64).tag(sync=True, role="param")
    d = traitlets.Int(128).tag(sync=True, role="param")
    k = traitlets.Int(3).tag(sync=True, role="param")
    kinds = traitlets.List(traitlets.Unicode(), list(LAYER_KINDS)).tag(sync=True, role="data")

    def __init__(self, n: int = 64, d: int = 128, k: int = 3, *,
                 title: str = "Table 1 explorer: cost of one layer") -> None:
        n = _power_of_two("n", n)
        d = _power_of_two("d", d, lo=3)
        if int(k) != k or not 2 <= k <= 9:
            raise ValueError(f"k must be an integer in [2, 9], got {k!r}")
        super().__init__(n=n, d=d, k=int(k), kinds=list(LAYER_KINDS), title=title)

    @classmethod
    def demo(cls) -> ComplexityView:
        return cls(n=64, d=128, k=3)

    def readout(self) -> dict[str, Any]:
        n, d, k = self.n, self.d, self.k
        flops = [layer_flops(kind, n, d, k) for kind in LAYER_KINDS]
        return {
            "flops": flops,
            "sequential": [sequential_ops(kind, n, k) for kind in LAYER_KINDS],
            "path": [max_path_length(kind, n, k) for kind in LAYER_KINDS],
            "crossover_recurrent": crossover_n(d, "recurrent", k=k),
            "crossover_conv": crossover_n(d, "convolutional", k=k),
            "cheapest": int(np.argmin(flops)),
        }

    def fallback_figure(self) -> Any:
        from ..plots.complexity import KIND_COLORS
        from ..plots.style import new_figure

        r = self.readout()
        fig, (a1, a2) = new_figure(2, width=3.6, height=2.6)
        colors = [KIND_COLORS[kind] for kind in LAYER_KINDS]
        a1.barh(LAYER_KINDS, r["flops"], color=colors)
        a1.set(xscale="log", xlabel="FLOPs", title=f"n = {self.n}, d = {self.d}, k = {self.k}")
        a2.barh(LAYER_KINDS, r["path"], color=colors)
        a2.set(xlabel="maximum path length", title="path between two positions")
        return fig
