"""Figures of chapter 12: patches, class-token attention, rollout, position embeddings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import CMAP, COLORS, new_figure, to_numpy
from .vision import outline_image

__all__ = [
    "plot_cls_attention",
    "plot_patches",
    "plot_position_similarity",
    "plot_rollout",
]


def _overlay(ax: Any, image: np.ndarray, grid_map: np.ndarray, vmax: float | None = None) -> Any:
    """A ``(g_h, g_w)`` map stretched over the image (one cell per patch), with the image's
    strokes drawn on top as a white outline."""
    H, W = image.shape
    im = ax.imshow(grid_map, cmap=CMAP, vmin=0.0,
                   vmax=vmax if vmax is not None else max(float(grid_map.max()), 1e-12),
                   extent=(-0.5, W - 0.5, H - 0.5, -0.5), interpolation="nearest")
    outline_image(ax, image)
    ax.set_xticks([])
    ax.set_yticks([])
    return im


def plot_patches(image: Any, patch_size: int, *, title: str = "An image as a sequence of patches"
                 ) -> Figure:
    """The image with its patch grid numbered (left) and the patches as a row of tokens (right).

    Args:
        image: ``(H, W)``; patch_size: ``p`` dividing ``H`` and ``W``.
    """
    img = to_numpy(image)
    H, W = img.shape
    p = patch_size
    if p <= 0 or H % p or W % p:
        raise ValueError(f"patch_size={p} must divide the image shape {img.shape}")
    gh, gw = H // p, W // p
    n = gh * gw
    fig = Figure(figsize=(3.0 + 0.45 * n, 2.8), layout="constrained")
    sub = fig.subfigures(1, 2, width_ratios=[3.0, 0.45 * n])
    ax = sub[0].subplots()
    ax.imshow(img, cmap="gray_r")
    for k in range(1, gh):
        ax.axhline(k * p - 0.5, color=COLORS["vermillion"], lw=1.5)
    for k in range(1, gw):
        ax.axvline(k * p - 0.5, color=COLORS["vermillion"], lw=1.5)
    for i in range(gh):
        for j in range(gw):
            ax.text(j * p + p / 2 - 0.5, i * p + p / 2 - 0.5, str(i * gw + j), ha="center",
                    va="center", color=COLORS["blue"], fontsize=9, fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.8, "lw": 0})
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{gh}×{gw} grid of {p}×{p} patches", fontsize=10)
    axes = np.atleast_1d(sub[1].subplots(1, n))
    for idx, a in enumerate(axes):
        i, j = divmod(idx, gw)
        a.imshow(img[i * p:(i + 1) * p, j * p:(j + 1) * p], cmap="gray_r", vmin=img.min(),
                 vmax=img.max())
        a.set_xticks([])
        a.set_yticks([])
        a.set_xlabel(str(idx), fontsize=8)
    sub[1].suptitle(f"the sequence: {n} tokens", fontsize=10)
    fig.suptitle(title)
    return fig


def plot_cls_attention(image: Any, cls_maps: Any, *,
                       title: str = "Class-token attention per layer and head") -> Figure:
    """One panel per (layer, head): the class token's weights over the patches, on the image.

    Args:
        image: ``(H, W)``; cls_maps: ``(L, n_heads, g_h, g_w)`` weights on the patches.
    """
    img, m = to_numpy(image), to_numpy(cls_maps)
    if m.ndim != 4 or img.ndim != 2:
        raise ValueError(f"image must be (H, W) and cls_maps (L, n_heads, g_h, g_w), got "
                         f"{img.shape}, {m.shape}")
    L, nh = m.shape[:2]
    fig, axes = new_figure(nh, L, width=1.9, height=2.0)
    axes = np.asarray(axes).reshape(L, nh)  # (L, n_heads)
    vmax = float(m.max())
    for l in range(L):
        for h in range(nh):
            im = _overlay(axes[l, h], img, m[l, h], vmax)
            axes[l, h].set_title(f"layer {l + 1}, head {h + 1}", fontsize=9)
    fig.colorbar(im, ax=axes.ravel().tolist(), label="weight on the patch", shrink=0.8)
    fig.suptitle(title)
    return fig


def plot_rollout(images: Any, maps: Any, labels: Sequence[Any], *,
                 title: str = "Attention rollout of the class token") -> Figure:
    """Digits (top row) and the class token's rollout over their patches (bottom row).

    Args:
        images: ``(n, H, W)``; maps: ``(n, g_h, g_w)``; labels: ``n`` captions.
    """
    imgs, m = to_numpy(images), to_numpy(maps)
    if imgs.ndim != 3 or m.ndim != 3 or not len(labels) == imgs.shape[0] == m.shape[0]:
        raise ValueError(f"images (n, H, W), maps (n, g_h, g_w) and n labels needed, got "
                         f"{imgs.shape}, {m.shape}, {len(labels)} labels")
    n = imgs.shape[0]
    fig, axes = new_figure(n, 2, width=1.5, height=1.6)
    axes = np.asarray(axes).reshape(2, n)  # (rows, n)
    for j in range(n):
        axes[0, j].imshow(imgs[j], cmap="gray_r")
        axes[0, j].set_xticks([])
        axes[0, j].set_yticks([])
        axes[0, j].set_title(str(labels[j]), fontsize=9)
        im = _overlay(axes[1, j], imgs[j], m[j], float(m.max()))
    axes[0, 0].set_ylabel("image")
    axes[1, 0].set_ylabel("rollout")
    fig.colorbar(im, ax=list(axes[1]), label="share of the class token", shrink=0.8)
    fig.suptitle(title)
    return fig


def plot_position_similarity(sim: Any, grid: tuple[int, int], *,
                             title: str = "Cosine similarity of the position embeddings"
                             ) -> Figure:
    """A ``g_h × g_w`` mosaic: tile ``(i, j)`` shows how similar patch ``(i, j)``'s position
    embedding is to every patch's, laid out on the grid (as in Dosovitskiy et al., Fig. 7).

    Args:
        sim: ``(N, N)`` with ``N = g_h · g_w``, row-major patches.
    """
    s = to_numpy(sim)
    gh, gw = grid
    if s.shape != (gh * gw, gh * gw):
        raise ValueError(f"sim must have shape (N, N) with N = {gh}·{gw}, got {s.shape}")
    fig, axes = new_figure(gw, gh, width=1.1, height=1.1)
    axes = np.asarray(axes).reshape(gh, gw)  # (g_h, g_w)
    for i in range(gh):
        for j in range(gw):
            tile = s[i * gw + j].reshape(gh, gw)  # (g_h, g_w)
            im = axes[i, j].imshow(tile, cmap=CMAP, vmin=-1, vmax=1)
            axes[i, j].set_xticks([])
            axes[i, j].set_yticks([])
    for j in range(gw):
        axes[-1, j].set_xlabel(f"col {j}", fontsize=8)
    for i in range(gh):
        axes[i, 0].set_ylabel(f"row {i}", fontsize=8)
    fig.colorbar(im, ax=axes.ravel().tolist(), label="cosine similarity", shrink=0.8)
    fig.suptitle(title)
    return fig
