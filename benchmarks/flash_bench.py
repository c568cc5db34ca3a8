"""flash_attention (ours, tiled) vs plain attention vs torch's fused SDPA, N = 512 … 16384.

One head, d_k = 64, float32, forward only. Time: medians after a warm-up, the methods
timed round-robin so that load changes hit all of them (the ratio to torch SDPA is what
matters). Memory: the peak resident memory one call adds, read from the
kernel's high-water mark (``attn_course.tools.measure.peak_memory``: reset
``/proc/self/clear_refs``, call, read ``VmHWM``; glibc is told to return freed blocks at
once so that reuse cannot hide an allocation). Targets on a 2-core CPU: within 2× of
torch SDPA at N = 4096, and under 64 MiB peak extra memory at N = 16384, where one plain
N × N float32 matrix alone is 1 GiB.
"""

from __future__ import annotations

import argparse
import os

import torch
import torch.nn.functional as F
from _common import markdown_table, write_result

from attn_course.experiments.efficient import METHODS, attention_matrix_bytes
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


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--max-plain-n", type=int, default=16384)
    args = p.parse_args()
    with torch.no_grad():
        main(args.threads, args.repeat, args.max_plain_n)
