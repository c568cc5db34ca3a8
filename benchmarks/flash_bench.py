"""flash_attention (ours, tiled) vs plain attention vs torch's fused SDPA, N = 512 … 16384.

One head, d_k = 64, float32, forward only. Time: medians after a warm-up, the methods
timed round-robin so that load changes hit all of them (the ratio to torch SDPA is what
matters). Memory: the peak resident memory one call adds, read from the
kernel's high-water mark (``attn_course.tools.measure.peak_memory``: reset
``/proc/self/clear_refs``, call, read ``VmHWM``; glibc is told to return freed blocks at
once so that reuse cannot hide an allocation). Targets on a 2-core CPU: within 2× of
torch SDPA at N = 4096, and under 64 MiB peak extra memory at N = 16384, where one plain
N × N float32 matrix alone is 1 GiB.

``--store`` measures instead what chapter 13 glues from a stored run and writes it into the
package (``src/attn_course/data/ch13_timings.json``, read by
``attn_course.experiments.efficient.load_stored_timings``) with its provenance (CPU, cache
sizes, load average before and after, date): the forward time of the tiled attention at
N = 4096 for tiles of 16 … 4096 (``block_sweep``), and plain attention's time for N = 256 …
8192. One torch thread, the best of ``--repeat`` calls on the thread's CPU clock. Run it
when the machine is quiet (the load is recorded; ``--max-load`` refuses to start above it).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import torch
import torch.nn.functional as F
from _common import machine, markdown_table, write_result

from attn_course.experiments.efficient import (
    METHODS,
    STORED_TIMINGS,
    attention_matrix_bytes,
    block_sweep,
)
from attn_course.layers.flash import flash_attention
from attn_course.tools.measure import peak_memory, time_calls

MiB = 2**20
NS = [512, 1024, 2048, 4096, 8192, 16384]


def main(threads: int, repeat: int, max_plain_n: int) -> None:
    methods = {"plain": METHODS["plain"],
               "tiled (ours)": flash_attention,  # 512 × 512 tiles
               "torch SDPA": F.scaled_dot_product_attention}
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    rows = []
    for n in NS:
        q, k, v = (torch.randn(1, 1, n, 64, generator=g) for _ in range(3))  # (1, 1, N, d_k)
        calls = {name: (lambda fn=fn, q=q, k=k, v=v: fn(q, k, v)) for name, fn in methods.items()
                 if name != "plain" or n <= max_plain_n}
        peaks = {name: peak_memory(call) for name, call in calls.items()}
        times = time_calls(calls, repeats=repeat if n <= 4096 else max(2, repeat // 2),
                           warmup=0 if n > 4096 else 1)
        rows += [{"method": name, "N": n, "seconds": times[name], "peak_bytes": peaks[name]}
                 for name in calls]
    cell = {(r["method"], r["N"]): r for r in rows}
    table_rows = []
    for n in NS:
        sdpa, ours = cell["torch SDPA", n], cell["tiled (ours)", n]
        plain = cell.get(("plain", n))
        table_rows.append([
            n, f"{attention_matrix_bytes(n) / MiB:,.0f}",
            f"{plain['seconds'] * 1e3:,.1f}" if plain else "—",
            f"{ours['seconds'] * 1e3:,.1f}", f"{sdpa['seconds'] * 1e3:,.1f}",
            f"{ours['seconds'] / sdpa['seconds']:.2f}×",
            f"{plain['peak_bytes'] / MiB:,.1f}" if plain else "—",
            f"{ours['peak_bytes'] / MiB:.1f}", f"{sdpa['peak_bytes'] / MiB:.1f}",
        ])
    ratio = cell["tiled (ours)", 4096]["seconds"] / cell["torch SDPA", 4096]["seconds"]
    peak = cell["tiled (ours)", 16384]["peak_bytes"] / MiB
    verdict = (f"Targets: tiled / SDPA at N = 4096 is {ratio:.2f}× (target < 2×: "
               f"{'met' if ratio < 2 else 'NOT met'}); tiled peak extra memory at N = 16384 is "
               f"{peak:.1f} MiB (target < 64 MiB: {'met' if peak < 64 else 'NOT met'}). "
               f"{threads} torch thread(s).")
    table = markdown_table(
        ["N", "N×N float32 (MiB)", "plain (ms)", "tiled, ours (ms)", "torch SDPA (ms)",
         "tiled / SDPA", "plain peak (MiB)", "tiled peak (MiB)", "SDPA peak (MiB)"], table_rows)
    write_result(f"flash_threads{threads}", f"Tiled attention vs plain vs torch SDPA "
                 f"(one head, d_k = 64, {threads} thread(s))", rows, table, verdict)


SWEEP_N = 4096
SWEEP_BLOCKS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
PLAIN_NS = [256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192]


def caches() -> dict[str, str]:
    """Cache sizes from sysfs (index → level, type, size), e.g. ``{"L2 Unified": "512K"}``."""
    out = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level, kind, size = ((index / f).read_text().strip() for f in ("level", "type", "size"))
        except OSError:
            continue
        out[f"L{level} {kind}"] = size
    return out


def store(repeat: int, max_load: float) -> None:
    """Measure the tile-size sweep and plain attention's series; write ``STORED_TIMINGS``."""
    load_before = os.getloadavg()[0]
    if load_before > max_load:
        raise SystemExit(f"load average {load_before:.2f} > --max-load {max_load}: not quiet")
    sweep = block_sweep(SWEEP_N, SWEEP_BLOCKS, repeat=repeat, threads=1)
    calls, g = {}, torch.Generator().manual_seed(0)
    for n in PLAIN_NS:
        q, k, v = (torch.randn(1, 1, n, 64, generator=g) for _ in range(3))  # (1, 1, N, d_k)
        calls[n] = lambda q=q, k=k, v=v: METHODS["plain"](q, k, v)
    times = time_calls(calls, repeats=repeat, warmup=1, stat="min", clock="cpu", threads=1)
    info = {**machine(), "caches": caches(), "load_average_1min_before": round(load_before, 2)}
    info["torch_threads"] = 1
    payload = {
        "what": "forward time of one (1, 1, N, 64) float32 head: tiled attention per square "
                "tile size at N = sweep_n, and plain attention per N",
        "timer": f"best of {repeat} calls, thread CPU clock, 1 torch thread, round-robin",
        "script": "benchmarks/flash_bench.py --store",
        "machine": info, "sweep_n": SWEEP_N, "d": 64, "sweep": sweep,
        "plain": [{"N": n, "seconds": times[n]} for n in PLAIN_NS],
    }
    STORED_TIMINGS.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(payload, indent=1))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--max-plain-n", type=int, default=16384)
    p.add_argument("--store", action="store_true",
                   help="measure chapter 13's stored run instead (see above)")
    p.add_argument("--max-load", type=float, default=1.5,
                   help="with --store: refuse to start above this 1-minute load average")
    args = p.parse_args()
    with torch.no_grad():
        if args.store:
            store(args.repeat, args.max_load)
        else:
            main(args.threads, args.repeat, args.max_plain_n)
