"""Checkers for chapter 17's exercises: the positions a rolling cache holds, softmax with a
sink logit, the ring schedule, merging two partial results, the bytes a process sends."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from ..experiments.ring import ring_bytes
from ..layers.ring import ring_schedule
from ..layers.rolling_cache import held_positions
from ._base import Checker, CheckResult

__all__ = ["check_held_positions", "check_merge_partials", "check_ring_bytes",
           "check_ring_schedule", "check_sink_softmax"]


def check_ring_schedule(fn: Callable[[int], Any]) -> CheckResult:
    """Check ``fn(P) -> (P, P)`` integers: entry ``[s, r]`` is the rank whose key/value block
    process ``r`` holds at ring step ``s`` (it starts with its own and receives from ``r − 1``)."""
    c = Checker("check_ring_schedule")
    for P in (1, 2, 3, 5):
        with c.case(f"P = {P}"):
            got = torch.as_tensor(fn(P)).long()
            c.shape(got, (P, P), "the schedule")
            want = ring_schedule(P)
            if not torch.equal(got[0], want[0]):
                raise AssertionError("at step 0 every process works on its own block: row 0 "
                                     f"should be {want[0].tolist()}, got {got[0].tolist()}")
            if not torch.equal(got, want):
                s = int((got != want).any(1).nonzero()[0])
                raise AssertionError(
                    f"step {s}: expected {want[s].tolist()}, got {got[s].tolist()} — blocks "
                    "travel to the next rank (r + 1), so process r receives from r − 1")
    return c.result()


def _partial(q: torch.Tensor, k: torch.Tensor,
             v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    s = q @ k.T / math.sqrt(q.shape[-1])  # (n_q, n_k)
    return torch.softmax(s, -1) @ v, torch.logsumexp(s, -1)


def check_merge_partials(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(out_a (n, d_v), lse_a (n,), out_b (n, d_v), lse_b (n,))``
    ``-> (out (n, d_v), lse (n,))``.

    ``out_a`` is attention over one set of keys and ``lse_a`` the log-sum-exp of those scores
    per query; the same for ``b`` over another set. The merged pair must be attention over
    both sets, also when the log-sum-exps are far apart (no overflow) and when one side saw
    no keys at all (``lse = −inf``, output zeros).
    """
    c = Checker("check_merge_partials")
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(5, 4, generator=g, dtype=torch.float64) for _ in range(3))
    full = F.scaled_dot_product_attention(q, k, v)
    with c.case("two halves of the keys merge into full attention"):
        out, lse = fn(*_partial(q, k[:2], v[:2]), *_partial(q, k[2:], v[2:]))
        c.close(out, full, "the merged output", atol=1e-10)
        c.close(lse, torch.logsumexp(q @ k.T / 2.0, -1), "the merged log-sum-exp", atol=1e-10)
    with c.case("the order of the two parts does not matter"):
        out, _ = fn(*_partial(q, k[2:], v[2:]), *_partial(q, k[:2], v[:2]))
        c.close(out, full, "the merged output", atol=1e-10)
    with c.case("log-sum-exps 1000 apart (exp would overflow)"):
        k2 = torch.cat([k[:2], 1000 * k[2:]])
        out, _ = fn(*_partial(q, k2[:2], v[:2]), *_partial(q, k2[2:], v[2:]))
        c.close(out, F.scaled_dot_product_attention(q, k2, v), "the merged output", atol=1e-8)
    with c.case("one side saw no keys (lse = −inf, output 0)"):
        empty = (torch.zeros(5, 4, dtype=torch.float64), torch.full((5,), -math.inf,
                                                                    dtype=torch.float64))
        out, _ = fn(*_partial(q, k, v), *empty)
        c.close(out, full, "the merged output", atol=1e-10)
    return c.result()


def check_ring_bytes(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(N, P, B, H, d_k, d_v) -> int``: bytes one process sends in one pass of the
    ring, with float32 keys and values and int64 positions, when ``P`` divides ``N``."""
    c = Checker("check_ring_bytes")
    for N, P, B, H, d_k, d_v in ((64, 4, 1, 1, 8, 8), (1024, 8, 2, 4, 64, 64),
                                 (12, 3, 1, 2, 4, 6), (10, 1, 1, 1, 4, 4)):
        with c.case(f"N = {N}, P = {P}, B = {B}, H = {H}, d_k = {d_k}, d_v = {d_v}"):
            want = ring_bytes([N // P] * P, batch=B * H, d_k=d_k, d_v=d_v)[0]
            got = int(fn(N, P, B, H, d_k, d_v))
            if got == want:
                continue
            kv_only = (P - 1) * (N // P) * B * H * (d_k + d_v) * 4
            hint = ("you left out the positions (8 bytes per token)" if got == kv_only else
                    "a process sends every block it holds except the last: P − 1 blocks of "
                    "N / P tokens, each with B·H·(d_k + d_v) float32 numbers and one int64 "
                    "position")
            raise AssertionError(f"got {got:,} bytes, expected {want:,}: {hint}")
    return c.result()


def check_held_positions(fn: Callable[[int, int, int], Any]) -> CheckResult:
    """Check ``fn(t, window, sinks) -> list of positions``: what a rolling cache with
    ``sinks`` attention sinks and a window of ``window`` positions holds after ``t`` tokens
    (positions ``0 … t − 1``), in the order of the text."""
    c = Checker("check_held_positions")
    for t, window, sinks in ((3, 4, 0), (10, 4, 0), (10, 4, 2), (5, 4, 2), (6, 4, 2),
                             (1, 1, 0), (12, 3, 6)):
        with c.case(f"t = {t}, window = {window}, sinks = {sinks}"):
            want = held_positions(t, window, sinks)
            got = [int(p) for p in fn(t, window, sinks)]
            if got == want:
                continue
            if len(got) != len(want):
                hint = (f"the cache holds {len(want)} positions (at most sinks + window = "
                        f"{sinks + window}, and never more than the t = {t} seen)")
            elif sinks and got[:min(sinks, t)] != want[:min(sinks, t)]:
                hint = "the first `sinks` positions are never evicted"
            else:
                hint = "the window holds the most recent positions, the newest (t − 1) included"
            raise AssertionError(f"got {got}, expected {want}: {hint}")
    return c.result()


def _sink_reference(scores: torch.Tensor, b: float) -> torch.Tensor:
    sink = torch.full((*scores.shape[:-1], 1), float(b), dtype=scores.dtype)
    return torch.softmax(torch.cat([sink, scores], -1), -1)[..., 1:]  # (n_q, n_k)


def check_sink_softmax(fn: Callable[[torch.Tensor, float], Any]) -> CheckResult:
    """Check ``fn(scores (n_q, n_k), b) -> weights (n_q, n_k)``: softmax over the scores and a
    sink logit ``b`` that every query sees, returning the weights on the real keys only (they
    sum to less than one; the rest went to the sink). It must not overflow for large scores
    or a large ``b``, and a row whose scores are all ``−inf`` puts all its weight on the sink.
    """
    c = Checker("check_sink_softmax")
    g = torch.Generator().manual_seed(0)
    s = torch.randn(4, 6, generator=g, dtype=torch.float64)
    masked = s.clone()
    masked[1, 3:] = -math.inf
    masked[2] = -math.inf
    cases = [("small scores, b = 0", s, 0.0), ("b = 2", s, 2.0), ("b = −30", s, -30.0),
             ("scores near 1000", s + 1000, 0.0), ("b = 800", s, 800.0),
             ("masked keys, one row fully masked", masked, 1.0)]
    for name, scores, b in cases:
        with c.case(name):
            got = torch.as_tensor(fn(scores.clone(), b), dtype=torch.float64)
            c.shape(got, tuple(scores.shape), "the weights")
            want = _sink_reference(scores, b)
            if torch.isnan(got).any():
                raise AssertionError("NaN in the weights: subtract the largest of the scores "
                                     "and b before exponentiating, and let a row of −inf "
                                     "scores give zeros")
            if torch.allclose(got, want, atol=1e-9, rtol=1e-7):
                continue
            ones = torch.allclose(got.sum(-1), torch.ones(got.shape[0], dtype=got.dtype))
            if ones and b > -30:
                hint = ("each row sums to 1: the sink's term e^b belongs in the denominator, "
                        "and its weight is not returned")
            else:
                hint = "expected softmax over [b, scores], without the sink's own weight"
            raise AssertionError(f"largest difference {float((got - want).abs().max()):.2e}: "
                                 f"{hint}")
    return c.result()
