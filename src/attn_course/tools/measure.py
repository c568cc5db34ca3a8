"""Measuring cost: wall time, peak memory and FLOPs — the one place for each.

- :func:`time_call` / :func:`time_calls`: warm-up calls, then per-call wall times; the
  median (or the best) of the repeats. :func:`time_calls` times several functions
  round-robin, so that a change of load on a shared machine hits all of them alike.
  Both run on the thread count asked for (:func:`attn_course.tools.threads.torch_threads`)
  and under ``torch.no_grad()`` unless told otherwise. (``torch.utils.benchmark.Timer``
  does not fit here: its ``timeit`` adds warm-up calls to every measurement and
  ``blocked_autorange`` picks its own number of runs, which would multiply the run time of
  the chapters that time a few large calls.)
- :func:`peak_memory`: the peak resident memory one call adds, read from the operating
  system (``tracemalloc`` does not see torch's allocations).
- :func:`storage_bytes`: the bytes of the distinct storages an object's tensors live in —
  what it *holds*, padding, spare capacity and duplicated copies included.
- :func:`allocated_bytes`: the bytes one call allocates and still holds when it returns,
  summed from the allocation and free events torch's profiler records.
- :func:`count_flops`: the FLOPs of the matrix products and convolutions a call runs,
  counted by torch's ``FlopCounterMode`` (a multiply–add counts as 2).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from .threads import torch_threads

__all__ = ["allocated_bytes", "count_flops", "peak_memory", "resident_memory", "storage_bytes",
           "time_call", "time_calls"]

_STATS: dict[str, Callable[[list[float]], float]] = {"median": statistics.median, "min": min}
_CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.thread_time}


def time_calls(
    fns: Mapping[str, Callable[[], Any]], *, repeats: int = 5, warmup: int = 1,
    stat: str = "median", threads: int | None = None, grad: bool = False, clock: str = "wall",
) -> dict[str, float]:
    """Seconds per call of each function, timed round-robin after ``warmup`` untimed calls.

    Args:
        fns: name → a function of no arguments.
        repeats: timed calls of each function (one per round).
        warmup: untimed calls of each function first.
        stat: ``"median"`` or ``"min"`` (the best run) of the ``repeats`` times.
        threads: torch threads while timing (restored after); ``None`` leaves them alone.
        grad: keep autograd on (to time a backward pass); by default the calls run
            under ``torch.no_grad()``.
        clock: ``"wall"`` (elapsed time) or ``"cpu"`` (CPU time of the calling thread:
            time spent waiting for a busy machine is not counted, so single-threaded
            timings hardly depend on what else runs; with several torch threads the work of
            the other threads is not counted either, so use it with ``threads=1`` only).

    Returns:
        name → seconds.
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(f"need repeats ≥ 1 and warmup ≥ 0, got repeats={repeats}, "
                         f"warmup={warmup}")
    if stat not in _STATS:
        raise ValueError(f"stat must be one of {sorted(_STATS)}, got {stat!r}")
    if clock not in _CLOCKS:
        raise ValueError(f"clock must be one of {sorted(_CLOCKS)}, got {clock!r}")
    now = _CLOCKS[clock]
    no_grad = contextlib.nullcontext() if grad else torch.no_grad()
    with torch_threads(threads), no_grad:
        for fn in fns.values():
            for _ in range(warmup):
                fn()
        times: dict[str, list[float]] = {name: [] for name in fns}
        for _ in range(repeats):
            for name, fn in fns.items():
                t0 = now()
                fn()
                times[name].append(now() - t0)
    return {name: _STATS[stat](ts) for name, ts in times.items()}


def time_call(
    fn: Callable[..., Any], *args: Any, repeats: int = 5, warmup: int = 2,
    stat: str = "median", threads: int | None = None, grad: bool = False, clock: str = "wall",
    **kwargs: Any,
) -> float:
    """Seconds per call of ``fn(*args, **kwargs)``: ``stat`` of ``repeats`` timed calls
    after ``warmup`` untimed ones (see :func:`time_calls` for the options)."""
    return time_calls({"fn": lambda: fn(*args, **kwargs)}, repeats=repeats, warmup=warmup,
                      stat=stat, threads=threads, grad=grad, clock=clock)["fn"]


def count_flops(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """FLOPs of the matrix products and convolutions that ``fn(*args)`` runs (counted by torch).

    Element-wise work (softmax, tanh, additions) is not counted.
    """
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        fn(*args, **kwargs)
    return int(counter.get_total_flops())


def _malloc(measuring: bool) -> None:
    """Switch glibc between "measuring" and "normal" (Linux; a no-op where it fails).

    Measuring: every block of 64 KiB or more comes from its own ``mmap`` and goes straight
    back to the system when freed, and free heap pages are returned now
    (``malloc_trim``), so that reusing freed memory cannot hide an allocation. Normal:
    blocks under 32 MiB are recycled inside the process, as glibc ends up doing by itself,
    so that timings are not slowed by page faults.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    threshold, trim = (64 * 1024, 128 * 1024) if measuring else (32 * 2**20, 64 * 2**20)
    libc.mallopt(-3, threshold)  # M_MMAP_THRESHOLD
    libc.mallopt(-1, trim)  # M_TRIM_THRESHOLD
    if measuring:
        libc.malloc_trim(0)


def _vm(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not found in /proc/self/status")


def resident_memory() -> float:
    """The resident memory of this process now (bytes, ``VmRSS``): to follow memory that
    grows during a long loop. Linux only; NaN elsewhere."""
    if not sys.platform.startswith("linux"):
        return math.nan
    try:
        return float(_vm("VmRSS"))
    except OSError:
        return math.nan


def peak_memory(fn: Callable[[], Any], *, warmup: int = 1) -> float:
    """Peak resident memory (bytes) that one call of ``fn()`` adds, output included.

    How: glibc is switched to hand freed memory straight back (see ``_malloc``); after
    ``warmup`` calls (threads and libraries set up), reset the kernel's
    high-water mark (``/proc/self/clear_refs``), note the resident set size, call ``fn``
    and read the new high-water mark ``VmHWM``. The difference is every page the call
    touched at its peak — torch tensors, temporaries inside torch's kernels, all of it —
    at 4 KiB resolution. Linux only (Colab and Binder are Linux); elsewhere returns NaN.
    """
    if not sys.platform.startswith("linux"):
        return math.nan
    try:
        _malloc(measuring=True)
        for _ in range(warmup):
            fn()
        gc.collect()
        _malloc(measuring=True)  # return what the warm-up freed
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak (VmHWM) to the current resident set
        base = _vm("VmRSS")
        out = fn()
        peak = _vm("VmHWM")
        del out
        return float(max(0, peak - base))
    except OSError:
        return math.nan
    finally:
        _malloc(measuring=False)


def storage_bytes(*objs: Any) -> int:
    """Bytes of the distinct storages of every tensor ``objs`` hold.

    Tensors are looked for in ``objs`` themselves, in lists, tuples and dicts, and in the
    attributes (``__dict__``) of other objects, recursively. Each storage counts once
    (views of one buffer share it, found by its address) and counts whole: a tensor that
    views ten positions of a buffer of a hundred counts the hundred. So this measures what
    an object keeps in memory — not what its shapes say it should.
    """
    seen: dict[int, int] = {}  # storage address → its bytes
    visited: set[int] = set()

    def walk(obj: Any) -> None:
        if id(obj) in visited:
            return
        visited.add(id(obj))
        if isinstance(obj, torch.Tensor):
            st = obj.untyped_storage()
            seen[st.data_ptr()] = max(seen.get(st.data_ptr(), 0), st.nbytes())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            for item in obj:
                walk(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                walk(item)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            walk(vars(obj))

    for obj in objs:
        walk(obj)
    return sum(seen.values())


def allocated_bytes(fn: Callable[[], Any]) -> tuple[int, Any]:
    """``(bytes, fn())``: the bytes that one call of ``fn`` allocates on the CPU and has not
    freed when it returns — its result and whatever it keeps elsewhere.

    How: ``torch.profiler`` with ``profile_memory=True`` records every allocation and free
    of torch's CPU allocator during the call; their sizes (frees negative) are summed.
    Temporaries cancel out; allocator rounding does not, and nothing outside torch's
    allocator is seen. Garbage is collected first, so that no earlier object is freed
    inside the window.
    """
    from torch.profiler import ProfilerActivity, profile

    gc.collect()
    with _quiet_fd2(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        out = fn()
    return int(sum(e.self_cpu_memory_usage for e in prof.events())), out


@contextlib.contextmanager
def _quiet_fd2() -> Any:
    """Send file descriptor 2 to ``/dev/null`` for the block: torch's profiler (kineto)
    writes a "profiler_start"/"profiler_stop" line there on every use, from C++, which no
    setting turns off and which a notebook would show as cell output. Python's own
    exceptions are not affected (they propagate)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real descriptor 2: nothing to hide
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
