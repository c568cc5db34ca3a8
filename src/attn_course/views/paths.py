"""Path playground (chapter 9): the route between positions ``j`` and ``i`` through five
architectures.

Sliders for the sequence length ``n``, the two positions (input ``j`` ≤ output ``i``), the
convolution kernel ``k`` and the attention window ``r``. The browser draws each
architecture's graph — a recurrent chain, a stack of dilated convolutions, a stack of
contiguous convolutions, a stack of windowed attention layers and one attention layer, all
causal — highlights a shortest route from input ``j`` to output ``i`` and shows its length,
recomputed with the same functions as
:func:`~attn_course.experiments.paths.path_route` and
:func:`~attn_course.experiments.paths.path_between`.
"""

from __future__ import annotations

from typing import Any

import traitlets

from ..experiments.paths import PATH_KINDS, path_between, path_route
from ._base import AttnView

__all__ = ["PathsView"]

N_RANGE, K_RANGE, R_RANGE = (4, 32), (2, 5), (1, 8)


def _int_in(name: str, x: Any, lo: int, hi: int) -> int:
    if int(x) != x or not lo <= x <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {x!r}")
    return int(x)


class PathsView(AttnView):
    """Move ``n``, ``i``, ``j``, ``k`` and ``r``; see the route from input ``j`` to output ``i``.

    Args:
        n: sequence length, 4–32.
        i, j: the output and the input position, ``0 ≤ j ≤ i < n``.
        k: kernel size of the convolutions, 2–5 (dilations ``1, k, k², …``).
        r: how far back a windowed attention layer reaches, 1–8.

    Readout: ``lengths`` (in the order of ``attn_course.experiments.paths.PATH_KINDS``)
    and ``route_<kind>`` (the highlighted route, ``(L + 1, 2)`` rows of ``(row, position)``).
    Positions set beyond ``n`` are clipped (``i`` to ``n − 1``, then ``j`` to ``i``), in the
    browser and here alike.
    """

    view_name = "paths"
    _view_js = "paths.js"

    n = traitlets.Int(24).tag(sync=True, role="param")
    i = traitlets.Int(23).tag(sync=True, role="param")
    j = traitlets.Int(0).tag(sync=True, role="param")
    k = traitlets.Int(3).tag(sync=True, role="param")
    r = traitlets.Int(4).tag(sync=True, role="param")
    kinds = traitlets.List(traitlets.Unicode(), list(PATH_KINDS)).tag(sync=True, role="data")

    def __init__(self, n: int = 24, i: int | None = None, j: int = 0, *, k: int = 3, r: int = 4,
                 title: str = "The path between two positions") -> None:
        n = _int_in("n", n, *N_RANGE)
        i = _int_in("i", n - 1 if i is None else i, 0, n - 1)
        j = _int_in("j", j, 0, i)
        super().__init__(n=n, i=i, j=j, k=_int_in("k", k, *K_RANGE), r=_int_in("r", r, *R_RANGE),
                         kinds=list(PATH_KINDS), title=title)

    @classmethod
    def demo(cls) -> PathsView:
        return cls(n=24, i=20, j=3, k=3, r=4)

    def positions(self) -> tuple[int, int]:
        """``(i, j)`` as drawn: ``i`` clipped to ``n − 1``, ``j`` to ``i``."""
        i = min(self.i, self.n - 1)
        return i, min(self.j, i)

    def readout(self) -> dict[str, Any]:
        i, j = self.positions()
        out: dict[str, Any] = {"lengths": [path_between(kind, i, j, k=self.k, r=self.r)
                                           for kind in PATH_KINDS]}
        for kind in PATH_KINDS:
            out[f"route_{kind}"] = [list(p) for p in path_route(kind, i, j, k=self.k, r=self.r)]
        return out

    def fallback_figure(self) -> Any:
        from ..plots.style import new_figure

        i, j = self.positions()
        lengths = self.readout()["lengths"]
        fig, ax = new_figure(1, width=5.0, height=2.4)
        names = ["recurrent chain", "dilated convs", "contiguous convs",
                 f"windowed attention (r = {self.r})", "one attention layer"]
        ax.barh(names, lengths, color=["#D55E00", "#009E73", "#56B4E9", "#CC79A7", "#0072B2"])
        ax.invert_yaxis()
        ax.set(xlabel="layers (steps) between the two positions",
               title=f"from input {j} to output {i} (n = {self.n}, k = {self.k})")
        return fig
