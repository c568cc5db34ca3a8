"""Figures for chapter 17's ring attention: layouts, timelines, costs and the overlap model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..layers.ring import ring_layout
from .style import COLORS, PALETTE, new_figure

__all__ = ["plot_overlap_model", "plot_ring_costs", "plot_ring_layouts", "plot_ring_timeline"]

MiB = 2**20


def _owner_grid(n: int, world_size: int, balanced: bool) -> np.ndarray:
    """``(n, n)``: the rank that computes each causal (query, key) pair, −1 above the diagonal."""
    owner = np.empty(n, dtype=int)
    for r, pos in enumerate(ring_layout(n, world_size, balanced=balanced)):
        owner[pos.numpy()] = r
    grid = np.repeat(owner[:, None], n, axis=1)  # (n, n): the query's rank
    grid[np.triu_indices(n, k=1)] = -1
    return grid


def plot_ring_layouts(n: int, world_size: int) -> Figure:
    """The causal score matrix coloured by the process that computes each row, for the
    contiguous and the zig-zag layout, with each process's share of the work in the title."""
    fig, axes = new_figure(2, width=3.6, height=3.7)
    cmap = ListedColormap(["#f2f2f2", *PALETTE[:world_size]])
    for ax, balanced in zip(axes, (False, True)):
        grid = _owner_grid(n, world_size, balanced)
        ax.imshow(grid + 1, cmap=cmap, vmin=0, vmax=world_size, interpolation="nearest")
        share = [int((grid == r).sum()) for r in range(world_size)]
        total = sum(share)
        name = "zig-zag" if balanced else "contiguous"
        ax.set_title(f"{name}: shares " + " / ".join(f"{s / total:.0%}" for s in share),
                     fontsize=9)
        ax.set(xlabel="key position", ylabel="query position")
    handles = [Patch(color=PALETTE[r], label=f"process {r}") for r in range(world_size)]
    fig.legend(handles=handles, loc="outside lower center", ncols=world_size, fontsize=8)
    return fig


def plot_ring_timeline(traces: Mapping[str, Sequence[Sequence[Mapping[str, float]]]]) -> Figure:
    """One Gantt chart per layout: for each process, its compute per ring step (coloured by
    step) and the time it waited or sat finished (grey), on a common clock."""
    fig, axes = new_figure(1, len(traces), width=7.5, height=1.0 + 0.45 * max(
        len(t) for t in traces.values()), sharex=True)
    axes = np.atleast_1d(axes)
    end = max(s["t_end"] - min(tr[0]["t_begin"] for tr in rank_traces)
              for rank_traces in traces.values() for tr in rank_traces for s in tr)
    for ax, (label, rank_traces) in zip(axes, traces.items()):
        t0 = min(tr[0]["t_begin"] for tr in rank_traces)
        finish = max(tr[-1]["t_end"] for tr in rank_traces) - t0
        for r, tr in enumerate(rank_traces):
            ax.broken_barh([(0, finish)], (r - 0.35, 0.7), color="#dddddd")
            for s in tr:
                ax.broken_barh([((s["t_compute"] - t0) * 1e3, s["compute_s"] * 1e3)],
                               (r - 0.35, 0.7), color=PALETTE[s["step"] % len(PALETTE)])
        busy = sum(s["compute_s"] for tr in rank_traces for s in tr)
        idle = 1 - busy / (len(rank_traces) * finish)
        ax.set_yticks(range(len(rank_traces)), [f"process {r}" for r in range(len(rank_traces))])
        ax.invert_yaxis()
        ax.set_title(f"{label}: {idle:.0%} of process time not computing", fontsize=9)
    for ax in axes:
        ax.set_xlim(0, end * 1e3 * 1.02)
    axes[-1].set_xlabel("time since the first process started (ms); colour = ring step, "
                        "grey = waiting or finished")
    return fig


def plot_ring_costs(world_sizes: Sequence[int], bytes_measured: Sequence[float],
                    bytes_formula: Sequence[float], peak_measured: Sequence[float],
                    peak_formula: Sequence[float], *, single_process_peak: float | None = None,
                    single_label: str = "one process, plain attention") -> Figure:
    """Left: bytes each process sends in one ring pass against ``P`` (measured by the kernel,
    and the formula). Right: peak extra memory per process against ``P`` (measured, the
    formula, and a ``1/P`` guide), with one process running plain attention for scale."""
    P = np.asarray(world_sizes, dtype=float)
    fig, (a0, a1) = new_figure(2, width=4.2, height=3.3)
    a0.plot(P, np.asarray(bytes_formula) / MiB, "-", color=COLORS["black"],
            label="formula (P − 1)(N / P)(B·H (d_k + d_v) 4 + 8)")
    a0.plot(P, np.asarray(bytes_measured) / MiB, "o", color=COLORS["vermillion"],
            label="written to sockets (kernel count)")
    a0.set(xlabel="processes P", ylabel="bytes sent per process (MiB)",
           title="Communication per process")
    a0.set_xticks(P, [str(int(p)) for p in P])
    a0.legend(fontsize=7)
    a1.plot(P, np.asarray(peak_measured) / MiB, "o-", color=COLORS["vermillion"],
            label="measured peak")
    a1.plot(P, np.asarray(peak_formula) / MiB, "--", color=COLORS["black"], label="formula")
    a1.plot(P, peak_measured[0] / P / MiB, ":", color=COLORS["blue"], label="∝ 1 / P")
    if single_process_peak is not None:
        a1.axhline(single_process_peak / MiB, color=COLORS["orange"], label=single_label)
    a1.set(xscale="log", yscale="log", xlabel="processes P (log)",
           ylabel="peak extra memory per process (MiB, log)", title="Memory per process")
    a1.set_xticks(P, [str(int(p)) for p in P])
    a1.minorticks_off()
    a1.legend(fontsize=7)
    return fig


def plot_overlap_model(rows: Sequence[Mapping[str, float]], model: Mapping[str, Any]) -> Figure:
    """Time of one ring step against the block size: measured compute and transfer, the
    measured step with and without overlap, and the model's ``max`` and ``sum`` of the two."""
    n = np.asarray([r["n"] for r in rows], dtype=float)
    tc = np.asarray([r["compute_s"] for r in rows]) * 1e3
    tt = np.asarray([r["transfer_s"] for r in rows]) * 1e3
    fig, ax = new_figure(width=6.0, height=3.8)
    ax.plot(n, tc, "o", color=COLORS["blue"], label="compute one block (measured)")
    ax.plot(n, tt, "s", color=COLORS["green"], label="send one block (measured)")
    grid = np.geomspace(n.min(), n.max(), 60)
    mc = 4 * model["batch"] * grid**2 * model["d"] / model["flops_per_s"] * 1e3
    mt = (model["latency_s"] + grid * model["bytes_per_token"] / model["bandwidth"]) * 1e3
    ax.plot(grid, mc, "-", color=COLORS["blue"], lw=0.8)
    ax.plot(grid, mt, "-", color=COLORS["green"], lw=0.8)
    ax.plot(grid, np.maximum(mc, mt), "-", color=COLORS["vermillion"], lw=2,
            label="model, overlapped: max(compute, send)")
    ax.plot(grid, mc + mt, "--", color=COLORS["purple"], lw=2,
            label="model, one after the other: compute + send")
    ax.plot(n, [r["step_overlap_s"] * 1e3 for r in rows], "^", color=COLORS["vermillion"],
            label="ring step, overlapped (measured)")
    ax.plot(n, [r["step_serial_s"] * 1e3 for r in rows], "v", color=COLORS["purple"],
            label="ring step, one after the other (measured)")
    ax.set(xscale="log", yscale="log", xlabel="block size N / P (tokens, log)",
           ylabel="time (ms, log)", title="One ring step on this machine, two processes")
    ax.set_xticks(n, [str(int(x)) for x in n])
    ax.minorticks_off()
    ax.legend(fontsize=7)
    return fig
