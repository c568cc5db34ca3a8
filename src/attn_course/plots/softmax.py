"""Figures for chapter 5: temperature, and the online softmax's running state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import COLORS, PALETTE, new_figure, to_numpy

__all__ = ["plot_online_trace", "plot_temperature"]


def plot_temperature(
    weights: Any,
    temperatures: Sequence[float],
    sweep_temperatures: Any,
    sweep_entropy: Any,
    *,
    labels: Sequence[str] | None = None,
) -> Figure:
    """Left: the weights of one logit vector at a few temperatures; right: entropy vs temperature.

    Args:
        weights: ``(n_T, n)`` softmax weights, one row per temperature in ``temperatures``.
        temperatures: the ``n_T`` temperatures of the rows of ``weights``.
        sweep_temperatures: ``(m,)`` temperatures of the entropy curve (log-spaced).
        sweep_entropy: ``(m,)`` entropy (nats) of the weights at each of them.
        labels: names of the ``n`` entries (default ``0 … n-1``).
    """
    w = to_numpy(weights)
    if w.ndim != 2 or w.shape[0] != len(temperatures):
        raise ValueError(f"weights must have shape (n_T={len(temperatures)}, n), got {w.shape}")
    n_t, n = w.shape
    labels = [str(i) for i in range(n)] if labels is None else list(labels)
    fig, (ax0, ax1) = new_figure(2, width=4.6)
    width = 0.8 / n_t
    for i, t in enumerate(temperatures):
        ax0.bar(np.arange(n) + (i - (n_t - 1) / 2) * width, w[i], width,
                color=PALETTE[i % len(PALETTE)], label=f"T = {t:g}")
    ax0.set_xticks(range(n), labels)
    ax0.set_ylim(0, 1.05)
    ax0.set_xlabel("entry")
    ax0.set_ylabel("weight")
    ax0.set_title("Softmax weights at several temperatures")
    ax0.legend(fontsize=8)
    ts, h = to_numpy(sweep_temperatures), to_numpy(sweep_entropy)
    ax1.plot(ts, h, color=COLORS["blue"], lw=2, label="entropy of the weights")
    ax1.axhline(np.log(n), color=COLORS["vermillion"], ls="--",
                label=f"log n = {np.log(n):.2f} (uniform)")
    ax1.axhline(0, color=COLORS["black"], ls=":", label="0 (one-hot)")
    ax1.set_xscale("log")
    ax1.set_xlabel("temperature T (log scale)")
    ax1.set_ylabel("entropy (nats)")
    ax1.set_title("From argmax (T → 0) to uniform (T → ∞)")
    ax1.legend(fontsize=8)
    return fig


def plot_online_trace(x: Any, trace: dict[str, list[float]], block_size: int) -> Figure:
    """The logits split into blocks (left) and the running maximum and sum after each block (right).

    Args:
        x: ``(n,)`` logits of one row.
        trace: the output of :func:`attn_course.core.online_softmax.online_softmax_trace`.
        block_size: the block size used for ``trace``.
    """
    x = to_numpy(x)
    n = x.shape[0]
    fig, (ax0, ax1) = new_figure(2, width=4.6)
    for b, start in enumerate(range(0, n, block_size)):
        idx = np.arange(start, min(start + block_size, n))
        ax0.bar(idx, x[idx], color=PALETTE[b % len(PALETTE)], label=f"block {b + 1}")
    ax0.set_xlabel("position j")
    ax0.set_ylabel("logit $x_j$")
    ax0.set_title(f"Logits streamed in blocks of {block_size}")
    ax0.legend(fontsize=8, ncols=2)
    steps = np.arange(1, len(trace["m"]) + 1)
    ax1.plot(steps, trace["m"], "s--", color=COLORS["blue"], lw=1.5, label="running max m")
    ax1.set_xlabel("blocks seen")
    ax1.set_ylabel("running max m", color=COLORS["blue"])
    ax2 = ax1.twinx()
    ax2.plot(steps, trace["l"], "o-", color=COLORS["orange"], label="running sum l")
    ax2.set_ylabel("running sum l = Σ exp(x − m)", color=COLORS["orange"])
    for s, r in zip(steps, trace["rescale"]):
        if 0 < r < 1:
            ax2.annotate(f"×{r:.2g}", (s, trace["l"][s - 1]), textcoords="offset points",
                         xytext=(4, 6), fontsize=8, color=COLORS["vermillion"])
    ax1.set_xticks(steps)
    ax2.spines["right"].set_visible(True)
    ax1.set_title("The state (m, l) after each block\n(red: rescale factor exp(m_old − m_new))")
    return fig
