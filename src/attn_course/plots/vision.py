"""Figures of chapter 11: the cost of attention over pixels (the trained blocks' figures are
in :mod:`attn_course.plots.vision_blocks`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import COLORS, new_figure, to_numpy

__all__ = ["outline_image", "plot_pixel_costs", "plot_time_breakdown"]


def outline_image(ax: Any, image: np.ndarray, *, level: float | None = None) -> None:
    """Draw the outline of a grey image's strokes (the ``level`` contour, default half of
    its maximum) in white, on axes whose pixel ``(i, j)`` sits at ``x = j, y = i``."""
    img = to_numpy(image)
    lvl = 0.5 * float(img.max()) if level is None else level
    if img.max() > lvl > img.min():
        ax.contour(img, levels=[lvl], colors="white", linewidths=1.6)


def plot_pixel_costs(rows: Sequence[Any]) -> Figure:
    """Counted FLOPs (left) and measured seconds (right) vs the side of a square map.

    ``rows`` are :class:`attn_course.experiments.vision.PixelCost`; rows without a time are
    drawn only on the left.
    """
    if not rows:
        raise ValueError("rows must not be empty")
    fig, (ax1, ax2) = new_figure(2, width=4.4, height=3.3)
    sizes = np.array([r.size for r in rows])
    ax1.loglog(sizes, [r.attn_flops for r in rows], "o-", color=COLORS["vermillion"],
               label="self-attention, one head")
    ax1.loglog(sizes, [r.conv_flops for r in rows], "s-", color=COLORS["blue"],
               label="3×3 convolution")
    ax1.set_xticks(sizes, [str(s) for s in sizes])
    ax1.minorticks_off()
    ax1.set_xlabel("image side H = W (pixels)")
    ax1.set_ylabel("FLOPs per image")
    ax1.set_title("Counted cost")
    ax1.legend(fontsize=8)
    timed = [r for r in rows if r.attn_seconds is not None]
    if timed:
        ts = np.array([r.size for r in timed])
        ax2.loglog(ts, [1e3 * r.attn_seconds for r in timed], "o-", color=COLORS["vermillion"],
                   label="self-attention, one head")
        ax2.loglog(ts, [1e3 * r.conv_seconds for r in timed], "s-", color=COLORS["blue"],
                   label="3×3 convolution")
        ax2.set_xticks(ts, [str(s) for s in ts])
        ax2.minorticks_off()
        ax2.legend(fontsize=8)
    ax2.set_xlabel("image side H = W (pixels)")
    ax2.set_ylabel("milliseconds (CPU, 1 thread)")
    ax2.set_title("Measured time")
    return fig


def plot_time_breakdown(times: Mapping[str, float], *, flop_ratio: float | None = None,
                        title: str = "Where the time of one attention head goes") -> Figure:
    """Measured milliseconds of each step (horizontal bars, log scale).

    Args:
        times: name → seconds, as returned by
            :func:`attn_course.experiments.vision.attention_time_breakdown`.
        flop_ratio: if given, a dashed line at ``flop_ratio ×`` the convolution's time (where
            attention would be if time followed FLOPs).
    """
    if not times:
        raise ValueError("times must not be empty")
    names = {"conv": "3×3 convolution", "scores": "scores q kᵀ", "softmax": "softmax",
             "weighted_sum": "weights · v", "attention": "attention head (all three)",
             "fused": "torch fused attention"}
    keys = list(times)
    ms = np.array([1e3 * times[k] for k in keys])
    fig, ax = new_figure(1, width=6.2, height=0.45 * len(keys) + 1.2)
    colors = [COLORS["blue"] if k == "conv" else COLORS["green"] if k == "fused"
              else COLORS["vermillion"] for k in keys]
    ax.barh(range(len(keys)), ms, color=colors)
    ax.set_yticks(range(len(keys)), [names.get(k, k) for k in keys])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("milliseconds (CPU, 1 thread, best of the repeats)")
    if flop_ratio is not None and "conv" in times:
        x = 1e3 * times["conv"] * flop_ratio
        ax.axvline(x, ls="--", color="grey", lw=1)
        ax.text(x, len(keys) - 0.5, " conv × FLOP ratio", fontsize=8, color="grey", va="bottom")
    for i, v in enumerate(ms):
        ax.text(v, i, f" {v:,.1f}", va="center", fontsize=8)
    ax.set_title(title)
    return fig
