"""Figures of chapter 8: accuracy vs sentence length, alignments, score functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import COLORS, PALETTE, attention_heatmap, new_figure, to_numpy

__all__ = ["plot_accuracy_by_length", "plot_alignment", "plot_context_sweep",
           "plot_score_comparison", "plot_training_losses", "plot_validation_curves"]


def plot_accuracy_by_length(lengths: Mapping[str, Sequence[int]],
                            accuracy: Mapping[str, Sequence[float]], *,
                            train_max: int | None = None,
                            spread: Mapping[str, tuple[Sequence[float], Sequence[float]]]
                            | None = None,
                            ylabel: str = "word accuracy (greedy decoding)",
                            title: str = "Test accuracy vs source sentence length") -> Figure:
    """One line per model: accuracy (0–1) against the source length in words.

    ``train_max``: if given, lengths beyond it are shaded as "longer than any training sentence".
    ``spread``: per model, the lowest and highest value at each length (e.g. over seeds),
    drawn as a band around the line.
    """
    fig, ax = new_figure(width=6.4, height=3.6)
    for (name, acc), color, marker in zip(accuracy.items(), PALETTE, "osD^v"):
        ax.plot(lengths[name], acc, marker=marker, ms=4, color=color, label=name)
        if spread is not None and name in spread:
            ax.fill_between(lengths[name], *spread[name], color=color, alpha=0.2, lw=0)
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


def plot_context_sweep(widths: Sequence[int], accuracy: Mapping[str, Sequence[Sequence[float]]],
                       *, xlabel: str = "size of the context vector c",
                       title: str = "No attention: accuracy vs the size of c") -> Figure:
    """One line per bucket: the mean over seeds against ``widths`` (log scale), every seed
    as a dot. ``accuracy[bucket][i]`` holds the seeds' values at ``widths[i]``."""
    fig, ax = new_figure(width=6.0, height=3.4)
    for (name, per_width), color, marker in zip(accuracy.items(), PALETTE, "osD^v"):
        ax.plot(widths, [np.mean(v) for v in per_width], marker=marker, ms=5, color=color,
                label=name)
        for w, v in zip(widths, per_width):
            ax.scatter([w] * len(v), v, s=10, color=color, alpha=0.6)
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(widths), [str(w) for w in widths])
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("word accuracy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return fig


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


def plot_validation_curves(curves: Mapping[str, Sequence[Sequence[tuple[int, float]]]], *,
                           ylabel: str = "validation word accuracy",
                           title: str = "Validation accuracy during training") -> Figure:
    """One colour per model, one line per run: ``curves[name]`` lists runs, each a list of
    ``(step, accuracy)`` pairs."""
    fig, ax = new_figure(width=6.0, height=3.2)
    for (name, runs), color in zip(curves.items(), PALETTE):
        for i, run in enumerate(runs):
            steps, acc = zip(*run)
            ax.plot(steps, acc, marker="o", ms=3, color=color, alpha=0.8,
                    label=name if i == 0 else None)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return fig
