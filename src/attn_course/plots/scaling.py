"""Figures for chapter 4: why scores are divided by √d_k."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..experiments.scaling import ScalingSweep
from .style import COLORS, new_figure

__all__ = ["plot_scaling_sweep"]


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
