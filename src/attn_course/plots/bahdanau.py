"""Figures of chapter 8: accuracy vs sentence length, alignments, score functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import COLORS, PALETTE, attention_heatmap, new_figure, to_numpy

__all__ = ["plot_accuracy_by_length", "plot_alignment", "plot_score_comparison",
           "plot_training_losses"]


def plot_accuracy_by_length(lengths: Mapping[str, Sequence[int]],
                            accuracy: Mapping[str, Sequence[float]], *,
                            train_max: int | None = None,
                            ylabel: str = "word accuracy (greedy decoding)",
                            title: str = "Test accuracy vs source sentence length") -> Figure:
    """One line per model: accuracy (0–1) against the source length in words.

    ``train_max``: if given, lengths beyond it are shaded as "longer than any training sentence".
    """
    fig, ax = new_figure(width=6.4, height=3.6)
    for (name, acc), color, marker in zip(accuracy.items(), PALETTE, "osD^v"):
        ax.plot(lengths[name], acc, marker=marker, ms=4, color=color, label=name)
    if train_max is not None:
        hi = max(max(v) for v in lengths.values())
        if hi > train_max:
            ax.axvspan(train_max + 0.5, hi + 0.5, color=COLORS["yellow"], alpha=0.25,
                       label="longer than training")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("source sentence length (words)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    return fig


def plot_alignment(weights: Any, source: Sequence[str], output: Sequence[str], *,
                   title: str = "Alignment learned by additive attention") -> Figure:
    """Heatmap of ``(n_out, n_in)`` weights: rows = output words, columns = input words."""
    w = to_numpy(weights)[: len(output), : len(source)]
    return attention_heatmap(w, x_labels=list(source), y_labels=list(output), title=title,
                             xlabel="source word (key)", ylabel="output word (query)")


def plot_score_comparison(names: Sequence[str], mean_acc: Sequence[float],
                          long_acc: Sequence[float], *, long_label: str = "longest sentences",
                          title: str = "Word accuracy of every decoder (same training budget)"
                          ) -> Figure:
    """Grouped bars: mean word accuracy over all lengths and on the longest sentences."""
    fig, ax = new_figure(width=6.4, height=3.6)
    x = np.arange(len(names))
    b1 = ax.bar(x - 0.2, mean_acc, 0.4, color=COLORS["blue"], label="all test lengths")
    b2 = ax.bar(x + 0.2, long_acc, 0.4, color=COLORS["orange"], label=long_label)
    for bars in (b1, b2):
        ax.bar_label(bars, fmt="%.3f", fontsize=7, padding=2)
    ax.set_xticks(x, [name.replace(" ", "\n", 1) for name in names])
    ax.set_ylim(0, 1.3)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("word accuracy")
    ax.set_xlabel("model (decoder and score function)")
    ax.set_title(title)
    ax.legend(loc="upper center", ncols=2, fontsize=8, frameon=False)
    return fig


def plot_training_losses(losses: Mapping[str, Sequence[float]], *, smooth: int = 20,
                         title: str = "Training loss (same data, same number of steps)"
                         ) -> Figure:
    """Moving average (window ``smooth``) of each model's per-step cross-entropy, log scale."""
    fig, ax = new_figure(width=6.0, height=3.2)
    for (name, loss), color in zip(losses.items(), PALETTE):
        arr = np.asarray(loss, dtype=float)
        k = max(1, min(smooth, len(arr)))
        ma = np.convolve(arr, np.ones(k) / k, mode="valid")
        ax.plot(np.arange(k, len(arr) + 1), ma, color=color, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("cross-entropy (nats)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
