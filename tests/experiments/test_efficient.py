"""Tests of ``attn_course.experiments.efficient``."""

from __future__ import annotations

import inspect
import math
import sys

import pytest
import torch

from attn_course.experiments.efficient import (
    attention_matrix_bytes,
    block_sweep,
    cache_bytes,
    load_stored_timings,
    measure_methods,
    tile_grid,
    tiling_costs,
)
from attn_course.layers.flash import flash_attention


def test_attention_matrix_bytes():
    assert attention_matrix_bytes(16384) == 2**30
    assert attention_matrix_bytes(10, 20, batch=3, bytes_per_float=8) == 4800


def test_measure_methods_rows():
    rows = measure_methods([256], d=16, repeat=1, max_plain_n=128)
    names = {r["method"] for r in rows}
    assert "plain" not in names and "tiled (ours)" in names
    assert all(r["N"] == 256 and r["seconds"] > 0 for r in rows)
    if sys.platform.startswith("linux"):
        assert all(not math.isnan(r["peak_bytes"]) for r in rows)


def test_tiling_costs_counts_tiles():
    full = tiling_costs(100, 25, d=8)
    assert (full["tiles"], full["computed"], full["partial"]) == (16, 16, 0)
    assert full["flops"] == 4 * 8 * 100 * 100
    c = tiling_costs(100, 25, d=8, causal=True)
    assert (c["computed"], c["partial"], c["skipped_causal"]) == (10, 4, 6)
    w = tiling_costs(100, 25, window=10)
    assert (w["computed"], w["skipped_window"]) == (4 + 2 * 3, 6)
    assert tiling_costs(100, 30)["tiles"] == 16  # ragged last tile of 10


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("window", [None, 0, 7, 40])
def test_tile_grid_agrees_with_the_dense_mask(causal, window):
    n, block = 45, 8
    i, j = torch.arange(n)[:, None], torch.arange(n)[None]
    keep = torch.ones(n, n, dtype=torch.bool)
    if causal:
        keep &= j <= i
    if window is not None:
        keep &= (i - j).abs() <= window
    grid = tile_grid(n, block, causal=causal, window=window)
    for a in range(grid.shape[0]):
        for b in range(grid.shape[1]):
            tile = keep[a * block:(a + 1) * block, b * block:(b + 1) * block]
            expected = 0 if tile.all() else (1 if tile.any() else None)
            if expected is None:
                assert grid[a, b] in (2, 3)
            else:
                assert grid[a, b] == expected
    flops = tiling_costs(n, block, d=1, causal=causal, window=window)["flops"]
    assert flops >= 4 * keep.sum()  # every kept pair lies in a computed tile


def test_block_sweep_rows():
    rows = block_sweep(96, [32, 64], d=8, repeat=1)
    assert [r["block"] for r in rows] == [32, 64] and all(r["seconds"] > 0 for r in rows)
    assert rows[1]["tile_bytes"] == 4 * 64 * 64


def test_cache_bytes_reads_sysfs_sizes():
    got = cache_bytes({"L1 Data": "32K", "L1 Instruction": "32K", "L2 Unified": "1024K",
                       "L3 Unified": "32M"})
    assert got == {"L1": 32 * 2**10, "L2": 2**20, "L3": 32 * 2**20}


def test_stored_timings_have_their_provenance_and_the_default_block():
    stored = load_stored_timings()
    m = stored["machine"]
    for key in ("cpu", "cores", "date_utc", "load_average_1min_before", "caches", "torch"):
        assert key in m, key
    assert stored["script"] == "benchmarks/flash_bench.py --store" and stored["d"] == 64
    blocks = [r["block"] for r in stored["sweep"]]
    default = inspect.signature(flash_attention).parameters["block_size"].default
    assert default in blocks and blocks[0] <= 32 and blocks[-1] == stored["sweep_n"]
    assert [r["N"] for r in stored["plain"]] == sorted(r["N"] for r in stored["plain"])
    assert all(r["seconds"] > 0 for r in stored["sweep"] + stored["plain"])
