"""Measuring efficient attention (chapter 13): time and memory per method, tiles per kernel.

:func:`measure_methods` times (median, round-robin) and measures the peak memory of each
method of ``METHODS`` (name → a function of ``q, k, v``) on the same inputs, with
:mod:`attn_course.tools.measure`.
:func:`tile_grid` and :func:`tiling_costs` count what a blocked kernel
(:func:`attn_course.flash_attention`) computes and skips — the numbers chapter 13's tiling
view shows. All tensors are torch.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ..core.attention import scaled_dot_product_attention
from ..layers.efficient import linear_attention, local_attention
from ..layers.flash import flash_attention
from ..tools.measure import peak_memory, time_calls
from ..tools.threads import torch_threads

__all__ = [
    "METHODS", "STORED_TIMINGS", "attention_matrix_bytes", "block_sweep", "cache_bytes",
    "load_stored_timings",
    "measure_methods", "tile_grid", "tiling_costs",
]

STORED_TIMINGS = Path(__file__).resolve().parents[1] / "data" / "ch13_timings.json"


def attention_matrix_bytes(n_q: int, n_k: int | None = None, *, batch: int = 1,
                           bytes_per_float: int = 4) -> int:
    """Bytes of one ``(batch, n_q, n_k)`` score matrix (float32 by default)."""
    return batch * n_q * (n_q if n_k is None else n_k) * bytes_per_float


def _plain(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    return scaled_dot_product_attention(q, k, v)[0]


METHODS: dict[str, Callable[[Tensor, Tensor, Tensor], Tensor]] = {
    "plain": _plain,  # the course's scaled_dot_product_attention: the full N × N matrix
    "tiled (ours)": flash_attention,
    "torch SDPA": torch.nn.functional.scaled_dot_product_attention,
    "local (w=128)": lambda q, k, v: local_attention(q, k, v, 128, block_size=256),
    "linear": linear_attention,
}


def measure_methods(
    ns: list[int], *, d: int = 64, methods: dict[str, Callable] | None = None,
    repeat: int = 3, max_plain_n: int = 8192, seed: int = 0, threads: int | None = None,
    stat: str = "median", clock: str = "wall",
) -> list[dict[str, Any]]:
    """Time and peak extra memory of each method on the same ``(1, 1, N, d)`` inputs.

    The methods are timed round-robin (one call of each, ``repeat`` times) after a warm-up;
    ``stat`` (``"median"`` or ``"min"``) and ``clock`` (``"wall"`` or ``"cpu"``, the calling
    thread's CPU time) are those of :func:`attn_course.tools.measure.time_calls`.

    Returns one dict per (method, N): ``method``, ``N``, ``seconds``, ``peak_bytes``.
    ``plain`` is skipped above ``max_plain_n`` (its N × N matrices would not fit comfortably).
    ``threads``: run with this many torch threads (restored afterwards); one thread makes
    the ratios independent of whatever else the machine is doing.
    """
    methods = METHODS if methods is None else methods
    with torch_threads(threads):
        return _measure(ns, d, methods, repeat, max_plain_n, seed, stat, clock)


def _measure(ns: list[int], d: int, methods: dict[str, Callable], repeat: int,
             max_plain_n: int, seed: int, stat: str, clock: str) -> list[dict[str, Any]]:
    g = torch.Generator().manual_seed(seed)
    rows = []
    for n in ns:
        q, k, v = (torch.randn(1, 1, n, d, generator=g) for _ in range(3))  # (1, 1, N, d)
        calls = {name: (lambda fn=fn, q=q, k=k, v=v: fn(q, k, v)) for name, fn in methods.items()
                 if name != "plain" or n <= max_plain_n}
        peaks = {name: peak_memory(call) for name, call in calls.items()}  # warms up, too
        times = time_calls(calls, repeats=repeat, warmup=0, stat=stat, clock=clock)  # round-robin
        rows += [{"method": name, "N": n, "seconds": times[name], "peak_bytes": peaks[name]}
                 for name in calls]
    return rows


def block_sweep(
    n: int, blocks: list[int], *, d: int = 64, repeat: int = 3, seed: int = 0,
    threads: int | None = 1, stat: str = "min", clock: str = "cpu",
) -> list[dict[str, Any]]:
    """Forward time of :func:`attn_course.flash_attention` on one ``(1, 1, n, d)`` head by tile.

    Square tiles ``block × block``; the sizes are timed round-robin after one warm-up call
    each. By default the best of ``repeat`` calls on the thread's CPU clock, on one thread:
    the cost of the arithmetic and of the memory traffic, not of waiting for a busy machine.

    Returns one dict per block: ``block``, ``seconds``, ``tile_bytes`` (a float32 tile).
    """
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, 1, n, d, generator=g) for _ in range(3))  # (1, 1, n, d) each
    calls = {b: (lambda b=b: flash_attention(q, k, v, block_size=b)) for b in blocks}
    times = time_calls(calls, repeats=repeat, warmup=1, stat=stat, clock=clock, threads=threads)
    return [{"block": b, "seconds": times[b], "tile_bytes": 4 * b * b} for b in blocks]


def load_stored_timings(path: Path | str = STORED_TIMINGS) -> dict[str, Any]:
    """The stored run of chapter 13's timings (``benchmarks/flash_bench.py --store``).

    Returns the JSON: ``machine`` (CPU, caches, load, date: the provenance), ``sweep``
    (:func:`block_sweep` rows at ``sweep_n``) and ``plain`` (rows ``N``, ``seconds`` of plain
    attention), with the settings they were measured with.
    """
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cache_bytes(caches: dict[str, str]) -> dict[str, int]:
    """The data caches of a machine description, ``{"L1 Data": "32K", "L2 Unified": "1024K",
    …}`` (as ``benchmarks/flash_bench.py`` reads them from sysfs) → ``{"L2": bytes, …}``."""
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    out = {}
    for name, size in caches.items():
        level, kind = name.split(" ", 1)
        if kind != "Instruction":
            out[level] = int(size[:-1]) * units[size[-1]] if size[-1] in units else int(size)
    return out


def tile_grid(n: int, block: int, *, causal: bool = False, window: int | None = None) -> Tensor:
    """Which tiles of an ``n × n`` attention a blocked kernel computes, as an int grid.

    Codes: 0 computed in full, 1 computed but partly masked (on the causal diagonal or the
    window's edge), 2 skipped because it lies above the causal diagonal, 3 skipped because
    every ``|i − j|`` in it exceeds ``window``. Shape ``(ceil(n/block), ceil(n/block))``.
    """
    if not isinstance(block, int) or block < 1:
        raise ValueError(f"block must be a positive int, got {block!r}")
    bq = bk = block
    if n < 1 or (window is not None and window < 0):
        raise ValueError(f"need n ≥ 1 and window ≥ 0, got n={n}, window={window}")
    t = -(-n // bq), -(-n // bk)
    grid = torch.zeros(t, dtype=torch.int64)
    for a in range(t[0]):
        i0, i1 = a * bq, min(a * bq + bq, n) - 1  # first and last query of the tile
        for b in range(t[1]):
            j0, j1 = b * bk, min(b * bk + bk, n) - 1  # first and last key
            if causal and j0 > i1:
                grid[a, b] = 2
            elif window is not None and max(0, j0 - i1, i0 - j1) > window:
                grid[a, b] = 3
            elif (causal and j1 > i0) or (window is not None and max(i1 - j0, j1 - i0) > window):
                grid[a, b] = 1
    return grid


def tiling_costs(n: int, block: int, *, d: int = 64, causal: bool = False,
                 window: int | None = None) -> dict[str, int]:
    """Counts, FLOPs and memory of blocked attention — the numbers chapter 13's view shows.

    Returns ``tiles``, ``computed``, ``partial``, ``skipped_causal``, ``skipped_window``;
    ``flops`` = ``4 · d · (query-key pairs in computed tiles)`` (``QKᵀ`` and ``PV``, a
    multiply-add counted as 2); ``plain_bytes = 4 (n² + n d)`` for the float32 score matrix
    and output; ``tiled_bytes = 4 (block² + n (d + 1))`` for one tile, the output and the
    log-sum-exp.
    """
    grid = tile_grid(n, block, causal=causal, window=window)
    sizes = torch.full((grid.shape[0],), block)
    sizes[-1] = n - block * (grid.shape[0] - 1)
    area = sizes.unsqueeze(-1) * sizes  # (tiles, tiles) query-key pairs per tile
    done = grid <= 1
    return {
        "tiles": int(grid.numel()),
        "computed": int(done.sum()),
        "partial": int((grid == 1).sum()),
        "skipped_causal": int((grid == 2).sum()),
        "skipped_window": int((grid == 3).sum()),
        "flops": int(4 * d * int(area[done].sum())),
        "plain_bytes": 4 * (n * n + n * d),
        "tiled_bytes": 4 * (block * block + n * (d + 1)),
    }
