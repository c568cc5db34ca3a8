"""Ring stepper (chapter 17): ring attention, one step at a time, for one query row.

The reader sets the number of processes ``P``, the ring step, the query row, the causal
mask and the zig-zag layout; the browser recomputes which key/value block every process
holds at every step (:func:`attn_course.layers.ring.ring_schedule`,
:func:`~attn_course.layers.ring.ring_layout`) and the chosen row's running maximum, sum and
output after each step (:func:`attn_course.experiments.ring.ring_row_trace`), which reaches
the exact row of attention at the last step.
"""

from __future__ import annotations

from typing import Any

import torch
import traitlets

from ..experiments.ring import ring_row_trace
from ._base import AttnView, as_matrix

__all__ = ["RingView"]


class RingView(AttnView):
    """Sliders for ``P``, the step and the query row; causal and zig-zag checkboxes.

    Args:
        q: queries ``(N, d_k)``, ``16 ≤ N ≤ 32``, ``1 ≤ d_k ≤ 8``.
        k: keys ``(N, d_k)``.
        v: values ``(N, d_v)``, ``1 ≤ d_v ≤ 8``.
        world_size: the number of processes ``P``, in ``[1, min(8, N // 2)]``.
        query: the query row followed, in ``[0, N)``.
        step: the ring step shown, in ``[0, P)`` (default: the last, where the row is exact).
        causal: mask the keys after each query.
        balanced: the zig-zag layout (else contiguous blocks).
    """

    view_name = "ring"
    _view_js = "ring.js"

    q = traitlets.List().tag(sync=True, role="data")
    k = traitlets.List().tag(sync=True, role="data")
    v = traitlets.List().tag(sync=True, role="data")
    world_size = traitlets.Int(4).tag(sync=True, role="param")
    step = traitlets.Int(0).tag(sync=True, role="param")
    query = traitlets.Int(0).tag(sync=True, role="param")
    causal = traitlets.Bool(False).tag(sync=True, role="param")
    balanced = traitlets.Bool(True).tag(sync=True, role="param")

    def __init__(self, q: Any, k: Any, v: Any, *, world_size: int = 4, query: int = 0,
                 step: int | None = None, causal: bool = False, balanced: bool = True,
                 title: str = "Ring attention, step by step") -> None:
        q_ = as_matrix("q", q)
        n, d_k = len(q_), len(q_[0]) if q_ else 0
        if not (16 <= n <= 32 and 1 <= d_k <= 8):
            raise ValueError(f"q must have shape (N, d_k) with 16 ≤ N ≤ 32, 1 ≤ d_k ≤ 8, "
                             f"got ({n}, {d_k})")
        k_ = as_matrix("k", k, (n, d_k))
        v_ = as_matrix("v", v, (n, None))
        if not 1 <= len(v_[0]) <= 8:
            raise ValueError(f"v must have shape (N, d_v) with 1 ≤ d_v ≤ 8, "
                             f"got ({n}, {len(v_[0])})")
        max_p = min(8, n // 2)
        if isinstance(world_size, bool) or int(world_size) != world_size or \
                not 1 <= world_size <= max_p:
            raise ValueError(f"world_size must be an integer in [1, {max_p}], got {world_size!r}")
        if int(query) != query or not 0 <= query < n:
            raise ValueError(f"query must be an integer in [0, {n}), got {query!r}")
        step = world_size - 1 if step is None else step
        if int(step) != step or not 0 <= step < world_size:
            raise ValueError(f"step must be an integer in [0, world_size={world_size}), "
                             f"got {step!r}")
        super().__init__(q=q_, k=k_, v=v_, world_size=int(world_size), query=int(query),
                         step=int(step), causal=bool(causal), balanced=bool(balanced), title=title)

    @classmethod
    def demo(cls) -> RingView:
        g = torch.Generator().manual_seed(7)
        q, k, v = (torch.randn(16, d, generator=g, dtype=torch.float64) for d in (4, 4, 3))
        return cls(q, k, v, world_size=4, query=9, step=1, causal=True, balanced=True)

    def _trace(self) -> dict[str, Any]:
        q, k, v = (torch.tensor(x, dtype=torch.float64) for x in (self.q, self.k, self.v))
        return ring_row_trace(q, k, v, world_size=self.world_size, query=self.query,
                              causal=self.causal, balanced=self.balanced)

    def readout(self) -> dict[str, Any]:
        """The chosen row after the shown step (the step is clamped to ``P − 1``): ``rank``,
        ``step``, ``sources`` (every step), and up to that step ``seen``, ``m``, ``l``,
        ``error``; ``out`` (the running output) and ``exact``."""
        tr = self._trace()
        step = min(self.step, self.world_size - 1)
        upto = {key: tr[key][:step + 1] for key in ("seen", "m", "l", "error")}
        return {"rank": tr["rank"], "step": step, "sources": tr["sources"], **upto,
                "out": tr["out"][step], "exact": tr["exact"]}

    def fallback_figure(self) -> Any:
        from ..plots.style import new_figure

        tr = self._trace()
        fig, (a1, a2) = new_figure(2, width=3.4, height=2.6)
        steps = range(self.world_size)
        a1.plot(steps, tr["error"], marker="o")
        a1.set_yscale("symlog", linthresh=1e-6)
        a1.set(xlabel="ring step",
               ylabel="max |out − exact|", title=f"query {self.query}, P = {self.world_size}")
        a2.bar(range(len(tr["exact"])), tr["exact"], label="exact row")
        a2.plot(range(len(tr["exact"])), tr["out"][-1], "o", color="black", label="ring, last step")
        a2.set(xlabel="output dimension", title="the row the ring reaches")
        a2.legend(fontsize=8)
        return fig
