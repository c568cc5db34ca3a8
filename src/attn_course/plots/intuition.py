"""Figures for chapter 1: the glimpse demo, soft glimpses and the fixed-length context vector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..data.glimpse import GLIMPSE
from ..experiments.context_vector import ContextCapacity
from ..experiments.intuition import GlimpseResult
from .style import CMAP, COLORS, PALETTE, new_figure, to_numpy

__all__ = [
    "plot_context_capacity",
    "plot_glimpse_accuracy",
    "plot_glimpse_scene",
    "plot_ink_budget",
    "plot_soft_glimpse",
]


def plot_glimpse_scene(
    scene: Any, salient: Any, random: Any, pooled: Any, *, label: int | None = None
) -> Figure:
    """A scene with its salient and random 8×8 windows, the two glimpses, and the uniform summary.

    Args:
        scene: ``(H, W)``; salient, random: ``(2,)`` top-left corners; pooled: ``(8, 8)``.
    """
    scene = to_numpy(scene)
    fig, axes = new_figure(4, width=2.6, height=2.9)
    ax = axes[0]
    ax.imshow(scene, cmap="gray", vmin=0, vmax=1)
    for (r, c), color, name in ((salient, COLORS["orange"], "salient"),
                                (random, COLORS["sky"], "random")):
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), GLIMPSE, GLIMPSE, fill=False, lw=2,
                               edgecolor=color, label=f"{name} glimpse"))
    suffix = f" (a {label})" if label is not None else ""
    ax.set_title(f"Scene {scene.shape[0]}×{scene.shape[1]}{suffix}")
    ax.legend(fontsize=7, loc="lower right")
    def window(pos: Any) -> np.ndarray:
        r, c = int(pos[0]), int(pos[1])
        return scene[r : r + GLIMPSE, c : c + GLIMPSE]  # (8, 8)

    crops = [
        (window(salient), "Salient glimpse"),
        (window(random), "Random glimpse"),
        (to_numpy(pooled), "Uniform: whole scene at 8×8"),
    ]
    for ax, (img, title) in zip(axes[1:], crops):
        ax.imshow(img, cmap="gray", vmin=0, vmax=max(1e-9, float(np.max(img))))
        ax.set_title(title)
    for ax in axes:
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    return fig


def plot_glimpse_accuracy(results: Sequence[GlimpseResult]) -> Figure:
    """Test accuracy for each way of spending an 8×8 budget: mean over the runs (seeds),
    error bars from the smallest to the largest."""
    if not results:
        raise ValueError("results must hold at least one GlimpseResult")
    taus = results[0].temperatures
    names = (["oracle\n(true place)", "salient\n(hard)"] + [f"soft\nτ = {t:g}" for t in taus]
             + ["random\nglimpse", "uniform\nsummary"])
    acc = np.array([[r.acc_oracle, r.acc_saliency, *r.acc_soft, r.acc_random, r.acc_uniform]
                    for r in results])  # (n_runs, n_methods)
    mean, lo, hi = acc.mean(0), acc.min(0), acc.max(0)
    colors = ([PALETTE[6], COLORS["orange"]] + [COLORS["purple"]] * len(taus)
              + [COLORS["sky"], COLORS["green"]])
    fig, ax = new_figure(width=max(5.0, 0.95 * len(names)), height=3.4)
    x = np.arange(len(names))
    bars = ax.bar(x, mean, color=colors, yerr=[mean - lo, hi - mean], capsize=3)
    for b, a in zip(bars, mean):
        ax.annotate(f"{a:.0%}", (b.get_x() + b.get_width() / 2, a), ha="center",
                    textcoords="offset points", xytext=(0, 6), fontsize=8)
    ax.set_xticks(x, names, fontsize=8)
    ax.axhline(0.1, color=COLORS["black"], ls=":", label="chance (10 classes)")
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("test accuracy")
    ax.set_xlabel(f"what the classifier sees (64 numbers each); mean of {len(results)} "
                  "run(s), bars: min–max")
    ax.set_title(f"Reading a digit from {100 * results[0].fraction_seen:.2f}% of the scene")
    ax.legend(fontsize=8, loc="upper right")
    return fig


def plot_soft_glimpse(weights: dict[float, Any], glimpses: dict[float, Any]) -> Figure:
    """Top row: the soft-glimpse weights ``α`` over the window positions of one scene, one
    panel per temperature (log colour scale); bottom row: the glimpse ``Σ_p α_p x_p``.

    Args:
        weights: ``{τ: (P_1, P_2)}``; glimpses: ``{τ: (8, 8)}``, same temperatures.
    """
    taus = list(weights)
    fig, axes = new_figure(len(taus), 2, width=2.6, height=2.5)
    axes = np.asarray(axes).reshape(2, len(taus))
    im = None
    for j, t in enumerate(taus):
        a = to_numpy(weights[t])
        im = axes[0, j].imshow(np.log10(np.maximum(a, 1e-12)), cmap=CMAP, vmin=-8, vmax=0)
        axes[0, j].set_title(f"τ = {t:g}: weights α", fontsize=9)
        axes[0, j].set_xlabel("window column")
        axes[0, j].set_ylabel("window row")
        g = to_numpy(glimpses[t])
        axes[1, j].imshow(g, cmap="gray", vmin=0, vmax=max(1e-9, float(g.max())))
        axes[1, j].set_title("glimpse Σ α_p x_p", fontsize=9)
        axes[1, j].set_xlabel("column")
        axes[1, j].set_ylabel("row")
    fig.colorbar(im, ax=list(axes[0]), label="log10 α", shrink=0.8)
    fig.suptitle("The hard glimpse made soft: α = softmax(s / τ) over every window")
    return fig


def plot_ink_budget(fractions: Any, curves: dict[str, Any], *,
                    ink_share: float | None = None) -> Figure:
    """Share of the digit's ink seen vs the pixel budget (log axis), one line per method;
    ``ink_share`` marks (dotted) the budget that equals the digit's own number of ink pixels."""
    f = 100 * to_numpy(fractions)
    fig, ax = new_figure(width=5.0, height=3.3)
    style = {"saliency": ("o-", COLORS["orange"]), "random": ("s-", COLORS["sky"]),
             "grid": ("^-", COLORS["green"])}
    for name, y in curves.items():
        marker, color = style.get(name, ("o-", COLORS["black"]))
        ax.plot(f, to_numpy(y), marker, color=color, label=name)
    ax.axvline(1.0, color=COLORS["vermillion"], ls="--", lw=1, label="1% of the pixels")
    if ink_share is not None:
        ax.axvline(100 * ink_share, color=COLORS["black"], ls=":", lw=1,
                   label="as many pixels as the digit has ink")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("budget: share of the pixels looked at (%, log scale)")
    ax.set_ylabel("share of the digit's ink seen")
    ax.set_title("A well-chosen budget sees almost all of the ink")
    ax.legend(fontsize=8)
    return fig


def plot_context_capacity(r: ContextCapacity) -> Figure:
    """Left: tokens recovered from the final state against the length, one line per state
    size (mean over seeds, band: min–max). Right: the longest length recovered at the
    threshold against the state size, one dot per seed, with a line through the origin."""
    fig, (a0, a1) = new_figure(2, width=4.4, height=3.4)
    colors = [COLORS["sky"], COLORS["blue"], COLORS["green"], COLORS["vermillion"],
              COLORS["purple"], COLORS["orange"]]
    for j, d in enumerate(r.d_hiddens):
        acc = r.accuracy[:, j]  # (n_seeds, n_T)
        c = colors[j % len(colors)]
        a0.plot(r.lengths, acc.mean(0), color=c, label=f"d = {d}")
        a0.fill_between(r.lengths, acc.min(0), acc.max(0), color=c, alpha=0.25, lw=0)
    a0.axhline(r.chance, color=COLORS["black"], ls=":", label=f"chance (1/{r.vocab})")
    a0.axhline(r.threshold, color=COLORS["black"], ls="--", lw=0.8)
    a0.set_ylim(0, 1.05)
    a0.set_xlabel("sequence length T")
    a0.set_ylabel("tokens recovered from the final state")
    a0.set_title("One context vector of d numbers")
    a0.legend(fontsize=7)
    d = np.asarray(r.d_hiddens, dtype=float)
    for i in range(r.capacity.shape[0]):
        a1.plot(d, r.capacity[i], "o", color=COLORS["vermillion"], alpha=0.7,
                label="one seed" if i == 0 else None)
    slope = float((r.capacity * d).sum() / (r.capacity.shape[0] * (d**2).sum()))
    a1.plot([0, d.max()], [0, slope * d.max()], "--", color=COLORS["black"], lw=1,
            label=f"{slope:.2f} · d")
    a1.set_xlabel("state size d")
    a1.set_ylabel(f"longest T recovered at ≥ {r.threshold:.0%}")
    a1.set_title("Capacity grows with d, not with T")
    a1.legend(fontsize=7)
    return fig
