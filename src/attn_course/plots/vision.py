"""Figures of chapter 11: the cost of attention over pixels and what the blocks learn."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import CMAP, COLORS, new_figure, to_numpy

__all__ = [
    "outline_image",
    "plot_channel_weights",
    "plot_pixel_attention",
    "plot_pixel_costs",
    "plot_spatial_maps",
]


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


def plot_channel_weights(weights: Mapping[str, Any], *, title: str = "Channel weights per class"
                         ) -> Figure:
    """One heatmap per block: rows are the classes 0–9, columns the channels.

    Args:
        weights: block name → ``(n_classes, C)`` mean channel weight of each class.
    """
    if not weights:
        raise ValueError("weights must hold at least one block")
    fig, axes = new_figure(len(weights), width=4.6, height=3.0)
    axes = np.atleast_1d(axes)
    for ax, (name, w) in zip(axes, weights.items()):
        w = to_numpy(w)
        if w.ndim != 2:
            raise ValueError(f"weights[{name!r}] must have shape (n_classes, C), got {w.shape}")
        im = ax.imshow(w, cmap=CMAP, vmin=0.0, vmax=1.0, aspect="auto")
        ax.set_title(name)
        ax.set_xlabel("channel")
        ax.set_ylabel("class (digit)")
        ax.set_yticks(range(w.shape[0]))
        fig.colorbar(im, ax=ax, label="weight σ(·)")
    fig.suptitle(title)
    return fig


def plot_spatial_maps(images: Any, maps: Any, labels: Sequence[Any], *,
                      title: str = "CBAM spatial attention") -> Figure:
    """Digits (top row) and the spatial weights over them (bottom row).

    The colour scale spans the weights' own range (shown on the colour bar), so small
    differences stay visible; read the bar before reading the contrast.

    Args:
        images: ``(n, H, W)``; maps: ``(n, H, W)`` weights in ``(0, 1)``; labels: ``n`` captions.
    """
    images, maps = to_numpy(images), to_numpy(maps)
    if images.ndim != 3 or images.shape != maps.shape or len(labels) != images.shape[0]:
        raise ValueError(f"images and maps must both have shape (n, H, W) with n labels, got "
                         f"{images.shape}, {maps.shape}, {len(labels)} labels")
    n = images.shape[0]
    lo, hi = float(maps.min()), float(maps.max())
    hi = hi if hi > lo else lo + 1e-6
    fig, axes = new_figure(n, 2, width=1.5, height=1.6)
    axes = np.asarray(axes).reshape(2, n)  # (rows, n)
    for j in range(n):
        axes[0, j].imshow(images[j], cmap="gray_r")
        axes[0, j].set_title(str(labels[j]), fontsize=9)
        im = axes[1, j].imshow(maps[j], cmap=CMAP, vmin=lo, vmax=hi)
        for ax in axes[:, j]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("image")
    axes[1, 0].set_ylabel("weight")
    fig.colorbar(im, ax=list(axes[1]), label="spatial weight", shrink=0.8)
    fig.suptitle(title)
    return fig


def plot_pixel_attention(image: Any, weights: Any, pixels: Sequence[tuple[int, int]], *,
                         title: str = "Where a pixel attends (non-local block)") -> Figure:
    """For each chosen query pixel, that pixel's attention row, with the digit's outline.

    Args:
        image: ``(H, W)``; weights: ``(H·W, H·W)`` rows sum to one (row-major positions);
        pixels: query pixels ``(row, col)``, each marked with a cross.
    """
    image, w = to_numpy(image), to_numpy(weights)
    H, W = image.shape
    if w.shape != (H * W, H * W):
        raise ValueError(f"weights must have shape (H·W, H·W) = {(H * W, H * W)}, got {w.shape}")
    fig, axes = new_figure(len(pixels) + 1, width=2.1, height=2.3)
    axes = np.atleast_1d(axes)
    axes[0].imshow(image, cmap="gray_r")
    axes[0].set_title("image", fontsize=9)
    vmax = max(float(w[[i * W + j for i, j in pixels]].max()), 1e-12)
    for ax, (i, j) in zip(axes[1:], pixels):
        row = w[i * W + j].reshape(H, W)  # (H, W)
        im = ax.imshow(row, cmap=CMAP, vmin=0.0, vmax=vmax)
        outline_image(ax, image)
        ax.plot(j, i, "x", color=COLORS["vermillion"], markersize=10, markeredgewidth=2.5)
        ax.set_title(f"query pixel ({i}, {j})", fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=list(axes[1:]), label="attention weight", shrink=0.8)
    fig.suptitle(title)
    return fig
