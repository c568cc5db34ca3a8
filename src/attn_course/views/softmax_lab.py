"""Softmax lab (chapter 5): edit logits, the temperature and a mask; see weights and entropy.

The browser recomputes :func:`attn_course.softmax` (with ``temperature`` and a boolean
``mask``, True = keep) and :func:`attn_course.entropy` on every move.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets

from ..core.softmax import entropy, softmax
from ._base import AttnView, as_vector, check_temperature

__all__ = ["SoftmaxLab"]


class SoftmaxLab(AttnView):
    """One slider per logit, a keep/mask checkbox per entry and a temperature slider.

    Args:
        logits: ``(n,)`` the first logits (the sliders span at least ``[-6, 6]``).
        temperature: positive.
        mask: optional ``(n,)`` booleans, True = keep (default: keep all).
        labels: optional ``n`` names of the entries (default ``x1 … xn``).
        title: a heading shown above the view.

    Traits: ``logits``, ``temperature``, ``mask`` (params, synced both ways),
    ``labels``, ``logit_range`` (data).
    """

    view_name = "softmax"
    _view_js = "softmax_lab.js"

    logits = traitlets.List(traitlets.Float()).tag(sync=True, role="param")
    temperature = traitlets.Float(1.0).tag(sync=True, role="param")
    mask = traitlets.List(traitlets.Bool()).tag(sync=True, role="param")
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    logit_range = traitlets.List(traitlets.Float(), [-6.0, 6.0], minlen=2, maxlen=2).tag(
        sync=True, role="data"
    )

    def __init__(
        self,
        logits: Any,
        temperature: float = 1.0,
        mask: Any = None,
        labels: Sequence[str] | None = None,
        *,
        title: str = "Softmax lab",
    ) -> None:
        x = as_vector("logits", logits)
        n = len(x)
        if n == 0:
            raise ValueError("logits must have shape (n,) with n ≥ 1, got (0,)")
        if mask is None:
            m = [True] * n
        else:
            ma = np.asarray(mask)
            if ma.dtype != np.bool_ or ma.shape != (n,):
                raise ValueError(
                    f"mask must be boolean with shape ({n},) like logits (True = keep), "
                    f"got dtype {ma.dtype} with shape {ma.shape}"
                )
            m = ma.tolist()
        if labels is None:
            labels = [f"x{i + 1}" for i in range(n)]
        if len(labels) != n:
            raise ValueError(f"labels must have {n} entries (one per logit), got {len(labels)}")
        bound = max(6.0, float(np.ceil(np.max(np.abs(x)))))
        super().__init__(
            logits=x, temperature=check_temperature(temperature), mask=m,
            labels=[str(s) for s in labels], logit_range=[-bound, bound], title=title,
        )

    @classmethod
    def demo(cls) -> SoftmaxLab:
        return cls([2.0, 1.0, 0.1, -1.0], temperature=1.0,
                   mask=np.array([True, True, False, True]), labels=["a", "b", "c", "d"])

    @property
    def weights(self) -> np.ndarray:
        """``(n,)`` the softmax weights for the current logits, temperature and mask."""
        return softmax(
            np.asarray(self.logits, dtype=np.float64),
            temperature=self.temperature,
            mask=np.asarray(self.mask, dtype=bool),
        )

    def readout(self) -> dict[str, Any]:
        w = self.weights
        return {"weights": w.tolist(), "entropy": float(entropy(w))}

    def fallback_figure(self) -> Any:
        from ..plots.style import COLORS, new_figure

        w = self.weights
        fig, ax = new_figure(width=4.6, height=2.6)
        colors = [COLORS["blue"] if keep else COLORS["black"] for keep in self.mask]
        ax.bar(self.labels, w, color=colors)
        ax.set(ylim=(0, 1), xlabel="entry", ylabel="weight",
               title=f"softmax(x / {self.temperature:g}): entropy {float(entropy(w)):.3f} nats")
        return fig
