"""Scaling explorer (chapter 4): why the scores are divided by √d_k.

Random queries and keys with unit-variance entries give dot products whose standard
deviation grows like √d_k; without the scaling the softmax saturates (one weight near
1, entropy near 0). The browser draws ``q`` and ``K`` from a seed with the generator of
:mod:`attn_course.views.prng` (the same numbers as Python), recomputes the scores with
the dot or scaled dot score, and shows the weights and their entropy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from ..core.scores import dot_score, scaled_dot_score
from ..core.softmax import entropy, softmax
from ._base import AttnView
from .prng import normals

__all__ = ["ScalingExplorer", "scaling_draws", "scaling_summary"]

MAX_D_K = 1024


def scaling_draws(seed: int, d_k: int, n_keys: int, n_trials: int) -> tuple[np.ndarray, np.ndarray]:
    """The browser's random draws: ``q (n_trials, 1, d_k)`` and ``K (n_trials, n_keys, d_k)``.

    One stream of standard normals from ``seed``; each trial takes ``d_k`` numbers for its
    query, then ``n_keys · d_k`` for its keys (row by row).
    """
    z = normals(seed, n_trials * (1 + n_keys) * d_k)
    z = z.reshape(n_trials, 1 + n_keys, d_k)  # (n_trials, 1 + n_keys, d_k)
    return z[:, :1], z[:, 1:]


def scaling_summary(seed: int, d_k: int, n_keys: int, n_trials: int,
                    scaled: bool = True) -> dict[str, Any]:
    """What the scaling explorer shows: for the draws of :func:`scaling_draws`, the scores
    ``q·k`` (``/√d_k`` if ``scaled``), their softmax and its entropy.

    Returns ``weights`` ``(n_keys,)`` and ``entropy`` of the first draw, ``mean_entropy``,
    ``mean_max_weight``, ``score_std`` (of all ``n_trials · n_keys`` scores) and
    ``entropies`` ``(n_trials,)``; ``scalingSummary`` of ``views/js/math`` computes the same
    in the browser.
    """
    q, K = scaling_draws(seed, d_k, n_keys, n_trials)
    score = scaled_dot_score if scaled else dot_score
    s = score(q, K)[:, 0]  # (n_trials, n_keys)
    w = softmax(s, axis=-1)  # (n_trials, n_keys)
    h = entropy(w, axis=-1)  # (n_trials,)
    return {
        "weights": w[0].tolist(),
        "entropy": float(h[0]),
        "mean_entropy": float(h.mean()),
        "mean_max_weight": float(w.max(axis=-1).mean()),
        "score_std": float(s.std()),
        "entropies": h.tolist(),
    }


class ScalingExplorer(AttnView):
    """Slide ``d_k`` (powers of two), toggle the 1/√d_k scaling, change the seed.

    Args:
        d_k: a power of two in ``[1, 1024]``.
        scaled: divide the dot products by √d_k.
        n_keys: number of keys each random query is compared with.
        seed: the random draws' seed (an integer in ``[0, 999]``).
        n_trials: number of independent (query, keys) draws summarised by the view.
        title: a heading shown above the view.

    Readout: the weights and entropy of the first draw, the mean entropy and mean largest
    weight over all draws, and the standard deviation of all scores.
    """

    view_name = "scaling"
    _view_js = "scaling.js"

    d_k = traitlets.Int(64).tag(sync=True, role="param")
    scaled = traitlets.Bool(True).tag(sync=True, role="param")
    seed = traitlets.Int(0).tag(sync=True, role="param")
    n_keys = traitlets.Int(16).tag(sync=True, role="data")
    n_trials = traitlets.Int(100).tag(sync=True, role="data")

    def __init__(
        self,
        d_k: int = 64,
        scaled: bool = True,
        n_keys: int = 16,
        seed: int = 0,
        *,
        n_trials: int = 100,
        title: str = "Scaling explorer",
    ) -> None:
        if int(d_k) != d_k or not 1 <= d_k <= MAX_D_K or int(d_k) & (int(d_k) - 1):
            raise ValueError(f"d_k must be a power of two in [1, {MAX_D_K}], got {d_k!r}")
        if int(n_keys) != n_keys or not 2 <= n_keys <= 64:
            raise ValueError(f"n_keys must be an integer in [2, 64], got {n_keys!r}")
        if int(seed) != seed or not 0 <= seed <= 999:
            raise ValueError(f"seed must be an integer in [0, 999], got {seed!r}")
        if int(n_trials) != n_trials or not 1 <= n_trials <= 500:
            raise ValueError(f"n_trials must be an integer in [1, 500], got {n_trials!r}")
        super().__init__(d_k=int(d_k), scaled=bool(scaled), n_keys=int(n_keys), seed=int(seed),
                         n_trials=int(n_trials), title=title)

    @classmethod
    def demo(cls) -> ScalingExplorer:
        return cls(d_k=64, scaled=True, n_keys=16, seed=0)

    def readout(self) -> dict[str, Any]:
        r = scaling_summary(self.seed, self.d_k, self.n_keys, self.n_trials, self.scaled)
        del r["entropies"]
        return r

    def fallback_figure(self) -> Any:
        from ..plots.style import COLORS, new_figure

        r = self.readout()
        fig, ax = new_figure(width=4.6, height=2.8)
        ax.bar(np.arange(1, self.n_keys + 1), r["weights"], color=COLORS["blue"])
        kind = "scaled" if self.scaled else "unscaled"
        ax.set(ylim=(0, 1), xlabel="key", ylabel="weight",
               title=f"d_k = {self.d_k}, {kind}: entropy {r['entropy']:.2f} "
                     f"(max {np.log(self.n_keys):.2f})")
        return fig
