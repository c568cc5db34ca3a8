"""Figures for chapter 17's first half: caches that grow or not, losses along a long text,
and where heads put their weight (first tokens, a learnable sink)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import CMAP, COLORS, PALETTE, new_figure, to_numpy

__all__ = ["plot_cache_growth", "plot_head_grid", "plot_stream_losses"]

MiB = 2**20


def plot_cache_growth(profiles: Mapping[str, Sequence[Mapping[str, float]]]) -> Figure:
    """Left: the cache's keys and values (lines) and the process's measured memory growth
    (dots) against the tokens generated. Right: time per generated token."""
    fig, (a0, a1) = new_figure(2, width=4.3, height=3.3)
    for (name, rows), c in zip(profiles.items(), PALETTE):
        t = [r["t"] for r in rows]
        a0.plot(t, [r["cache_bytes"] / MiB for r in rows], "-", color=c, label=f"{name}: cache")
        a0.plot(t, [r["rss_growth"] / MiB for r in rows], "o", color=c, ms=4,
                label=f"{name}: process memory (measured)")
        a1.plot(t, [r["seconds_per_token"] * 1e3 for r in rows], "o-", color=c, label=name)
    a0.set(xlabel="tokens so far", ylabel="MiB", title="Memory while generating")
    a1.set(xlabel="tokens so far", ylabel="ms per token", title="Time per generated token",
           ylim=(0, None))
    a0.legend(fontsize=7)
    a1.legend(fontsize=7)
    return fig


def plot_stream_losses(losses: Mapping[str, Any], *, train_context: int, smooth: int = 64,
                       ylim: tuple[float, float] | None = None) -> Figure:
    """Next-token loss along a long held-out text for each way of reading it (a running mean
    over ``smooth`` tokens), with the length the model was trained on marked."""
    fig, ax = new_figure(width=7.0, height=3.6)
    for (name, nll), c in zip(losses.items(), PALETTE):
        x = np.asarray(to_numpy(nll), dtype=float)
        k = np.ones(smooth) / smooth
        y = np.convolve(x, k, mode="valid")  # (T − smooth + 1,)
        ax.plot(np.arange(smooth, x.size + 1), y, color=c, label=name, lw=1.4)
    ax.axvline(train_context, color=COLORS["black"], ls=":", lw=1)
    ax.text(train_context, ax.get_ylim()[1], " trained on windows of this length", va="top",
            fontsize=8)
    ax.set(xlabel="position in the text", ylabel=f"loss (nats, mean of {smooth} tokens)",
           title="Next-token loss along a long held-out text")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, 0.92))
    return fig


def plot_head_grid(grids: Mapping[str, Any], *, title: str, label: str,
                   vmax: float | None = None) -> Figure:
    """One ``(n_layers, n_heads)`` heatmap per entry of ``grids`` (e.g. a model per seed),
    each cell annotated with its value."""
    mats = {k: np.asarray(to_numpy(v), dtype=float) for k, v in grids.items()}
    top = vmax if vmax is not None else max(float(m.max()) for m in mats.values())
    fig, axes = new_figure(len(mats), width=2.6, height=2.3)
    axes = np.atleast_1d(axes)
    for ax, (name, m) in zip(axes, mats.items()):
        im = ax.imshow(m, cmap=CMAP, vmin=0, vmax=max(top, 1e-12), aspect="auto")
        for (i, j), val in np.ndenumerate(m):
            ax.text(j, i, f"{val:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if val < 0.6 * top else "black")
        ax.set_xticks(range(m.shape[1]), [str(h) for h in range(m.shape[1])])
        ax.set_yticks(range(m.shape[0]), [str(layer) for layer in range(m.shape[0])])
        ax.set(xlabel="head", ylabel="layer", title=name)
    fig.suptitle(title, fontsize=10)
    fig.colorbar(im, ax=list(axes), label=label, shrink=0.8)
    return fig
