"""Checkers for chapter 13's exercises (one flash step, causal tiles, the tile that fits a cache,
causal linear attention)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from ..experiments.efficient import tiling_costs
from ..layers.efficient import linear_attention
from ._base import Checker, CheckResult

__all__ = [
    "check_causal_linear_attention", "check_causal_tiles", "check_flash_step", "check_tile_fit",
]


def _run_flash(step: Callable[..., Any], q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
               block: int) -> torch.Tensor:
    n_q, d_v = q.shape[0], v.shape[1]
    m = torch.full((n_q, 1), -math.inf, dtype=q.dtype)
    l = torch.zeros(n_q, 1, dtype=q.dtype)
    acc = torch.zeros(n_q, d_v, dtype=q.dtype)
    for j0 in range(0, k.shape[0], block):
        s = q @ k[j0:j0 + block].T / math.sqrt(q.shape[1])  # (n_q, block)
        m, l, acc = step(m, l, acc, s, v[j0:j0 + block])
    return acc / l


def check_flash_step(step: Callable[..., Any]) -> CheckResult:
    """Check ``step(m (n_q, 1), l (n_q, 1), acc (n_q, d_v), s (n_q, b), v_block (b, d_v))``
    ``-> (m, l, acc)``: one online-softmax update of flash attention's running statistics.

    Folding every key block in with ``step`` and dividing ``acc`` by ``l`` must give exact
    attention, for any block size, also when a later block holds much larger scores.
    """
    c = Checker("check_flash_step")
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(6, 4, generator=g, dtype=torch.float64) for _ in range(3))
    want = F.scaled_dot_product_attention(q, k, v)
    with c.case("one block holding every key is plain attention"):
        c.close(_run_flash(step, q, k, v, 6), want, "the output", atol=1e-10)
    with c.case("blocks of 2 keys give the same output (old sums are rescaled)"):
        c.close(_run_flash(step, q, k, v, 2), want, "the output with blocks of 2", atol=1e-10)
    with c.case("a later block with much larger scores (rescaling with exp(m_old − m_new))"):
        k2 = torch.cat([k[:3], 40 * k[3:]])
        got = _run_flash(step, q, k2, v, 3)
        c.close(got, F.scaled_dot_product_attention(q, k2, v), "the output", atol=1e-8)
    with c.case("returns the running maximum m of all scores seen"):
        m, _, _ = step(torch.full((6, 1), -math.inf, dtype=torch.float64),
                       torch.zeros(6, 1, dtype=torch.float64),
                       torch.zeros(6, 4, dtype=torch.float64), q @ k.T, v)
        c.close(m, (q @ k.T).amax(dim=-1, keepdim=True), "m after one block")
    return c.result()


def check_causal_tiles(fn: Callable[[int, int], int]) -> CheckResult:
    """Check ``fn(n, block) -> int``: the number of tiles causal flash attention computes."""
    c = Checker("check_causal_tiles")
    for n, block in ((64, 16), (100, 25), (1024, 128), (100, 30), (7, 8)):
        with c.case(f"n = {n}, block = {block}"):
            want = tiling_costs(n, block, causal=True)["computed"]
            got = fn(n, block)
            c.expect(int(got) == want,
                     f"got {got} tiles, expected {want}: with T = ceil(n / block) tiles per side, "
                     "the tiles on and below the diagonal are T (T + 1) / 2")
    return c.result()


def tile_working_set_bytes(block: int, d: int) -> int:
    """Bytes one step of the tiled loop works on, in float32: the ``(b, b)`` tile of scores,
    the query, key and value blocks and the block's output accumulator (``b × d`` each)."""
    return 4 * (block * block + 4 * block * d)


def check_tile_fit(fn: Callable[[int, int], int]) -> CheckResult:
    """Check ``fn(cache_bytes, d) -> int``: the largest power-of-two tile size ``b`` whose
    float32 working set, ``b²`` scores plus ``4 b d`` numbers (the query, key and value
    blocks and the output accumulator), fits in ``cache_bytes``."""
    c = Checker("check_tile_fit")
    for cache, d in ((2**20, 64), (2**21, 64), (2**25, 128), (2**19, 64), (2**15, 16)):
        with c.case(f"cache = {cache / 2**10:g} KiB, d = {d}"):
            want = 1
            while tile_working_set_bytes(2 * want, d) <= cache:
                want *= 2
            got = fn(cache, d)
            c.expect(int(got) == want,
                     f"got b = {got}, expected {want}: the working set of b = {want} is "
                     f"{tile_working_set_bytes(want, d) / 2**10:g} KiB, of b = {2 * want} "
                     f"{tile_working_set_bytes(2 * want, d) / 2**10:g} KiB (count the b × b "
                     "scores and the four b × d blocks, 4 bytes each, and keep 'fits' as ≤)")
    return c.result()


def check_causal_linear_attention(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(q (N, d_k), k (N, d_k), v (N, d_v)) -> (N, d_v)``: causal linear attention
    with ``φ(x) = elu(x) + 1``, query ``i`` summing over keys ``j ≤ i`` only."""
    c = Checker("check_causal_linear_attention")
    g = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(9, 3, generator=g, dtype=torch.float64) for _ in range(3))
    want = linear_attention(q, k, v, causal=True)
    with c.case("returns one output row per query"):
        c.shape(fn(q, k, v), (9, 3), "the output")
    with c.case("matches causal linear attention"):
        got = fn(q, k, v)
        c.close(got, want, "the output", atol=1e-8)
    with c.case("the first query sees only the first value"):
        c.close(fn(q, k, v)[0], v[0], "output row 0", atol=1e-8)
    with c.case("changing a later key leaves earlier outputs unchanged (no peeking)"):
        k2 = k.clone()
        k2[-1] += 5.0
        c.close(fn(q, k2, v)[:-1], want[:-1], "outputs before the changed key", atol=1e-8)
    return c.result()
