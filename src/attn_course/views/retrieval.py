"""Retrieval playground (chapter 2): drag a query among 2-D keys, watch the soft lookup.

The browser recomputes ``weights = softmax(-‖q − k_i‖² / temperature)`` and the
retrieved value ``Σ_i w_i v_i`` on every move: the same computation as
:func:`attn_course.core.retrieval.soft_lookup`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets

from ..core.retrieval import soft_lookup
from ..core.softmax import entropy
from ._base import AttnView, as_matrix, as_vector, check_temperature

__all__ = ["RetrievalPlayground"]


class RetrievalPlayground(AttnView):
    """Keys in the plane with scalar values; the reader moves the query and the temperature.

    Args:
        keys: ``(n, 2)`` key positions.
        values: ``(n,)`` the value stored under each key.
        query: ``(2,)`` the first position of the query.
        temperature: positive; small → the nearest key wins, large → the mean of all values.
        labels: optional ``n`` key names (default ``k1 … kn``).
        extent: ``(x_min, x_max, y_min, y_max)`` of the plane (default: the keys' box + margin).
        title: a heading shown above the view.

    Traits (synced both ways with a kernel): ``query``, ``temperature`` (params);
    ``key_xy`` (the keys), ``values``, ``labels``, ``extent`` (data). :attr:`weights` and
    :attr:`value` give what the view shows for the current setting.
    """

    view_name = "retrieval"
    _view_js = "retrieval.js"

    # (n, 2); not called ``keys``: ipywidgets reserves that name for its list of synced traits.
    key_xy = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    values = traitlets.List(traitlets.Float()).tag(sync=True, role="data")
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    extent = traitlets.List(traitlets.Float(), [0.0, 1.0, 0.0, 1.0], minlen=4, maxlen=4).tag(
        sync=True, role="data"
    )
    query = traitlets.List(traitlets.Float(), [0.0, 0.0], minlen=2, maxlen=2).tag(
        sync=True, role="param"
    )
    temperature = traitlets.Float(1.0).tag(sync=True, role="param")

    def __init__(
        self,
        keys: Any,
        values: Any,
        query: Sequence[float] = (0.0, 0.0),
        temperature: float = 1.0,
        *,
        labels: Sequence[str] | None = None,
        extent: Sequence[float] | None = None,
        title: str = "Retrieval playground",
    ) -> None:
        k = as_matrix("keys", keys, (None, 2))
        n = len(k)
        if n == 0:
            raise ValueError("keys must have shape (n, 2) with n ≥ 1, got (0, 2)")
        try:
            v = as_vector("values", values, n)
        except ValueError as err:
            raise ValueError(f"{err} (keys have shape ({n}, 2))") from None
        q = as_vector("query", query, 2)
        if labels is None:
            labels = [f"k{i + 1}" for i in range(n)]
        if len(labels) != n:
            raise ValueError(f"labels must have {n} entries (one per key), got {len(labels)}")
        if extent is None:
            ka = np.asarray(k)
            lo, hi = ka.min(axis=0), ka.max(axis=0)
            pad = 0.15 * max(float((hi - lo).max()), 1.0)
            extent = [lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad]
        ext = as_vector("extent", extent, 4)
        if not (ext[0] < ext[1] and ext[2] < ext[3]):
            raise ValueError(
                f"extent must be (x_min, x_max, y_min, y_max) with min < max, got {ext}"
            )
        super().__init__(
            key_xy=k, values=v, query=q, temperature=check_temperature(temperature),
            labels=[str(s) for s in labels], extent=ext, title=title,
        )

    @classmethod
    def demo(cls) -> RetrievalPlayground:
        from ..data.key_value import make_key_value_store

        keys, values = make_key_value_store(6, seed=1)
        return cls(keys, values, query=(0.5, -1.0), temperature=1.0)

    def _lookup(self) -> tuple[np.ndarray, np.ndarray]:
        value, weights = soft_lookup(
            np.asarray(self.query, dtype=np.float64),
            np.asarray(self.key_xy, dtype=np.float64),
            np.asarray(self.values, dtype=np.float64),
            temperature=self.temperature,
        )
        return np.asarray(value), weights

    @property
    def weights(self) -> np.ndarray:
        """``(n,)`` the attention weights for the current query and temperature."""
        return self._lookup()[1]

    @property
    def value(self) -> float:
        """The retrieved value ``Σ_i w_i v_i`` for the current query and temperature."""
        return float(self._lookup()[0])

    def readout(self) -> dict[str, Any]:
        value, weights = self._lookup()
        return {
            "weights": weights.tolist(),
            "value": float(value),
            "entropy": float(entropy(weights)),
        }

    def fallback_figure(self) -> Any:
        from ..plots.style import COLORS, new_figure

        value, weights = self._lookup()
        k = np.asarray(self.key_xy)
        fig, (ax0, ax1) = new_figure(2, width=3.6, height=3.0)
        ax0.scatter(k[:, 0], k[:, 1], s=30 + 400 * weights, color=COLORS["blue"], label="keys")
        for (x, y), v in zip(k, self.values):
            ax0.annotate(f"{v:.2f}", (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8)
        ax0.scatter(*self.query, marker="*", s=160, color=COLORS["orange"], label="query")
        ax0.set(xlim=self.extent[:2], ylim=self.extent[2:], xlabel="$x$", ylabel="$y$",
                title=f"Keys and query (T = {self.temperature:g})")
        ax0.legend(fontsize=8, loc="lower right")
        ax1.barh(self.labels, weights, color=COLORS["blue"])
        ax1.invert_yaxis()
        ax1.set(xlabel="weight", title=f"Weights; retrieved value {float(value):.3f}")
        return fig
