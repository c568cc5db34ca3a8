"""Figures for chapter 4: why scores are divided by √d_k."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..experiments.scaling import QueryGradients, RetrievalRun, ScalingSweep
from .style import COLORS, new_figure

__all__ = ["plot_query_gradients", "plot_scaling_sweep", "plot_scaling_training"]

_STYLE = {"unscaled": ("o-", COLORS["vermillion"], "q·k"),
          "scaled": ("s-", COLORS["blue"], "q·k / √d_k")}


def plot_scaling_sweep(s: ScalingSweep) -> Figure:
    """Three panels over ``d_k`` (log axis): score variance, weight entropy, Jacobian norm.

    Unscaled scores ``q·k`` in vermillion, scaled ``q·k/√d_k`` in blue; the theory
    (``d_k`` and 1) as dashed lines.
    """
    d = np.asarray(s.d_ks, dtype=float)
    fig, (a0, a1, a2) = new_figure(3, width=3.6, height=3.3)
    un, sc = COLORS["vermillion"], COLORS["blue"]
    a0.plot(d, s.var_unscaled, "o", color=un, label="measured, q·k")
    a0.plot(d, s.var_theory, "--", color=un, label="theory: d_k")
    a0.plot(d, s.var_scaled, "s", color=sc, label="measured, q·k/√d_k")
    a0.plot(d, np.ones_like(d), "--", color=sc, label="theory: 1")
    a0.set_xscale("log", base=2)
    a0.set_yscale("log", base=2)
    a0.set_xlabel("d_k (log scale)")
    a0.set_ylabel("variance of the scores (log scale)")
    a0.set_title("Score variance")
    a0.legend(fontsize=7)
    a1.plot(d, s.entropy_unscaled, "o-", color=un, label="q·k")
    a1.plot(d, s.entropy_scaled, "s-", color=sc, label="q·k/√d_k")
    a1.axhline(s.max_entropy, color=COLORS["black"], ls=":",
               label=f"uniform: log {s.n_keys} = {s.max_entropy:.2f}")
    a1.set_xscale("log", base=2)
    a1.set_ylim(bottom=0)
    a1.set_xlabel("d_k (log scale)")
    a1.set_ylabel("mean entropy of the weights (nats)")
    a1.set_title("Softmax saturation")
    a1.legend(fontsize=7)
    a2.plot(d, s.jac_unscaled, "o-", color=un, label="q·k")
    a2.plot(d, s.jac_scaled, "s-", color=sc, label="q·k/√d_k")
    a2.set_xscale("log", base=2)
    a2.set_ylim(bottom=0)
    a2.set_xlabel("d_k (log scale)")
    a2.set_ylabel("mean ‖∂p/∂z‖ (Frobenius)")
    a2.set_title("Gradient through the softmax")
    a2.legend(fontsize=7)
    return fig


def plot_query_gradients(qg: QueryGradients) -> Figure:
    """Four panels over ``d_k`` (log axis): the mean, the median, the share below
    ``dead_below`` and the 99th percentile of ``‖∇_q L‖`` — unscaled in vermillion, scaled
    in blue."""
    fig, axes = new_figure(4, width=3.2, height=3.1)
    d = np.asarray(qg.d_ks, dtype=float)
    panels = [(qg.mean, "mean ‖∇_q L‖", "log"), (qg.median, "median ‖∇_q L‖", "log"),
              (qg.dead, f"share with ‖∇_q L‖ < {qg.dead_below:g}", "linear"),
              (qg.p99, "99th percentile of ‖∇_q L‖", "log")]
    for ax, (vals, label, scale) in zip(axes, panels):
        for name in ("unscaled", "scaled"):
            marker, color, lab = _STYLE[name]
            y = np.asarray(vals[name], dtype=float)
            ax.plot(d, y if scale == "linear" else np.maximum(y, 1e-12), marker, color=color,
                    ms=3, label=lab)
        ax.set_xscale("log", base=2)
        ax.set_yscale(scale)
        if scale == "linear":
            ax.set_ylim(-0.02, 1)
        ax.set_xlabel("d_k (log scale)")
        ax.set_ylabel(label)
        ax.set_title(label, fontsize=9)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"The gradient reaching each of {qg.n_queries} queries: without scaling, "
                 "larger on average but sparse")
    return fig


def plot_scaling_training(run: RetrievalRun, *, smooth: int = 20) -> Figure:
    """Accuracy and loss against the training step, scaled vs unscaled: the mean over seeds
    with a band from the smallest to the largest, as moving averages over ``smooth`` steps."""
    fig, (a0, a1) = new_figure(2, width=4.4, height=3.3)
    k = np.ones(smooth) / smooth

    def ma(a: np.ndarray) -> np.ndarray:
        return np.stack([np.convolve(r, k, "valid") for r in a])  # (n_seeds, steps - smooth + 1)

    x = run.steps[smooth - 1:]
    for name in ("scaled", "unscaled"):
        _, color, lab = _STYLE[name]
        for ax, data in ((a0, run.accuracy[name]), (a1, run.loss[name])):
            y = ma(data)
            ax.plot(x, y.mean(0), color=color, label=lab)
            ax.fill_between(x, y.min(0), y.max(0), color=color, alpha=0.25, lw=0)
    a0.axhline(0.9, color=COLORS["black"], ls=":", lw=1, label="90%")
    a0.set_ylim(0, 1)
    a0.set_xlabel("training step")
    a0.set_ylabel("right vector gets the largest weight")
    a0.set_title(f"Accuracy, d_k = {run.d_k} ({run.optimizer}, lr {run.lr:g})")
    a1.set_yscale("log")
    a1.set_xlabel("training step")
    a1.set_ylabel("loss (squared error)")
    a1.set_title(f"Loss, {len(run.seeds)} seeds (band: min–max)")
    a0.legend(fontsize=8)
    return fig
