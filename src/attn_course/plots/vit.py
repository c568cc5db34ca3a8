"""Figures of chapter 12: patches, class-token attention, rollout, position embeddings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import CMAP, COLORS, PALETTE, new_figure, to_numpy
from .vision import outline_image

__all__ = [
    "plot_attention_distance",
    "plot_cls_attention",
    "plot_patches",
    "plot_position_similarity",
    "plot_rollout",
    "plot_similarity_by_distance",
    "plot_size_sweep",
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


def plot_size_sweep(results: dict[str, dict[int, Sequence[float]]], *,
                    title: str = "Test accuracy against the number of training images"
                    ) -> Figure:
    """Accuracy of each model against the training-set size: one dot per seed, the mean
    joined by a line, the band mean ± one standard deviation.

    Args:
        results: model name → {training-set size → per-seed accuracies}.
    """
    if not results:
        raise ValueError("results must hold at least one model")
    fig, ax = new_figure(1, width=5.4, height=3.4)
    for i, (name, by_n) in enumerate(results.items()):
        ns = np.array(sorted(by_n))
        accs = [np.asarray(by_n[n], dtype=float) for n in ns]
        mean = np.array([a.mean() for a in accs])
        sd = np.array([a.std(ddof=1) if len(a) > 1 else 0.0 for a in accs])
        color = PALETTE[i % len(PALETTE)]
        ax.fill_between(ns, mean - sd, mean + sd, color=color, alpha=0.15, lw=0)
        ax.plot(ns, mean, "-", color=color, label=name)
        for n, a in zip(ns, accs):
            ax.plot(np.full(len(a), n) * (1 + 0.03 * (i - 0.5)), a, "o", ms=3.5, color=color)
    ax.set_xscale("log")
    ax.set_xticks(ns, [str(n) for n in ns])
    ax.minorticks_off()
    ax.set_xlabel("training images (log scale)")
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title)
    return fig


def plot_attention_distance(distances: dict[str, Any], *,
                            title: str = "Mean attention distance of every head") -> Figure:
    """Each head's mean attention distance against its layer (Dosovitskiy et al., Fig. 7).

    Args:
        distances: model name → ``(n_models, L, n_heads)`` distances in pixels (one dot per
            head of each model; models of the same name share a colour).
    """
    if not distances:
        raise ValueError("distances must hold at least one entry")
    fig, ax = new_figure(1, width=4.8, height=3.4)
    names = list(distances)
    for i, name in enumerate(names):
        d = to_numpy(distances[name])
        if d.ndim != 3:
            raise ValueError(f"distances[{name!r}] must have shape (n_models, L, n_heads), "
                             f"got {d.shape}")
        L = d.shape[1]
        offset = (i - (len(names) - 1) / 2) * 0.18
        for layer in range(L):
            vals = d[:, layer].ravel()
            ax.plot(np.full(len(vals), layer + 1 + offset), vals, "o", ms=4, alpha=0.7,
                    color=PALETTE[i % len(PALETTE)], label=name if layer == 0 else None)
    ax.set_xticks(range(1, L + 1))
    ax.set_xlabel("layer")
    ax.set_ylabel("mean attention distance (pixels)")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def plot_similarity_by_distance(sims: dict[str, Any], grid: tuple[int, int], *,
                                title: str = "Position similarity against grid distance"
                                ) -> Figure:
    """Mean cosine similarity of two position embeddings against their distance on the
    grid, one line per model (and a band over the seeds).

    Args:
        sims: name → ``(n_models, N, N)`` cosine similarities; grid: ``(g_h, g_w)``.
    """
    gh, gw = grid
    r, c = np.divmod(np.arange(gh * gw), gw)
    dist = np.round(np.hypot(r[:, None] - r[None], c[:, None] - c[None]), 6)  # (N, N)
    off = ~np.eye(gh * gw, dtype=bool)
    levels = np.unique(dist[off])
    fig, ax = new_figure(1, width=5.0, height=3.3)
    for i, (name, s) in enumerate(sims.items()):
        s = to_numpy(s)
        if s.ndim != 3 or s.shape[1:] != (gh * gw, gh * gw):
            raise ValueError(f"sims[{name!r}] must have shape (n_models, N, N) with "
                             f"N = {gh * gw}, got {s.shape}")
        curves = np.array([[m[off & (dist == lv)].mean() for lv in levels] for m in s])
        color = PALETTE[i % len(PALETTE)]
        mean = curves.mean(0)
        ax.plot(levels, mean, "-o", ms=3, color=color, label=name)
        if len(curves) > 1:
            ax.fill_between(levels, curves.min(0), curves.max(0), color=color, alpha=0.15, lw=0)
    ax.axhline(0, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("distance between the two patches (in patches)")
    ax.set_ylabel("cosine similarity")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig
