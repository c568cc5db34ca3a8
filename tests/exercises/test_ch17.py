"""Chapter 17's checkers accept right answers and explain wrong ones."""

from __future__ import annotations

import math

import torch

from attn_course.exercises.ch17 import (
    check_held_positions,
    check_merge_partials,
    check_ring_bytes,
    check_ring_schedule,
    check_sink_softmax,
)


def test_ring_schedule_checker():
    assert check_ring_schedule(lambda P: [[(r - s) % P for r in range(P)] for s in range(P)])
    bad = check_ring_schedule(lambda P: [[(r + s) % P for r in range(P)] for s in range(P)])
    assert not bad and any("receives from r − 1" in p for p in bad.problems)
    bad = check_ring_schedule(lambda P: [[(r - s - 1) % P for r in range(P)] for s in range(P)])
    assert not bad and any("own block" in p for p in bad.problems)


def right_merge(out_a, lse_a, out_b, lse_b):
    lse = torch.logaddexp(lse_a, lse_b)
    wa = torch.exp(lse_a - lse).nan_to_num(0.0)[:, None]
    wb = torch.exp(lse_b - lse).nan_to_num(0.0)[:, None]
    return wa * out_a + wb * out_b, lse


def naive_merge(out_a, lse_a, out_b, lse_b):  # exponentiates the log-sum-exps directly
    ea, eb = torch.exp(lse_a)[:, None], torch.exp(lse_b)[:, None]
    return (ea * out_a + eb * out_b) / (ea + eb), torch.log(ea + eb).squeeze(1)


def mean_merge(out_a, lse_a, out_b, lse_b):  # ignores how much each side weighs
    return (out_a + out_b) / 2, torch.maximum(lse_a, lse_b)


def test_merge_checker():
    assert check_merge_partials(right_merge)
    bad = check_merge_partials(naive_merge)
    assert not bad and any("1000 apart" in p for p in bad.problems)
    assert any("two halves" in p for p in check_merge_partials(mean_merge).problems)


def test_ring_bytes_checker():
    assert check_ring_bytes(lambda N, P, B, H, dk, dv: (P - 1) * (N // P) * (B * H * (dk + dv) * 4 + 8))
    bad = check_ring_bytes(lambda N, P, B, H, dk, dv: (P - 1) * (N // P) * B * H * (dk + dv) * 4)
    assert not bad and any("positions" in p for p in bad.problems)
    bad = check_ring_bytes(lambda N, P, B, H, dk, dv: P * (N // P) * (B * H * (dk + dv) * 4 + 8))
    assert not bad and any("P − 1 blocks" in p for p in bad.problems)


def test_held_positions_checker():
    def right(t, window, sinks):
        first = list(range(min(sinks, t)))
        return first + [p for p in range(max(0, t - window), t) if p not in first]

    assert check_held_positions(right)
    bad = check_held_positions(lambda t, w, s: list(range(max(0, t - w), t)))  # no sinks
    assert not bad and any("never evicted" in p or "holds" in p for p in bad.problems)
    bad = check_held_positions(lambda t, w, s: list(range(min(s, t))) + list(range(max(s, t - w - 1), t - 1)))
    assert not bad and any("newest" in p for p in bad.problems)


def right_sink(scores, b):
    sink = torch.full((scores.shape[0], 1), float(b), dtype=scores.dtype)
    return torch.softmax(torch.cat([sink, scores], 1), 1)[:, 1:]


def forgot_the_sink(scores, b):  # plain softmax: rows sum to one
    return torch.softmax(scores, 1)


def overflowing_sink(scores, b):  # exponentiates without subtracting the maximum
    e = torch.exp(scores)
    return e / (math.exp(b) + e.sum(1, keepdim=True)) if b < 700 else e * float("nan")


def test_sink_softmax_checker():
    assert check_sink_softmax(right_sink)
    bad = check_sink_softmax(forgot_the_sink)
    assert not bad and any("denominator" in p for p in bad.problems)
    bad = check_sink_softmax(overflowing_sink)
    assert not bad and any("NaN" in p for p in bad.problems)
    assert not check_sink_softmax(lambda s, b: right_sink(s, b)[:, :-1])  # wrong shape
