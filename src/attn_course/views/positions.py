"""Positions playground (chapter 14): the score between two positions vs their offset.

Pick a method (sinusoidal, RoPE, ALiBi), the width ``d_model``, an offset to read off, and
for RoPE whether the token's content vector is all ones or random (drawn from a seed with
the generator of ``attn_course.views.prng``, the same numbers in Python and the
browser); for ALiBi, the head. The browser recomputes the curve with the formulas of
:func:`attn_course.experiments.positions.offset_profile`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from ..experiments.positions import offset_profile
from ._base import AttnView
from .prng import normals

__all__ = ["PositionsView"]

METHODS = ("sinusoidal", "rope", "alibi")


class PositionsView(AttnView):
    """Method selector, ``d_model`` and offset sliders, RoPE content and ALiBi head controls.

    Args:
        method: ``"sinusoidal"``, ``"rope"`` or ``"alibi"``.
        d_model: an even width in ``[2, 256]``.
        offset: the offset ``Δ`` read off, in ``[-max_offset, max_offset]``.
        max_offset: the curve spans ``Δ = −max_offset … max_offset`` (at most 512).
        n_heads: ALiBi's number of heads; head: the head shown.
        random_content: RoPE's content vector drawn from ``seed`` instead of all ones.
    """

    view_name = "positions"
    _view_js = "positions.js"

    method = traitlets.Unicode("rope").tag(sync=True, role="param")
    d_model = traitlets.Int(64).tag(sync=True, role="param")
    offset = traitlets.Int(8).tag(sync=True, role="param")
    head = traitlets.Int(0).tag(sync=True, role="param")
    random_content = traitlets.Bool(False).tag(sync=True, role="param")
    seed = traitlets.Int(0).tag(sync=True, role="data")
    max_offset = traitlets.Int(128).tag(sync=True, role="data")
    n_heads = traitlets.Int(8).tag(sync=True, role="data")
    base = traitlets.Float(10000.0).tag(sync=True, role="data")

    def __init__(self, method: str = "rope", d_model: int = 64, offset: int = 8, *,
                 max_offset: int = 128, n_heads: int = 8, head: int = 0,
                 random_content: bool = False, seed: int = 0, base: float = 10000.0,
                 title: str = "Score vs offset") -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        if int(d_model) != d_model or d_model % 2 or not 2 <= d_model <= 256:
            raise ValueError(f"d_model must be an even integer in [2, 256], got {d_model!r}")
        if int(max_offset) != max_offset or not 1 <= max_offset <= 512:
            raise ValueError(f"max_offset must be an integer in [1, 512], got {max_offset!r}")
        if int(offset) != offset or abs(offset) > max_offset:
            raise ValueError(f"offset must be an integer in [-{max_offset}, {max_offset}], "
                             f"got {offset!r}")
        if not 1 <= n_heads <= 16 or not 0 <= head < n_heads:
            raise ValueError(f"need 1 ≤ n_heads ≤ 16 and 0 ≤ head < n_heads, got {n_heads}, {head}")
        if not base > 1:
            raise ValueError(f"base must be greater than 1, got {base!r}")
        super().__init__(method=method, d_model=int(d_model), offset=int(offset),
                         max_offset=int(max_offset), n_heads=int(n_heads), head=int(head),
                         random_content=bool(random_content), seed=int(seed),
                         base=float(base), title=title)

    @classmethod
    def demo(cls) -> PositionsView:
        return cls("sinusoidal", 64, 8)

    def _content(self) -> np.ndarray | None:
        return normals(self.seed, self.d_model) if self.random_content else None

    def readout(self) -> dict[str, Any]:
        offs = np.arange(-self.max_offset, self.max_offset + 1)
        prof = offset_profile(self.method, offs, d_model=self.d_model, base=self.base,
                              content=self._content(), n_heads=self.n_heads, head=self.head)
        return {"profile": prof.tolist(), "score": float(prof[self.offset + self.max_offset])}

    def fallback_figure(self) -> Any:
        from ..plots.style import COLORS, new_figure

        r = self.readout()
        offs = np.arange(-self.max_offset, self.max_offset + 1)
        fig, ax = new_figure(width=5.0, height=3.0)
        ax.plot(offs, r["profile"], color=COLORS["blue"])
        ax.plot([self.offset], [r["score"]], "o", color=COLORS["vermillion"])
        ax.set(xlabel="offset Δ = n − m", ylabel="score",
               title=f"{self.method}, d_model = {self.d_model}: score {r['score']:.3f} "
                     f"at Δ = {self.offset}")
        return fig
