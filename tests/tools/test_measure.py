"""Tests of ``attn_course.tools.measure``."""

from __future__ import annotations

import sys

import pytest
import torch

from attn_course.tools.measure import (
    allocated_bytes,
    peak_memory,
    storage_bytes,
    time_call,
    time_calls,
)


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


def test_storage_bytes_counts_each_storage_once_and_whole():
    buf = torch.zeros(10, 100)  # 4,000 bytes
    other = torch.zeros(7, dtype=torch.float64)  # 56 bytes

    class Holder:
        def __init__(self):
            self.views = [buf[:2], buf[3], {"again": buf.T}]
            self.pair = (other, other[1:])

    assert storage_bytes(buf[:1]) == 4000  # a view counts its whole buffer
    assert storage_bytes(Holder()) == 4056
    assert storage_bytes(Holder(), buf.clone()) == 8056  # a copy is a new storage
    assert storage_bytes([1, "a", None]) == 0


def test_allocated_bytes_counts_what_a_call_keeps_not_its_temporaries():
    keep = []

    def fn():
        tmp = torch.ones(1000, 100)  # 400 kB, freed on return
        keep.append(torch.zeros(250, 100) + tmp[:250].sum())  # 100 kB kept
        return torch.ones(10)  # 40 bytes returned

    got, out = allocated_bytes(fn)
    assert out.shape == (10,)
    assert 100_040 <= got < 100_040 + 4096  # allocator rounding at most
