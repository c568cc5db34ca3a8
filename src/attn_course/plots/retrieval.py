"""Figures for chapter 2 (attention as soft retrieval)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import CMAP, COLORS, PALETTE, new_figure, to_numpy

__all__ = [
    "plot_bandwidth_curve",
    "plot_kernel_regression",
    "plot_key_value_store",
    "plot_lookup_along_path",
    "plot_temperature_sweep",
]


def plot_key_value_store(
    keys: Any,
    values: Any,
    *,
    query: Any = None,
    weights: Any = None,
    title: str = "A key–value store with 2-D keys",
) -> Figure:
    """Keys as points coloured by their value; with ``weights``, marker area ∝ weight.

    Args:
        keys: ``(n_k, 2)``; values: ``(n_k,)``; query: ``(2,)``; weights: ``(n_k,)``.
    """
    k, v = to_numpy(keys), to_numpy(values)
    fig, ax = new_figure(width=4.8, height=4.0)
    sizes = 60 if weights is None else 40 + 900 * to_numpy(weights)
    sc = ax.scatter(k[:, 0], k[:, 1], c=v, s=sizes, cmap=CMAP, edgecolor="black", zorder=2)
    fig.colorbar(sc, ax=ax, label="value $v_i$")
    for i, (x, y) in enumerate(k):
        ax.annotate(f"$k_{{{i + 1}}}$", (x, y), textcoords="offset points", xytext=(6, 6),
                    fontsize=8)
    if query is not None:
        q = to_numpy(query)
        ax.scatter([q[0]], [q[1]], marker="*", s=260, color=COLORS["vermillion"],
                   edgecolor="black", zorder=3, label="query $q$")
        ax.legend(loc="best")
    ax.set_title(title)
    ax.set_xlabel("key coordinate 1")
    ax.set_ylabel("key coordinate 2")
    ax.set_aspect("equal", adjustable="datalim")
    return fig


def plot_lookup_along_path(
    t: Any, answers: Mapping[str, Any], *, title: str = "Retrieved value along a path of queries"
) -> Figure:
    """One line per lookup method: the retrieved value as the query moves along a path."""
    fig, ax = new_figure(width=6.0, height=3.4)
    styles = ["-", "--", ":", "-."]
    for i, (label, y) in enumerate(answers.items()):
        ax.plot(to_numpy(t), to_numpy(y), styles[i % 4], lw=2, label=label, color=PALETTE[i])
    ax.set_title(title)
    ax.set_xlabel("position of the query along the path")
    ax.set_ylabel("retrieved value")
    ax.legend()
    return fig


def plot_temperature_sweep(
    temperatures: Any, entropy: Any, gap: Any, *, n_keys: int,
    title: str = "From hard to soft lookup",
) -> Figure:
    """Left: entropy of the weights vs temperature; right: the soft−nearest gap vs temperature."""
    T = to_numpy(temperatures)
    fig, (a, b) = new_figure(2, width=4.0, height=3.2)
    a.semilogx(T, to_numpy(entropy), color=COLORS["blue"], lw=2)
    a.axhline(np.log(n_keys), ls="--", color=COLORS["black"], lw=1, label=f"uniform: log {n_keys}")
    a.set_xlabel("temperature τ")
    a.set_ylabel("entropy of the weights (nats)")
    a.set_title("Weights spread out as τ grows")
    a.legend()
    b.loglog(T, np.maximum(to_numpy(gap), 1e-16), color=COLORS["vermillion"], lw=2)
    b.set_xlabel("temperature τ")
    b.set_ylabel("|soft − nearest| answer")
    b.set_title("Small τ recovers nearest lookup")
    fig.suptitle(title)
    return fig


def plot_kernel_regression(
    x: Any, y: Any, x_grid: Any, fits: Mapping[str, Any], *, truth: Any = None,
    title: str = "Nadaraya–Watson regression is attention",
) -> Figure:
    """Training points, the true curve and one fitted curve per bandwidth."""
    fig, ax = new_figure(width=6.0, height=3.6)
    ax.scatter(to_numpy(x), to_numpy(y), s=14, color=COLORS["black"], alpha=0.6,
               label="training pairs $(x_i, y_i)$")
    xg = to_numpy(x_grid)
    if truth is not None:
        ax.plot(xg, to_numpy(truth), color=COLORS["black"], lw=1, ls=":", label="true function")
    for i, (label, yh) in enumerate(fits.items()):
        ax.plot(xg, to_numpy(yh), lw=2, color=PALETTE[i], label=label)
    ax.set_title(title)
    ax.set_xlabel("x (query)")
    ax.set_ylabel("y")
    ax.legend(fontsize=8)
    return fig


def plot_bandwidth_curve(
    bandwidths: Sequence[float], losses: Sequence[float], *, learned: float,
    title: str = "Choosing the bandwidth",
) -> Figure:
    """Leave-one-out MSE vs bandwidth, with the bandwidth found by gradient descent."""
    fig, ax = new_figure(width=5.0, height=3.4)
    ax.semilogx(bandwidths, losses, color=COLORS["blue"], lw=2, label="leave-one-out MSE")
    ax.axvline(learned, color=COLORS["vermillion"], ls="--", label=f"learned h = {learned:.3f}")
    ax.set_title(title)
    ax.set_xlabel("bandwidth h")
    ax.set_ylabel("mean squared error")
    ax.legend()
    return fig
