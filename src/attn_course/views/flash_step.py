"""Flash stepper (chapter 13): one query block of tiled attention, one key tile at a time.

The reader sets the tile size, the query block, how many key tiles have been folded in,
the row of the block to follow and the causal mask; the browser recomputes, for every row
of the block, the running maximum ``m``, the running sum ``ℓ``, the rescale factor
``exp(m_old − m_new)`` and the unnormalised output after each key tile
(:func:`attn_course.experiments.flash_trace.flash_block_trace`), next to the map of tiles,
and shows the output reaching plain attention's at the last tile.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import traitlets

from ..experiments.flash_trace import flash_block_trace
from ._base import AttnView, as_matrix

__all__ = ["BLOCKS", "FlashStepView"]

BLOCKS = (4, 8, 16)


class FlashStepView(AttnView):
    """Tile-size, query-block, key-tile and row sliders and a causal checkbox.

    Args:
        q: queries ``(N, d_k)``, ``8 ≤ N ≤ 64``, ``1 ≤ d_k ≤ 8``.
        k: keys ``(N, d_k)``.
        v: values ``(N, d_v)``, ``1 ≤ d_v ≤ 8``.
        block: the square tile size, one of 4, 8, 16.
        query_block: the query block followed, in ``[0, ceil(N / block))``.
        step: the key tile shown, counted from 0 over the tiles the block computes
            (default: the last, where the output is exact).
        row: the row of the block whose numbers are listed, in ``[0, block)``.
        causal: mask the keys after each query (the tiles right of the diagonal are skipped).
    """

    view_name = "flash_step"
    _view_js = "flash_step.js"

    q = traitlets.List().tag(sync=True, role="data")
    k = traitlets.List().tag(sync=True, role="data")
    v = traitlets.List().tag(sync=True, role="data")
    block = traitlets.Int(8).tag(sync=True, role="param")
    query_block = traitlets.Int(0).tag(sync=True, role="param")
    step = traitlets.Int(0).tag(sync=True, role="param")
    row = traitlets.Int(0).tag(sync=True, role="param")
    causal = traitlets.Bool(False).tag(sync=True, role="param")

    def __init__(self, q: Any, k: Any, v: Any, *, block: int = 8, query_block: int = 0,
                 step: int | None = None, row: int = 0, causal: bool = False,
                 title: str = "Flash attention, one query block tile by tile") -> None:
        q_ = as_matrix("q", q)
        n, d_k = len(q_), len(q_[0]) if q_ else 0
        if not (8 <= n <= 64 and 1 <= d_k <= 8):
            raise ValueError(f"q must have shape (N, d_k) with 8 ≤ N ≤ 64, 1 ≤ d_k ≤ 8, "
                             f"got ({n}, {d_k})")
        k_ = as_matrix("k", k, (n, d_k))
        v_ = as_matrix("v", v, (n, None))
        if not 1 <= len(v_[0]) <= 8:
            raise ValueError(f"v must have shape (N, d_v) with 1 ≤ d_v ≤ 8, "
                             f"got ({n}, {len(v_[0])})")
        if block not in BLOCKS:
            raise ValueError(f"block must be one of {BLOCKS}, got {block!r}")
        n_blocks = math.ceil(n / block)
        for name, x, hi in (("query_block", query_block, n_blocks), ("row", row, block)):
            if isinstance(x, bool) or int(x) != x or not 0 <= x < hi:
                raise ValueError(f"{name} must be an integer in [0, {hi}), got {x!r}")
        step = n_blocks - 1 if step is None else step
        if isinstance(step, bool) or int(step) != step or not 0 <= step < n_blocks:
            raise ValueError(f"step must be an integer in [0, {n_blocks}), got {step!r}")
        super().__init__(q=q_, k=k_, v=v_, block=int(block), query_block=int(query_block),
                         step=int(step), row=int(row), causal=bool(causal), title=title)

    @classmethod
    def demo(cls) -> FlashStepView:
        g = torch.Generator().manual_seed(13)
        q, k, v = (torch.randn(32, d, generator=g, dtype=torch.float64) for d in (4, 4, 3))
        return cls(q, k, v, block=8, query_block=1, step=1, row=4)

    def _clamped(self) -> tuple[int, int, int]:
        """``(query_block, step, row)`` clamped to what the current tile size allows."""
        n = len(self.q)
        qb = min(self.query_block, math.ceil(n / self.block) - 1)
        i0, i1 = qb * self.block, min(qb * self.block + self.block, n)
        tiles = math.ceil((min(n, i1) if self.causal else n) / self.block)
        return qb, min(self.step, tiles - 1), min(self.row, i1 - i0 - 1)

    def _trace(self) -> dict[str, Any]:
        q, k, v = (torch.tensor(x, dtype=torch.float64) for x in (self.q, self.k, self.v))
        return flash_block_trace(q, k, v, block=self.block, query_block=self._clamped()[0],
                                 causal=self.causal)

    def readout(self) -> dict[str, Any]:
        """After the shown key tile (query block, tile and row clamped to the tile size):
        ``rows``, ``tiles``, ``skipped``, ``query_block``, ``step``, ``row``; for every row of
        the block ``m``, ``l``, ``rescale``, ``acc`` and ``out``; ``exact`` (plain attention)
        and ``error`` (largest ``|out − exact|`` over the block); and the followed row's
        ``row_m``, ``row_l``, ``row_rescale`` after each tile up to the shown one."""
        tr = self._trace()
        qb, t, r = self._clamped()
        return {"rows": tr["rows"], "tiles": tr["tiles"], "skipped": tr["skipped"],
                "query_block": qb, "step": t, "row": r,
                **{key: tr[key][t] for key in ("m", "l", "rescale", "acc", "out")},
                "exact": tr["exact"], "error": tr["error"][t],
                **{f"row_{key}": [x[r] for x in tr[key][:t + 1]] for key in ("m", "l", "rescale")}}

    def fallback_figure(self) -> Any:
        from ..plots.style import new_figure

        tr = self._trace()
        _, _, r = self._clamped()
        fig, (a1, a2) = new_figure(2, width=3.4, height=2.6)
        tiles = range(1, len(tr["tiles"]) + 1)
        a1.plot(tiles, [m[r] for m in tr["m"]], marker="o", label="running max m")
        a1.plot(tiles, [x[r] for x in tr["rescale"]], marker="s", label="rescale exp(m_old − m)")
        a1.set(xlabel="key tiles folded in", title=f"row {tr['rows'][0] + r}")
        a1.legend(fontsize=8)
        a2.plot(tiles, tr["error"], marker="o")
        a2.set_yscale("symlog", linthresh=1e-12)
        a2.set(xlabel="key tiles folded in", ylabel="max |acc / ℓ − exact|",
               title="the block reaches plain attention")
        return fig
