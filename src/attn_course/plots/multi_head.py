"""Figures of chapter 7: heads side by side, their cost, and what ablating a head breaks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import COLORS, attention_heatmap, new_figure, to_numpy

__all__ = ["plot_ablation", "plot_head_cost", "plot_head_maps", "plot_head_sweep", "plot_loss"]


def plot_head_maps(weights: Any, tokens: Sequence[str] | None = None, *,
                   head_names: Sequence[str] | None = None, title: str = "") -> Figure:
    """One heatmap per head: ``weights (H, n_q, n_k)``; heads are named from 1 by default."""
    w = to_numpy(weights)
    if w.ndim != 3:
        raise ValueError(f"weights must have shape (H, n_q, n_k), got {w.shape}")
    H = w.shape[0]
    fig, axes = new_figure(H, 1, width=3.3, height=3.1)
    axes = np.atleast_1d(axes)
    for h, ax in enumerate(axes):
        name = head_names[h] if head_names is not None else f"head {h + 1}"
        attention_heatmap(w[h], x_labels=tokens, y_labels=tokens, ax=ax, title=name)
    if title:
        fig.suptitle(title)
    return fig


def plot_head_cost(n_heads: Sequence[int], flops: Sequence[float], times_ms: Sequence[float],
                   *, d_model: int, n: int) -> Figure:
    """FLOPs (left) and measured wall time (right) of multi-head attention against ``n_heads``."""
    h = np.asarray(n_heads)
    fig, (a0, a1) = new_figure(2, 1, width=3.8, height=3.0)
    a0.bar([str(v) for v in h], np.asarray(flops) / 1e6, color=COLORS["blue"])
    a0.set_title(f"Matmul FLOPs (N={n}, d_model={d_model})")
    a0.set_xlabel("number of heads H (d_k = d_model / H)")
    a0.set_ylabel("MFLOP")
    a1.bar([str(v) for v in h], times_ms, color=COLORS["orange"])
    a1.set_title("Measured wall time (CPU, median)")
    a1.set_xlabel("number of heads H (d_k = d_model / H)")
    a1.set_ylabel("milliseconds")
    return fig


def plot_loss(histories: dict[str, Sequence[float]], *, title: str = "Training loss",
              logy: bool = True, smooth: int = 1) -> Figure:
    """Loss curves, one per named run; ``smooth`` = width of a moving average."""
    fig, ax = new_figure(width=5.0, height=3.2)
    palette = [COLORS[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky")]
    for (name, loss), color in zip(histories.items(), palette):
        y = np.asarray(loss, dtype=float)
        if smooth > 1 and y.size >= smooth:
            y = np.convolve(y, np.ones(smooth) / smooth, mode="valid")
        ax.plot(np.arange(y.size) + (smooth - 1 if smooth > 1 else 0), y, color=color,
                label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss (cross-entropy)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def plot_ablation(conditions: Sequence[str], accuracies: dict[str, Sequence[float]], *,
                  chance: dict[str, float] | None = None,
                  title: str = "What breaks when a head is switched off") -> Figure:
    """Grouped bars: for each condition (e.g. "all heads", "without head 0"), one bar per job."""
    fig, ax = new_figure(width=5.4, height=3.2)
    jobs = list(accuracies)
    width = 0.8 / len(jobs)
    x = np.arange(len(conditions))
    palette = [COLORS["blue"], COLORS["orange"], COLORS["green"], COLORS["vermillion"]]
    for j, (job, color) in enumerate(zip(jobs, palette)):
        vals = np.asarray(accuracies[job], dtype=float)
        ax.bar(x + (j - (len(jobs) - 1) / 2) * width, vals, width, label=job, color=color)
        if chance is not None and job in chance:
            ax.axhline(chance[job], color=color, ls=":", lw=1)
    ax.set_xticks(x, list(conditions))
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5),
              title="job (dotted: chance)", title_fontsize=8)
    return fig


def plot_head_sweep(sweep: Any, *, smooth: int = 10) -> Figure:
    """Training loss (log scale, moving average over ``smooth`` steps) of every run of a
    :class:`attn_course.experiments.multi_head.HeadSweep`, coloured by the number of heads."""
    colors = [COLORS["vermillion"], COLORS["blue"], COLORS["green"], COLORS["purple"]]
    fig, ax = new_figure(width=5.6, height=3.4)
    k = np.ones(smooth) / smooth
    for i, H in enumerate(sweep.n_heads):
        for j in range(len(sweep.seeds)):
            y = np.convolve(np.asarray(sweep.loss[i, j]), k, "valid")
            ax.plot(np.arange(smooth, len(y) + smooth), y, color=colors[i % len(colors)],
                    lw=1.2, alpha=0.85,
                    label=f"{H} head{'s' if H > 1 else ''}" if j == 0 else None)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel(f"training loss (moving average over {smooth} steps)")
    ax.set_title(f"The same parameters with {', '.join(map(str, sweep.n_heads))} heads "
                 f"({len(sweep.seeds)} seeds each)")
    ax.legend(fontsize=8)
    return fig
