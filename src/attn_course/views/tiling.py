"""Tiling playground (chapter 13): which tiles of the N × N score matrix get computed.

The reader sets the sequence length ``n``, the tile size ``block``, causal masking and a
sliding window; the browser recomputes the grid of tiles (computed / partly masked /
skipped) and the costs with the same formulas as
:func:`attn_course.experiments.efficient.tiling_costs`: FLOPs, the bytes of the full float32
score matrix, and the bytes tiled attention holds.
"""

from __future__ import annotations

from typing import Any

import traitlets

from ..experiments.efficient import tiling_costs
from ._base import AttnView

__all__ = ["TilingView"]

BLOCKS = (32, 64, 128, 256, 512, 1024)


class TilingView(AttnView):
    """Sliders for ``n`` and ``block``, a causal checkbox, a window checkbox and slider.

    Args:
        n: sequence length, a multiple of 64 in ``[64, 8192]``.
        block: tile size, one of 32, 64, …, 1024.
        d: the head size ``d_k = d_v`` used in the FLOP and memory formulas.
        causal: skip the tiles above the diagonal.
        window: the sliding window (positions each side), or ``None`` for none.
    """

    view_name = "tiling"
    _view_js = "tiling.js"

    n = traitlets.Int(1024).tag(sync=True, role="param")
    block = traitlets.Int(128).tag(sync=True, role="param")
    causal = traitlets.Bool(False).tag(sync=True, role="param")
    use_window = traitlets.Bool(False).tag(sync=True, role="param")
    window = traitlets.Int(256).tag(sync=True, role="param")
    d = traitlets.Int(64).tag(sync=True, role="data")

    def __init__(self, n: int = 1024, block: int = 128, *, d: int = 64, causal: bool = False,
                 window: int | None = None, title: str = "Tiled attention") -> None:
        if int(n) != n or not 64 <= n <= 8192 or n % 64:
            raise ValueError(f"n must be a multiple of 64 in [64, 8192], got {n!r}")
        if block not in BLOCKS:
            raise ValueError(f"block must be one of {BLOCKS}, got {block!r}")
        if int(d) != d or not 1 <= d <= 1024:
            raise ValueError(f"d must be an integer in [1, 1024], got {d!r}")
        if window is not None and (int(window) != window or not 0 <= window <= n):
            raise ValueError(f"window must be None or an integer in [0, n={n}], got {window!r}")
        super().__init__(n=int(n), block=int(block), d=int(d), causal=bool(causal),
                         use_window=window is not None,
                         window=int(window) if window is not None else max(n // 8, 0),
                         title=title)

    @classmethod
    def demo(cls) -> TilingView:
        return cls(1024, 128, causal=False)

    def readout(self) -> dict[str, Any]:
        window = self.window if self.use_window else None
        return tiling_costs(self.n, self.block, d=self.d, causal=self.causal, window=window)

    def fallback_figure(self) -> Any:
        from ..plots.efficient import plot_tiles

        return plot_tiles(self.n, self.block, causal=self.causal,
                          window=self.window if self.use_window else None)
