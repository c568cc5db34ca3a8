"""Figures of chapter 9: Table 1 of Vaswani et al., measured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .style import COLORS, new_figure

__all__ = ["KIND_COLORS", "plot_gradient_by_distance", "plot_scaling", "plot_sequential",
           "plot_steps_to_accuracy", "plot_threads"]

KIND_COLORS = {"self-attention": COLORS["blue"], "recurrent": COLORS["vermillion"],
               "convolutional": COLORS["green"]}
_MARKERS = {"self-attention": "o", "recurrent": "s", "convolutional": "D"}


def plot_scaling(x: Mapping[str, Sequence[float]],
                 panels: Mapping[str, Mapping[str, Sequence[float]]],
                 slopes: Mapping[str, Mapping[str, float]], *, ylabel: str,
                 title: str) -> Figure:
    """Log-log panels of a cost against a size, one line per layer kind.

    Args:
        x: panel name (e.g. ``"n (d = 128)"``) → the sizes on the x axis.
        panels: panel name → {layer kind → cost at each size}.
        slopes: panel name → {layer kind → fitted exponent}, shown in the legend.
    """
    fig, axes = new_figure(len(panels), width=4.2, height=3.4)
    axes = np.atleast_1d(axes)
    for ax, (panel, curves) in zip(axes, panels.items()):
        for kind, ys in curves.items():
            ax.loglog(x[panel], ys, marker=_MARKERS.get(kind, "o"), ms=4,
                      color=KIND_COLORS.get(kind), base=2,
                      label=f"{kind} (slope {slopes[panel][kind]:.2f})")
        ax.set_xlabel(panel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return fig


def plot_sequential(ns: Sequence[int], times: Mapping[str, Sequence[float]],
                    depths: Mapping[str, Sequence[int]], *,
                    title: str = "Sequential operations: one layer, growing n") -> Figure:
    """Left: wall time (ms) vs ``n``; right: longest chain of dependent operations vs ``n``."""
    fig, (a1, a2) = new_figure(2, width=4.2, height=3.4)
    for kind, t in times.items():
        a1.loglog(ns, np.asarray(t) * 1e3, marker=_MARKERS.get(kind, "o"), ms=4, base=2,
                  color=KIND_COLORS.get(kind), label=kind)
    for kind, dep in depths.items():
        a2.plot(ns, dep, marker=_MARKERS.get(kind, "o"), ms=4, color=KIND_COLORS.get(kind),
                label=kind)
    a1.set_xlabel("sequence length n")
    a1.set_ylabel("wall time of one forward pass (ms)")
    a1.set_title("CPU time (median)")
    a2.set_xlabel("sequence length n")
    a2.set_ylabel("dependent operations (graph depth)")
    a2.set_title("Longest chain of operations")
    for ax in (a1, a2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return fig


def plot_gradient_by_distance(grads: Mapping[str, Mapping[str, Sequence[float]]], *,
                              title: str = "Gradient reaching the input t positions back"
                              ) -> Figure:
    """Panels (e.g. untrained / trained) of ``‖∂y_last/∂x_{n-1-t}‖`` against ``t``, log y."""
    fig, axes = new_figure(len(grads), width=4.2, height=3.4, sharey=False)
    axes = np.atleast_1d(axes)
    for ax, (panel, curves) in zip(axes, grads.items()):
        for kind, g in curves.items():
            g = np.maximum(np.asarray(g, dtype=float), 1e-12)
            ax.semilogy(np.arange(len(g)), g, color=KIND_COLORS.get(kind), label=kind)
        ax.set_title(panel)
        ax.set_xlabel("distance t from the last position")
        ax.set_ylabel("gradient norm")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return fig


def plot_steps_to_accuracy(distances: Sequence[int], steps: Mapping[str, Sequence[int | None]],
                           max_steps: int, *, target: float = 0.9,
                           title: str = "Learning to recall a token t positions back") -> Figure:
    """Training steps to reach ``target`` accuracy vs distance; ``None`` = not reached (drawn
    at ``max_steps`` with an open marker)."""
    fig, ax = new_figure(width=5.6, height=3.4)
    for kind, s in steps.items():
        y = [max_steps if v is None else v for v in s]
        color = KIND_COLORS.get(kind)
        ax.plot(distances, y, color=color, label=kind, marker=_MARKERS.get(kind, "o"), ms=5)
        miss = [i for i, v in enumerate(s) if v is None]
        if miss:
            ax.plot([distances[i] for i in miss], [max_steps] * len(miss), ls="none",
                    marker="x", ms=9, color=color)
    ax.axhline(max_steps, color=COLORS["black"], lw=0.8, ls="--")
    ax.text(distances[0], max_steps, " budget (× = not reached)", va="bottom", fontsize=7)
    ax.set_xlabel("distance t of the token to recall")
    ax.set_ylabel(f"steps to {target:.0%} accuracy")
    ax.set_ylim(0, max_steps * 1.12)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_threads(ns: Sequence[int], times: Mapping[str, np.ndarray], threads: Sequence[int], *,
                 title: str = "One layer at 1 and 2 threads") -> Figure:
    """Left: wall time (ms) against ``n``, one line per layer and thread count (``times``:
    name → ``(len(threads), len(ns))`` seconds); right: the speed-up ``t(1 thread) / t(T)``."""
    fig, (a1, a2) = new_figure(2, width=4.2, height=3.4)
    colors = [COLORS["blue"], COLORS["vermillion"], COLORS["orange"], COLORS["green"]]
    for color, (name, t) in zip(colors, times.items()):
        for a, th in enumerate(threads):
            a1.loglog(ns, t[a] * 1e3, base=2, marker="o", ms=4, color=color,
                      ls="-" if a == 0 else "--", label=f"{name}, {th} thread{'s' * (th > 1)}")
        for a, th in list(enumerate(threads))[1:]:
            a2.semilogx(ns, t[0] / t[a], base=2, marker="o", ms=4, color=color,
                        label=f"{name}, {th} threads")
    a2.axhline(1, color="grey", lw=0.8)
    a1.set(xlabel="sequence length n", ylabel="wall time of one forward pass (ms)",
           title="fastest of several runs")
    a2.set(xlabel="sequence length n", ylabel="speed-up over 1 thread",
           title="time at 1 thread / time at more")
    for ax in (a1, a2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return fig
