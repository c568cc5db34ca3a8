"""Figures for chapter 13: the N × N memory wall, tiles, and cheaper attention."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..experiments.efficient import tile_grid
from .style import COLORS, PALETTE, new_figure

__all__ = [
    "plot_block_sweep",
    "plot_copy_task",
    "plot_memory_wall",
    "plot_method_costs",
    "plot_plain_series",
    "plot_tiles",
    "plot_window_error",
]

MiB = 2**20


def plot_memory_wall(
    n_computed: Sequence[int], bytes_computed: Mapping[str, Sequence[float]],
    n_measured: Sequence[int], peak_measured: Sequence[float], seconds: Sequence[float],
    *, ram_bytes: float | None = None,
) -> Figure:
    """Left: bytes of the score matrix vs N (computed lines, measured peaks as dots).
    Right: measured time of plain attention vs N with an ``N²`` guide through the last point.
    """
    fig, (a0, a1) = new_figure(2, width=4.4, height=3.4)
    for (label, b), c in zip(bytes_computed.items(), PALETTE):
        a0.plot(n_computed, np.asarray(b) / MiB, "-", color=c, label=f"computed: {label}")
    a0.plot(n_measured, np.asarray(peak_measured) / MiB, "o", color=COLORS["vermillion"],
            label="measured peak, plain attention")
    if ram_bytes:
        a0.axhline(ram_bytes / MiB, color=COLORS["black"], ls=":", label="this machine's RAM")
    a0.set(xscale="log", yscale="log", xlabel="sequence length N (log)",
           ylabel="memory (MiB, log)", title="The N × N memory wall")
    a0.legend(fontsize=7)
    n = np.asarray(n_measured, dtype=float)
    t = np.asarray(seconds, dtype=float)
    a1.plot(n, t * 1e3, "o-", color=COLORS["vermillion"], label="measured, plain attention")
    a1.plot(n, t[-1] * 1e3 * (n / n[-1]) ** 2, "--", color=COLORS["black"], label="∝ N²")
    a1.set(xscale="log", yscale="log", xlabel="sequence length N (log)",
           ylabel="time (ms, log)", title="Time of plain attention")
    a1.set_xticks(n, [str(int(x)) for x in n])
    a1.minorticks_off()
    a1.legend(fontsize=7)
    return fig


def plot_tiles(n: int, block: int, *, causal: bool = False, window: int | None = None,
               ax: Any = None) -> Figure:
    """The ``(n/block) × (n/block)`` grid of tiles: computed, masked on the edge, or skipped."""
    grid = tile_grid(n, block, causal=causal, window=window).numpy()  # (n_tiles, n_tiles) codes
    if ax is None:
        fig, ax = new_figure(width=5.6, height=3.6)
    else:
        fig = ax.figure
    cmap = ListedColormap([COLORS["blue"], COLORS["sky"], "#eeeeee", COLORS["orange"]])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=3.5, interpolation="nearest")
    ax.set(xlabel="key block", ylabel="query block",
           title=f"N = {n}, block = {block}" + (", causal" if causal else "")
           + (f", window = {window}" if window is not None else ""))
    counts = {c: int((grid == c).sum()) for c in range(4)}
    names = ["computed", "computed, partly masked", "skipped (causal)", "skipped (window)"]
    handles = [ax.scatter([], [], marker="s", s=60, color=cmap(c),
                          label=f"{names[c]}: {counts[c]}") for c in range(4) if counts[c]]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))
    return fig


def plot_window_error(windows: Sequence[int], errors: Sequence[float], *,
                      linear_error: float, mean_offset: float) -> Figure:
    """Relative error of sliding-window attention vs the window, with linear attention's."""
    fig, ax = new_figure(width=5.0, height=3.4)
    ax.plot(windows, errors, "o-", color=COLORS["blue"], label="sliding window")
    ax.axhline(linear_error, color=COLORS["vermillion"], ls="--", label="linear attention")
    ax.axvline(mean_offset, color=COLORS["black"], ls=":",
               label=f"mean |i − j| under the exact weights: {mean_offset:.1f}")
    ax.set(xscale="log", yscale="log", xlabel="window w (positions each side, log)",
           ylabel="‖approx − exact‖ / ‖exact‖ (log)",
           title="Error on inputs with local attention")
    ax.legend(fontsize=7)
    return fig


def plot_copy_task(distances: Sequence[int], accuracy: Mapping[str, Sequence[float]],
                   sharpness: Sequence[float], linear_error: Sequence[float], *,
                   chance: float) -> Figure:
    """Left: copy accuracy vs distance per method. Right: linear attention's error vs sharpness."""
    fig, (a0, a1) = new_figure(2, width=4.4, height=3.4)
    for (name, acc), c in zip(accuracy.items(), PALETTE):
        a0.plot(distances, acc, "o-", color=c, label=name)
    a0.axhline(chance, color=COLORS["black"], ls=":", label="chance")
    a0.set(xscale="log", xlabel="distance to the key to fetch (log)", ylabel="accuracy",
           ylim=(0, 1.05), title="Fetch the class stored d positions back")
    a0.legend(fontsize=7)
    a1.plot(sharpness, linear_error, "o-", color=COLORS["vermillion"])
    a1.set(xscale="log", yscale="log", xlabel="sharpness: score of the match (log)",
           ylabel="relative error of linear attention (log)",
           title="Linear attention: diffuse vs sharp")
    return fig


def plot_method_costs(rows: Sequence[Mapping[str, Any]]) -> Figure:
    """Time and peak extra memory vs N, one line per method (rows of ``measure_methods``)."""
    fig, (a0, a1) = new_figure(2, width=4.4, height=3.4)
    methods = list(dict.fromkeys(r["method"] for r in rows))
    for name, c in zip(methods, PALETTE):
        rs = [r for r in rows if r["method"] == name]
        n = [r["N"] for r in rs]
        a0.plot(n, [r["seconds"] * 1e3 for r in rs], "o-", color=c, label=name)
        a1.plot(n, [max(r["peak_bytes"], 4096) / MiB for r in rs], "o-", color=c, label=name)
    a0.set(xscale="log", yscale="log", xlabel="N (log)", ylabel="time (ms, log)",
           title="Time")
    a1.set(xscale="log", yscale="log", xlabel="N (log)", ylabel="peak extra memory (MiB, log)",
           title="Memory")
    a0.legend(fontsize=7)
    return fig


def _cache_lines(ax: Any, caches: Mapping[str, float], to_x: Any) -> None:
    """Dotted vertical lines where a level of cache is full, labelled with its size."""
    for (name, size), ls in zip(caches.items(), (":", "-.", "--")):
        ax.axvline(to_x(size), color=COLORS["black"], ls=ls, lw=1,
                   label=f"{name} ({size / MiB:g} MiB) full")


def plot_plain_series(
    series: Mapping[str, tuple[Sequence[int], Sequence[float]]], *,
    caches: Mapping[str, float] | None = None,
) -> Figure:
    """Plain attention's time per entry of the ``N × N`` matrix (ns) against N, one line per
    series (label → (N, seconds)); vertical lines where ``4 N²`` bytes fill each cache."""
    fig, ax = new_figure(1, width=5.6, height=3.4)
    for (label, (ns, secs)), c in zip(series.items(), (COLORS["vermillion"], COLORS["blue"])):
        n = np.asarray(ns, dtype=float)
        ax.plot(n, np.asarray(secs) / n**2 * 1e9, "o-", color=c, label=label)
    if caches:
        _cache_lines(ax, caches, lambda b: np.sqrt(b / 4))
    ax.set(xscale="log", xlabel="sequence length N (log)", ylabel="time per N² entry (ns)",
           title="Plain attention: cost per score", ylim=(0, None))
    ns = sorted({n for sizes, _ in series.values() for n in sizes})
    ticks = [n for n in ns if n & (n - 1) == 0]  # the powers of two
    ax.set_xticks(ticks, [str(n) for n in ticks])
    ax.minorticks_off()
    ax.legend(fontsize=7)
    return fig


def plot_block_sweep(
    series: Mapping[str, tuple[Sequence[int], Sequence[float]]], *,
    caches: Mapping[str, float] | None = None, default: int | None = None,
) -> Figure:
    """Forward time of tiled attention against the tile size (label → (blocks, seconds)),
    with vertical lines where one float32 ``b × b`` tile fills each cache."""
    fig, ax = new_figure(1, width=5.6, height=3.4)
    for (label, (bs, secs)), c in zip(series.items(), (COLORS["vermillion"], COLORS["blue"])):
        ax.plot(bs, np.asarray(secs) * 1e3, "o-", color=c, label=label)
    if caches:
        _cache_lines(ax, caches, lambda b: np.sqrt(b / 4))
    if default:
        ax.axvspan(default / 1.15, default * 1.15, color=COLORS["green"], alpha=0.25,
                   label=f"package default, {default}")
    bs = sorted({b for blocks, _ in series.values() for b in blocks})
    ax.set(xscale="log", yscale="log", xlabel="tile size b (b × b tiles, log)",
           ylabel="time (ms, log)", title="Tiled attention: time against tile size")
    ax.set_xticks(bs, [str(b) for b in bs])
    ax.minorticks_off()
    ax.legend(fontsize=7)
    return fig
