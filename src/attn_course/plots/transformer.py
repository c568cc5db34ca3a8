"""Figures of chapter 10: post- vs pre-norm training, causal masks, Transformer vs RNN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import CMAP, COLORS, attention_heatmap, new_figure, to_numpy

__all__ = ["plot_accuracy_vs_length", "plot_causal", "plot_layer_grad_norms", "plot_recall_budgets",
           "plot_stability"]

_PALETTE = [COLORS[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky")]


def plot_stability(histories: dict[str, dict[str, Sequence[float]]], *, smooth: int = 10,
                   title: str = "Post-norm vs pre-norm, same learning rate") -> Figure:
    """Loss (left) and gradient norm (right) per step, one line per named run.

    ``histories`` maps a run name to :func:`attn_course.tools.training.train`'s history.
    """
    fig, (a0, a1) = new_figure(2, 1, width=4.4, height=3.2)
    for (name, h), color in zip(histories.items(), _PALETTE):
        for ax, key in ((a0, "loss"), (a1, "grad_norm")):
            y = np.asarray(h[key], dtype=float)
            if smooth > 1 and y.size >= smooth:
                y = np.convolve(y, np.ones(smooth) / smooth, mode="valid")
            ax.plot(np.arange(y.size) + smooth - 1, y, color=color, label=name)
    a0.set_title("Training loss (moving average)")
    a0.set_xlabel("training step")
    a0.set_ylabel("cross-entropy")
    a1.set_title("Gradient norm (moving average)")
    a1.set_xlabel("training step")
    a1.set_ylabel("‖∇θ‖")
    a0.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def plot_layer_grad_norms(norms: dict[str, Any], *,
                          title: str = "Gradient norm per layer at initialisation") -> Figure:
    """``‖∂L/∂W_2‖`` of each layer, one line per named model.

    ``norms`` maps a name to an array ``(seeds, n_layers)``
    (:func:`attn_course.experiments.transformer.layer_grad_norms`); the line is the mean over
    seeds, the error bars run from the lowest to the highest seed; log scale.
    """
    fig, ax = new_figure(width=4.8, height=3.2)
    for (name, a), color in zip(norms.items(), _PALETTE):
        a = np.asarray(a, dtype=float)  # (seeds, n_layers)
        layers = np.arange(1, a.shape[1] + 1)
        mean = a.mean(0)
        spread = np.clip([mean - a.min(0), a.max(0) - mean], 0, None)  # rounding can dip < 0
        ax.errorbar(layers, mean, yerr=spread, color=color,
                    marker="o", capsize=3, label=name)
    ax.set_yscale("log")
    ax.set_xticks(list(range(1, np.asarray(next(iter(norms.values()))).shape[1] + 1)))
    ax.set(xlabel="layer (1 = nearest the input)", ylabel="‖∂L/∂W₂‖ of the layer's FFN",
           title=title)
    ax.legend(fontsize=8)
    return fig


def plot_causal(mask: Any, weights: Any, tokens: Sequence[str]) -> Figure:
    """The causal mask (left, True = may attend) and the weights it produces (right)."""
    m, w = to_numpy(mask).astype(float), to_numpy(weights)
    fig, (a0, a1) = new_figure(2, 1, width=3.8, height=3.4)
    a0.imshow(m, cmap=CMAP, vmin=0, vmax=1)
    a0.set_xticks(range(len(tokens)), list(tokens), rotation=45, ha="right")
    a0.set_yticks(range(len(tokens)), list(tokens))
    a0.set_title("Causal mask (yellow = may attend)")
    a0.set_xlabel("key")
    a0.set_ylabel("query")
    attention_heatmap(w, x_labels=tokens, y_labels=tokens, ax=a1,
                      title="Weights: no query sees the future")
    return fig


def plot_accuracy_vs_length(lengths: Sequence[int], accuracies: dict[str, Sequence[float]], *,
                            chance: float | None = None, xlabel: str = "facts in the list",
                            params: dict[str, int] | None = None,
                            title: str = "Associative recall: accuracy vs length") -> Figure:
    """Accuracy against sequence length, one line per model (with its parameter count)."""
    fig, ax = new_figure(width=5.2, height=3.4)
    for (name, acc), color, marker in zip(accuracies.items(), _PALETTE, "os^Dv"):
        label = f"{name} ({params[name]:,} parameters)" if params and name in params else name
        ax.plot(list(lengths), list(acc), marker=marker, color=color, label=label)
    if chance is not None:
        ax.axhline(chance, color=COLORS["black"], ls=":", lw=1, label="chance")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy on the questions")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="center right")
    return fig


def plot_recall_budgets(lengths: Sequence[int], panels: dict[str, dict[str, np.ndarray]], *,
                        extra: dict[str, tuple[str, Sequence[float]]] | None = None,
                        chance: float | None = None,
                        title: str = "Associative recall: same budget and converged") -> Figure:
    """One panel per budget: accuracy against the number of facts, the mean over seeds as a
    line and the range (min–max) as a band.

    Args:
        panels: panel title → {model name → ``(seeds, len(lengths))`` accuracies}.
        extra: label → (panel title, one curve) drawn dotted on that panel (e.g. a longer run).
    """
    fig, axes = new_figure(len(panels), width=4.2, height=3.4, sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (panel, curves) in zip(axes, panels.items()):
        for (name, acc), color, marker in zip(curves.items(), _PALETTE, "os^Dv"):
            acc = np.asarray(acc)
            ax.plot(list(lengths), acc.mean(0), marker=marker, color=color,
                    label=f"{name} (mean of {acc.shape[0]} seeds)")
            ax.fill_between(list(lengths), acc.min(0), acc.max(0), color=color, alpha=0.2)
        for label, (where, curve) in (extra or {}).items():
            if where == panel:
                ax.plot(list(lengths), list(curve), ls=":", marker=".", color=COLORS["black"],
                        label=label)
        if chance is not None:
            ax.axhline(chance, color=COLORS["black"], ls="--", lw=0.8, label="chance")
        ax.set(ylim=(0, 1.05), xlabel="facts in the list", title=panel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel("accuracy on the questions")
    fig.suptitle(title)
    return fig
