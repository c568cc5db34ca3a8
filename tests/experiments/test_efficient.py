"""Tests of ``attn_course.experiments.efficient``."""

from __future__ import annotations

import math
import sys

import pytest
import torch

from attn_course.experiments.efficient import (
    attention_matrix_bytes,
    measure_methods,
    tile_grid,
    tiling_costs,
)


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
