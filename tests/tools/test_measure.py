"""Tests of ``attn_course.tools.measure``."""

from __future__ import annotations

import sys

import pytest
import torch

from attn_course.tools.measure import peak_memory, time_call, time_calls


def test_timer_calls_warmup_then_repeats():
    calls = []
    t = time_call(lambda: calls.append(1), repeats=3, warmup=2)
    assert t >= 0 and len(calls) == 5
    order = []
    times = time_calls({"a": lambda: order.append("a"), "b": lambda: order.append("b")},
                       repeats=2, warmup=1, stat="min")
    assert set(times) == {"a", "b"} and order == ["a", "b"] * 3  # round-robin
    with pytest.raises(ValueError, match="stat"):
        time_call(lambda: None, stat="mean")


def test_timer_threads_and_no_grad():
    seen = []

    def probe():
        seen.append((torch.get_num_threads(), torch.is_grad_enabled()))

    before = torch.get_num_threads()
    time_call(probe, repeats=1, warmup=0, threads=2)
    time_call(probe, repeats=1, warmup=0, grad=True)
    assert seen == [(2, False), (before, True)] and torch.get_num_threads() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_peak_memory_sees_a_large_temporary():
    def make():
        x = torch.ones(64, 2**16)  # 16 MiB, touched
        return float(x.sum())

    peak = peak_memory(make)
    assert 12 * 2**20 < peak < 64 * 2**20
