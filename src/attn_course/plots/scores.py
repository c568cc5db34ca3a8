"""Figures for chapter 3: the alignment scores side by side, their costs, their blind spots."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import CMAP, COLORS, PALETTE, new_figure, to_numpy

__all__ = ["plot_key_length_sweep", "plot_learned_scores", "plot_score_costs",
           "plot_score_weights"]


def plot_score_weights(
    weights: dict[str, Any],
    *,
    query_labels: Sequence[str] | None = None,
    key_labels: Sequence[str] | None = None,
) -> Figure:
    """One heatmap of softmax weights ``(n_q, n_k)`` per score, on a shared 0–1 colour scale."""
    names = list(weights)
    ncols = 3
    nrows = (len(names) + ncols - 1) // ncols
    fig, axes = new_figure(ncols, nrows, width=3.3, height=2.6)
    axes = np.atleast_1d(axes).ravel()
    im = None
    for ax, name in zip(axes, names):
        w = to_numpy(weights[name])
        if w.ndim != 2:
            raise ValueError(f"weights[{name!r}] must have shape (n_q, n_k), got {w.shape}")
        im = ax.imshow(w, cmap=CMAP, vmin=0.0, vmax=1.0, aspect="auto")
        ax.set_title(name.replace("_", " "))
        ax.set_xlabel("key")
        ax.set_ylabel("query")
        if key_labels is not None:
            ax.set_xticks(range(len(key_labels)), list(key_labels))
        if query_labels is not None:
            ax.set_yticks(range(len(query_labels)), list(query_labels))
    for ax in axes[len(names):]:
        ax.set_visible(False)
    fig.suptitle("Attention weights from six score functions (same queries and keys)")
    fig.colorbar(im, ax=list(axes[: len(names)]), label="weight", shrink=0.8)
    return fig


def plot_score_costs(rows: Sequence[dict[str, Any]]) -> Figure:
    """Bars per score: learned parameters, FLOPs (matrix products vs element-wise), time.

    Args:
        rows: the output of :func:`attn_course.experiments.scores.score_cost_table`.
    """
    names = [r["name"].replace("_", " ") for r in rows]
    x = np.arange(len(rows))
    fig, (a0, a1, a2) = new_figure(3, width=3.6, height=3.2)
    a0.bar(x, [r["params"] for r in rows], color=COLORS["green"])
    a0.set_title("Learned parameters")
    a0.set_ylabel("count")
    mm = np.array([r["matmul_flops"] for r in rows]) / 1e6
    ew = np.array([r["flops"] - r["matmul_flops"] for r in rows]) / 1e6
    a1.bar(x, mm, color=COLORS["blue"], label="matrix products")
    a1.bar(x, ew, bottom=mm, color=COLORS["orange"], label="element-wise")
    a1.set_title("FLOPs per score matrix")
    a1.set_ylabel("MFLOP")
    a1.legend(fontsize=7)
    a2.bar(x, [r["seconds"] * 1e3 for r in rows], color=PALETTE[3])
    a2.set_yscale("log")
    a2.set_title("Measured time (1 thread)")
    a2.set_ylabel("milliseconds (log scale)")
    for ax in (a0, a1, a2):
        ax.set_xticks(x, names, rotation=40, ha="right")
        ax.set_xlabel("score")
    return fig


def plot_key_length_sweep(lengths: Any, weights: dict[str, Any], *, crossover: float) -> Figure:
    """Weight on a misaligned key B vs its length, one line per score.

    Args:
        lengths: ``(m,)`` lengths of key B.
        weights: ``{name: (m,)}`` from :func:`attn_course.experiments.scores.key_length_sweep`.
        crossover: the length at which B's dot product equals the aligned key's.
    """
    L = to_numpy(lengths)
    fig, ax = new_figure(width=5.0, height=3.4)
    names = {"distance": "distance −½‖q − k‖²"}
    for i, (name, w) in enumerate(weights.items()):
        ax.plot(L, to_numpy(w), lw=2, color=PALETTE[i % len(PALETTE)],
                label=names.get(name, name.replace("_", " ")))
    ax.axhline(0.5, color=COLORS["black"], ls=":", lw=1, label="equal weight")
    ax.axvline(crossover, color=COLORS["vermillion"], ls="--", lw=1,
               label=f"|B| cos θ = |A|  (|B| = {crossover:.2f})")
    ax.set_xlabel("length of key B (key A: aligned with the query, length 1)")
    ax.set_ylabel("weight on key B")
    ax.set_ylim(0, 1)
    ax.set_title("Dot product prefers long keys; cosine ignores length"
                 + ("; distance penalises it" if "distance" in weights else ""))
    ax.legend(fontsize=8)
    return fig


def plot_learned_scores(r: Any) -> Figure:
    """Grouped bars, one group per score: the share of test queries that retrieve the right
    value before training, after training, and after shuffling the keys with their values
    (mean over seeds; error bars from the smallest to the largest).

    Args:
        r: a :class:`attn_course.experiments.learned_scores.LearnedScores`.
    """
    names = list(r.accuracy)
    stages = ["before training", "after training", "keys + values shuffled"]
    colors = [COLORS["sky"], COLORS["blue"], COLORS["vermillion"]]
    fig, ax = new_figure(width=6.4, height=3.6)
    x = np.arange(len(names))
    w = 0.27
    for j, (stage, c) in enumerate(zip(stages, colors)):
        a = np.stack([100 * np.asarray(r.accuracy[n])[:, j] for n in names])  # (n_scores, n_seeds)
        m = a.mean(1)
        ax.bar(x + (j - 1) * w, m, w, color=c, label=stage,
               yerr=[m - a.min(1), a.max(1) - m], capsize=2)
    n_k = 6
    ax.axhline(100 / n_k, color=COLORS["black"], ls=":", lw=1, label=f"chance (1 of {n_k} keys)")
    ax.set_xticks(x, [n.replace("_", " ") for n in names])
    ax.set_ylim(0, 128)
    ax.set_yticks(range(0, 101, 20))
    ax.set_xlabel("score (dot and cosine learn nothing: their three bars are equal)")
    ax.set_ylabel("test queries retrieving the right value (%)")
    ax.set_title(f"Which scores learn the match, and which learn positions ({len(r.seeds)} seeds)")
    ax.legend(fontsize=7, loc="upper center", ncol=4)
    return fig
