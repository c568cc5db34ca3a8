"""Figures for chapter 1: the glimpse demo and the fixed-length context vector."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..data.glimpse import GLIMPSE
from ..experiments.intuition import ContextRecovery, GlimpseResult
from .style import COLORS, PALETTE, new_figure, to_numpy

__all__ = [
    "plot_context_recovery",
    "plot_glimpse_accuracy",
    "plot_glimpse_scene",
    "plot_ink_budget",
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


def plot_glimpse_accuracy(r: GlimpseResult) -> Figure:
    """Test accuracy of a digit classifier for each way of spending an 8×8 budget."""
    names = ["oracle\n(true place)", "salient\nglimpse", "random\nglimpse", "uniform\nsummary"]
    accs = [r.acc_oracle, r.acc_saliency, r.acc_random, r.acc_uniform]
    fig, ax = new_figure(width=5.0, height=3.3)
    bars = ax.bar(names, accs, color=[PALETTE[6], COLORS["orange"], COLORS["sky"], COLORS["green"]])
    for b, a in zip(bars, accs):
        ax.annotate(f"{a:.0%}", (b.get_x() + b.get_width() / 2, a), ha="center",
                    textcoords="offset points", xytext=(0, 3), fontsize=9)
    ax.axhline(0.1, color=COLORS["black"], ls=":", label="chance (10 classes)")
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("test accuracy")
    ax.set_xlabel("what the classifier sees (64 numbers each)")
    ax.set_title(f"Reading a digit from {100 * r.fraction_seen:.2f}% of the scene")
    ax.legend(fontsize=8, loc="upper right")
    return fig


def plot_ink_budget(fractions: Any, curves: dict[str, Any]) -> Figure:
    """Share of the digit's ink seen vs the pixel budget (log axis), one line per method."""
    f = 100 * to_numpy(fractions)
    fig, ax = new_figure(width=5.0, height=3.3)
    style = {"saliency": ("o-", COLORS["orange"]), "random": ("s-", COLORS["sky"]),
             "grid": ("^-", COLORS["green"])}
    for name, y in curves.items():
        marker, color = style.get(name, ("o-", COLORS["black"]))
        ax.plot(f, to_numpy(y), marker, color=color, label=name)
    ax.axvline(1.0, color=COLORS["vermillion"], ls="--", lw=1, label="1% of the pixels")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("budget: share of the pixels looked at (%, log scale)")
    ax.set_ylabel("share of the digit's ink seen")
    ax.set_title("A well-chosen 1% sees almost everything")
    ax.legend(fontsize=8)
    return fig


def plot_context_recovery(r: ContextRecovery) -> Figure:
    """Left: recovery accuracy vs length, from the final state vs from every state.
    Right: for the longest length, accuracy at each position from the final state."""
    fig, (a0, a1) = new_figure(2, width=4.4, height=3.3)
    a0.plot(r.lengths, r.final, "o-", color=COLORS["vermillion"], label="from the final state only")
    a0.plot(r.lengths, r.per_state, "s-", color=COLORS["blue"], label="from each position's state")
    a0.axhline(r.chance, color=COLORS["black"], ls=":", label=f"chance (1/{r.vocab})")
    a0.set_xscale("log", base=2)
    a0.set_ylim(0, 1.05)
    a0.set_xlabel("sequence length T (log scale)")
    a0.set_ylabel("tokens recovered (accuracy)")
    a0.set_title(f"One {r.d_hidden}-number context vector")
    a0.legend(fontsize=7)
    T = len(r.by_position)
    a1.plot(np.arange(1, T + 1), r.by_position, color=COLORS["vermillion"])
    a1.axhline(r.chance, color=COLORS["black"], ls=":", label="chance")
    a1.set_ylim(0, 1.05)
    a1.set_xlabel(f"position in the sequence (T = {T})")
    a1.set_ylabel("accuracy from the final state")
    a1.set_title("Only the last few tokens survive")
    a1.legend(fontsize=7)
    return fig
