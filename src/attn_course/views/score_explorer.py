"""Score explorer (chapter 3): one set of queries and keys, six ways to score them.

The reader picks the alignment score (dot, scaled dot, general, additive, cosine,
location) and a temperature; the browser recomputes the scores with the functions of
``views/js/math`` (mirroring :mod:`attn_course.core.scores`) and their softmax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import traitlets

from ..core.scores import SCORE_NAMES, SCORE_PARAMETERS
from ..core.scores import score as score_by_name
from ..core.softmax import softmax
from ._base import AttnView, as_matrix, as_vector, check_temperature

__all__ = ["SCORE_KINDS", "ScoreExplorer", "score_matrix"]

SCORE_KINDS = SCORE_NAMES


def score_matrix(kind: str, queries: Any, keys: Any, params: Mapping[str, Any]) -> np.ndarray:
    """Scores ``(n_q, n_k)`` of ``kind`` by :func:`attn_course.core.scores.score` (``params`` as
    in :class:`ScoreExplorer`; empty ones count as absent)."""
    q = np.asarray(queries, dtype=np.float64)
    k = np.asarray(keys, dtype=np.float64)
    p = {name: np.asarray(v, dtype=np.float64) for name, v in params.items() if len(v)}
    return score_by_name(kind, q, k, p)


class ScoreExplorer(AttnView):
    """Queries against keys under a chosen alignment score, as a heatmap of weights.

    Args:
        queries: ``(n_q, d_q)``.
        keys: ``(n_k, d_k)``.
        score: the first score shown, one of ``SCORE_KINDS``.
        temperature: positive; the weights are ``softmax(scores / temperature)``.
        params: the matrices of the scores that need them: ``"W"`` ``(d_q, d_k)`` (general),
            ``"W_q"`` ``(d_q, d_a)``, ``"W_k"`` ``(d_k, d_a)``, ``"w_v"`` ``(d_a,)`` (additive),
            ``"W_loc"`` ``(d_q, n_k)`` (location). Scores without their parameters are not offered.
        query_labels, key_labels: optional names.
        selected: the query whose row is shown as bars.
        title: a heading shown above the view.
    """

    view_name = "score"
    _view_js = "score_explorer.js"

    queries = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    key_vectors = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    W = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    W_q = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    W_k = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    w_v = traitlets.List(traitlets.Float()).tag(sync=True, role="data")
    W_loc = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    kinds = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    query_labels = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    key_labels = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    score = traitlets.Unicode("dot").tag(sync=True, role="param")
    temperature = traitlets.Float(1.0).tag(sync=True, role="param")
    selected = traitlets.Int(0).tag(sync=True, role="param")

    def __init__(
        self,
        queries: Any,
        keys: Any,
        score: str = "dot",
        temperature: float = 1.0,
        params: Mapping[str, Any] | None = None,
        *,
        query_labels: Sequence[str] | None = None,
        key_labels: Sequence[str] | None = None,
        selected: int = 0,
        title: str = "Score explorer",
    ) -> None:
        q = np.asarray(as_matrix("queries", queries))
        k = np.asarray(as_matrix("keys", keys))
        (n_q, d_q), (n_k, d_k) = q.shape, k.shape
        params = dict(params or {})
        unknown = set(params) - {"W", "W_q", "W_k", "w_v", "W_loc"}
        if unknown:
            raise ValueError(f"params has unknown entries {sorted(unknown)}; "
                             "expected W, W_q, W_k, w_v, W_loc")
        p: dict[str, list] = {"W": [], "W_q": [], "W_k": [], "w_v": [], "W_loc": []}
        if "W" in params:
            p["W"] = as_matrix("params['W']", params["W"], (d_q, d_k))
        if "W_loc" in params:
            p["W_loc"] = as_matrix("params['W_loc']", params["W_loc"], (d_q, n_k))
        additive = [n for n in ("W_q", "W_k", "w_v") if n in params]
        if additive and len(additive) != 3:
            raise ValueError(f"the additive score needs W_q, W_k and w_v; got only {additive}")
        if additive:
            p["W_q"] = as_matrix("params['W_q']", params["W_q"], (d_q, None))
            d_a = len(p["W_q"][0])
            p["W_k"] = as_matrix("params['W_k']", params["W_k"], (d_k, d_a))
            p["w_v"] = as_vector("params['w_v']", params["w_v"], d_a)
        kinds = [kd for kd in SCORE_KINDS
                 if all(len(p[n]) for n in SCORE_PARAMETERS[kd])
                 and (d_q == d_k or kd not in ("dot", "scaled_dot", "cosine"))]
        if score not in kinds:
            raise ValueError(f"score must be one of {kinds} for these inputs (queries {q.shape}, "
                             f"keys {k.shape}, params {sorted(params)}), got {score!r}")
        query_labels = list(query_labels or [f"q{i + 1}" for i in range(n_q)])
        key_labels = list(key_labels or [f"k{j + 1}" for j in range(n_k)])
        if len(query_labels) != n_q or len(key_labels) != n_k:
            raise ValueError(f"query_labels/key_labels must have {n_q}/{n_k} entries, got "
                             f"{len(query_labels)}/{len(key_labels)}")
        if not 0 <= selected < n_q:
            raise ValueError(f"selected must be a query index in [0, {n_q}), got {selected}")
        super().__init__(
            queries=q.tolist(), key_vectors=k.tolist(), kinds=kinds, score=score,
            temperature=check_temperature(temperature), selected=int(selected),
            query_labels=[str(s) for s in query_labels], key_labels=[str(s) for s in key_labels],
            title=title, **p,
        )

    @classmethod
    def demo(cls) -> ScoreExplorer:
        rng = np.random.default_rng(0)
        return cls(rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), score="dot",
                   params={"W": rng.normal(size=(4, 4)), "W_q": rng.normal(size=(4, 6)),
                           "W_k": rng.normal(size=(4, 6)), "w_v": rng.normal(size=6),
                           "W_loc": rng.normal(size=(4, 5))})

    def _scores(self) -> tuple[np.ndarray, np.ndarray]:
        params = {"W": self.W, "W_q": self.W_q, "W_k": self.W_k, "w_v": self.w_v,
                  "W_loc": self.W_loc}
        s = score_matrix(self.score, self.queries, self.key_vectors, params)
        return s, softmax(s, axis=-1, temperature=self.temperature)

    @property
    def weights(self) -> np.ndarray:
        """``(n_q, n_k)`` the weights for the current score and temperature."""
        return self._scores()[1]

    def readout(self) -> dict[str, Any]:
        s, w = self._scores()
        return {"scores": s.tolist(), "weights": w.tolist()}

    def fallback_figure(self) -> Any:
        from ..plots.style import attention_heatmap

        return attention_heatmap(self.weights, x_labels=self.key_labels,
                                 y_labels=self.query_labels, annotate=True,
                                 title=f"{self.score} score, T = {self.temperature:g}")
