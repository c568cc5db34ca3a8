"""Checkers for chapter 15's exercises (cache memory, which key/value head a query head
reads, top-k sampling, training byte-pair encoding)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..core.sampling import next_token_probs
from ..data.bpe import bpe_merges
from ..layers.kv_cache import cache_bytes
from ._base import Checker, CheckResult

__all__ = ["check_bpe_merges", "check_cache_bytes", "check_kv_head", "check_top_k"]


def check_cache_bytes(fn: Callable[[int, int, int, int], Any]) -> CheckResult:
    """Check ``fn(n_layers, n_kv_heads, d_k, t) -> bytes`` of a float32 cache for one sequence."""
    c = Checker("check_cache_bytes")
    for args in ((2, 4, 16, 256), (32, 8, 128, 4096), (1, 1, 64, 1), (12, 12, 64, 0)):
        with c.case(f"n_layers, n_kv_heads, d_k, t = {args}"):
            want = cache_bytes(*args)
            got = fn(*args)
            c.expect(int(got) == want, f"for {args} the cache holds {want} bytes, got {got} "
                     "(keys AND values, every layer, 4 bytes a number)")
    return c.result()


def check_kv_head(fn: Callable[[int, int, int], Any]) -> CheckResult:
    """Check ``fn(h, n_heads, n_kv_heads) -> int``: the key/value head query head ``h`` reads."""
    c = Checker("check_kv_head")
    for n_heads, n_kv in ((8, 8), (8, 2), (8, 1), (12, 4)):
        with c.case(f"n_heads = {n_heads}, n_kv_heads = {n_kv}"):
            want = [h // (n_heads // n_kv) for h in range(n_heads)]
            got = [int(fn(h, n_heads, n_kv)) for h in range(n_heads)]
            c.expect(got == want, f"query heads 0 … {n_heads - 1} should read key/value heads "
                     f"{want} (consecutive groups of n_heads / n_kv_heads), got {got}")
    return c.result()


def check_top_k(fn: Callable[[torch.Tensor, int, float], Any]) -> CheckResult:
    """Check ``fn(logits (V,), k, temperature) -> probs (V,)``: top-k sampling's distribution."""
    c = Checker("check_top_k")
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(20, generator=g, dtype=torch.float64) * 2
    for k, temp in ((1, 1.0), (5, 1.0), (5, 0.5), (20, 2.0)):
        with c.case(f"k = {k}, temperature = {temp}"):
            got = torch.as_tensor(fn(logits.clone(), k, temp), dtype=torch.float64)
            c.shape(got, (20,), "the probabilities")
            c.close(got.sum(), 1.0, "their sum", atol=1e-6)
            c.expect(int((got > 0).sum()) == k, f"exactly k = {k} tokens should keep some "
                     f"probability, got {int((got > 0).sum())}")
            c.close(got, next_token_probs(logits, temperature=temp, top_k=k),
                    "softmax(logits / temperature) over the k largest, renormalised", atol=1e-6)
    return c.result()


def check_bpe_merges(fn: Callable[[bytes, int], Any]) -> CheckResult:
    """Check ``fn(data: bytes, n_merges) -> [(a, b), …]``: the pairs BPE merges, in order.

    Merge ``i`` makes id ``256 + i``; the most frequent adjacent pair goes first, counted in
    the current sequence (a run ``a a a`` holds the pair twice), ties to the smallest
    ``(a, b)``; occurrences are replaced left to right; fewer merges when no pair is left.
    """
    c = Checker("check_bpe_merges")
    cases = (b"aaabdaaabac", b"aaaa", b"dcba", b"", b"low lower lowest newer wider new",
             "na\u00efve caf\u00e9 \u65e5\u672c".encode())
    for data in cases:
        with c.case(f"data = {data!r}"):
            want = bpe_merges([data], 6)
            got = [tuple(int(i) for i in p) for p in fn(data, 6)]
            hint = ("pairs counted in the current sequence, the most frequent first, ties to "
                    "the smallest (a, b), merged left to right; stop when no pair is left")
            c.expect(got == want, f"6 merges of {data!r} should be {want}, got {got} ({hint})")
    return c.result()
