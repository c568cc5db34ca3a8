"""Figures of chapter 11's two tasks: the canvases and their gates, the marks and where a
position looks, and accuracy per block and seed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .style import CMAP, COLORS, PALETTE, new_figure, to_numpy

__all__ = [
    "plot_accuracy_by_seed",
    "plot_canvas_gates",
    "plot_learning_curves",
    "plot_mark_attention",
    "plot_se_gates",
]


def _box(ax: Any, corner: Sequence[int], size: int = 8, scale: float = 1.0) -> None:
    r, c = (float(v) * scale for v in corner)
    ax.add_patch(Rectangle((c - 0.5, r - 0.5), size * scale, size * scale, fill=False,
                           ec=COLORS["vermillion"], lw=1.5))


def plot_canvas_gates(images: Any, gates: Any | None, corners: Any, labels: Sequence[str], *,
                      title: str = "Where CBAM's spatial gate lets features through"
                      ) -> Figure:
    """Canvases (top row) and, if ``gates`` is given, the spatial gate over each one (bottom
    row); the digit's 8×8 square is outlined.

    Args:
        images: ``(n, S, S)``; gates: ``(n, S/2, S/2)`` in ``(0, 1)`` (drawn stretched over
            the canvas) or ``None``; corners: ``(n, 2)`` the digit's top-left pixel;
            labels: ``n`` captions.
    """
    imgs, cor = to_numpy(images), to_numpy(corners)
    g = None if gates is None else to_numpy(gates)
    if imgs.ndim != 3 or (g is not None and (g.ndim != 3 or len(g) != len(imgs))) or \
            not len(labels) == len(imgs) == len(cor):
        raise ValueError(f"images (n, S, S), gates (n, h, w), corners (n, 2) and n labels "
                         f"needed, got {imgs.shape}, {None if g is None else g.shape}, "
                         f"{cor.shape}, {len(labels)}")
    n, S, _ = imgs.shape
    rows = 1 if g is None else 2
    fig, axes = new_figure(n, rows, width=1.7, height=1.8)
    axes = np.asarray(axes).reshape(rows, n)  # (rows, n)
    for j in range(n):
        axes[0, j].imshow(imgs[j], cmap="gray_r", vmin=0, vmax=1)
        axes[0, j].set_title(str(labels[j]), fontsize=9)
        if g is not None:
            im = axes[1, j].imshow(g[j], cmap=CMAP, vmin=0, vmax=1,
                                   extent=(-0.5, S - 0.5, S - 0.5, -0.5),
                                   interpolation="nearest")
        for ax in axes[:, j]:
            _box(ax, cor[j])
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("canvas")
    if g is not None:
        axes[1, 0].set_ylabel("spatial gate")
        fig.colorbar(im, ax=list(axes[1]), label="gate σ(·)", shrink=0.8)
    fig.suptitle(title)
    return fig


def plot_se_gates(gates: Any, groups: Any, group_names: Sequence[str], *,
                  title: str = "Squeeze-and-excitation gates, image by image") -> Figure:
    """Each channel's gate: the mean over the images of each group (a line per group) and
    every image's value (faint dots), channels sorted by the difference between groups.

    Args:
        gates: ``(n_images, C)``; groups: ``(n_images,)`` integer group of each image
            (e.g. 0 = horizontal streaks, 1 = vertical); group_names: one name per group.
    """
    g, grp = to_numpy(gates), to_numpy(groups).astype(int)
    if g.ndim != 2 or grp.shape != (g.shape[0],):
        raise ValueError(f"gates must be (n, C) and groups (n,), got {g.shape}, {grp.shape}")
    means = np.stack([g[grp == k].mean(0) for k in range(len(group_names))])  # (G, C)
    order = np.argsort(means[-1] - means[0])
    fig, ax = new_figure(1, width=7.0, height=3.2)
    xs = np.arange(g.shape[1])
    rng = np.random.default_rng(0)
    for k, name in enumerate(group_names):
        sel = g[grp == k][:, order]  # (n_k, C)
        jitter = rng.uniform(-0.15, 0.15, sel.shape)
        ax.plot((xs + jitter).ravel(), sel.ravel(), ".", ms=2, alpha=0.15, color=PALETTE[k])
        ax.plot(xs, means[k, order], "-o", ms=3, color=PALETTE[k], label=f"{name} (mean)")
    ax.set_xlabel("channel (sorted by the difference of the two means)")
    ax.set_ylabel("gate σ(·)")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title)
    return fig


def plot_accuracy_by_seed(results: Mapping[str, Sequence[float]], *, title: str,
                          chance: float | None = None, bound: float | None = None,
                          bound_label: str = "bound") -> Figure:
    """Test accuracy of each variant: one dot per seed, a bar for the mean.

    Args:
        results: variant name → per-seed accuracies.
        chance: draw the chance level as a dotted line; bound: a dashed line (e.g. the most
            a network without the block can reach), labelled ``bound_label``.
    """
    if not results:
        raise ValueError("results must hold at least one variant")
    fig, ax = new_figure(1, width=1.2 + 1.1 * len(results), height=3.2)
    for i, accs in enumerate(results.values()):
        a = np.asarray(accs, dtype=float)
        ax.bar(i, a.mean(), width=0.6, color=PALETTE[i % len(PALETTE)], alpha=0.35)
        ax.plot(np.full(len(a), i), a, "o", color=PALETTE[i % len(PALETTE)], ms=5)
    if chance is not None:
        ax.axhline(chance, ls=":", color="grey", lw=1)
        ax.text(len(results) - 0.5, chance, " chance", va="bottom", ha="right", fontsize=8,
                color="grey")
    if bound is not None:
        ax.axhline(bound, ls="--", color=COLORS["vermillion"], lw=1)
        ax.text(len(results) - 0.5, bound, f" {bound_label}", va="bottom", ha="right",
                fontsize=8, color=COLORS["vermillion"])
    ax.set_xticks(range(len(results)), list(results), rotation=15, fontsize=8)
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    return fig


def plot_learning_curves(histories: Mapping[str, Sequence[Any]], *, every: int = 50,
                         title: str = "Training loss") -> Figure:
    """Smoothed training losses, one colour per variant and one line per seed.

    Args:
        histories: variant name → a list of per-seed loss curves, each averaged over
            blocks of ``every`` steps.
    """
    fig, ax = new_figure(1, width=5.0, height=3.0)
    for i, (name, curves) in enumerate(histories.items()):
        for j, c in enumerate(curves):
            c = to_numpy(c)
            ax.plot((np.arange(len(c)) + 1) * every, c, color=PALETTE[i % len(PALETTE)],
                    lw=1.2, alpha=0.8, label=name if j == 0 else None)
    ax.set_xlabel("training step")
    ax.set_ylabel("cross-entropy")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def plot_mark_attention(image: Any, weights: Any, query: tuple[int, int], masks: Any, *,
                        title: str = "Where one position looks (non-local block)") -> Figure:
    """The image with the two marks outlined, and the attention of one query position of
    the ``g × g`` feature map over all positions, stretched over the image.

    Args:
        image: ``(S, S)``; weights: ``(g·g, g·g)`` rows of the block's attention;
        query: ``(row, col)`` on the ``g × g`` map; masks: ``(2, S, S)`` bool, the marks.
    """
    img, w, m = to_numpy(image), to_numpy(weights), to_numpy(masks).astype(bool)
    S = img.shape[0]
    g = int(round(w.shape[0] ** 0.5))
    if w.shape != (g * g, g * g) or img.shape != (S, S) or m.shape != (2, S, S):
        raise ValueError(f"image (S, S), weights (g², g²) and masks (2, S, S) needed, got "
                         f"{img.shape}, {w.shape}, {m.shape}")
    row = w[query[0] * g + query[1]].reshape(g, g)  # (g, g)
    fig, axes = new_figure(2, width=2.6, height=2.7)
    axes[0].imshow(img, cmap="gray_r", vmin=0, vmax=1)
    axes[0].set_title("image", fontsize=9)
    im = axes[1].imshow(row, cmap=CMAP, vmin=0, extent=(-0.5, S - 0.5, S - 0.5, -0.5),
                        interpolation="nearest")
    scale = S / g
    axes[1].plot((query[1] + 0.5) * scale - 0.5, (query[0] + 0.5) * scale - 0.5, "x",
                 color=COLORS["vermillion"], ms=10, mew=2.5)
    for ax in axes:
        for k in range(2):
            rr, cc = np.nonzero(m[k])
            ax.add_patch(Rectangle((cc.min() - 0.5, rr.min() - 0.5), cc.max() - cc.min() + 1,
                                   rr.max() - rr.min() + 1, fill=False,
                                   ec=COLORS["orange"], lw=1.5))
        ax.set_xticks([])
        ax.set_yticks([])
    axes[1].set_title(f"query at map position {tuple(query)}", fontsize=9)
    fig.colorbar(im, ax=axes[1], label="weight", shrink=0.8)
    fig.suptitle(title)
    return fig
