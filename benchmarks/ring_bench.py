"""Ring attention across local processes: bytes sent, peak memory and per-step time against P.

For P = 1, 2, 4, 8 processes (gloo over 127.0.0.1, one torch thread each) on one sequence
of N = 8192 tokens (B = 1, H = 4, d = 64, float32, not causal): the bytes each process wrote
to its sockets during one call (the kernel's ``wchar`` count, so transport headers are
included) against the formula ``(P − 1)(N / P)(B·H·(d_k + d_v)·4 + 8)``; the peak extra
resident memory of each process against the formula of
``attn_course.experiments.ring.ring_memory_bytes``; the median time of a ring step and of
the whole call (over the calls after the first, which measures memory). Then the causal
case at P = 4: the work (query–key scores computed) and the measured compute time of each
process with contiguous blocks and with the zig-zag layout. Last, one step of a 2-process
ring against the block size: compute, transfer, and the step with and without overlapping
the two. With more processes than cores (P = 4, 8 on a 2-core machine) the processes share
the cores, so times there measure the machine, not the algorithm; the gain of the ring is
memory per process, and exactness.
"""

from __future__ import annotations

import argparse
import statistics

import torch
import torch.nn.functional as F
from _common import markdown_table, write_result

from attn_course.experiments.ring import (
    measure_overlap,
    measure_ring,
    ring_bytes,
    ring_memory_bytes,
    ring_work,
)
from attn_course.tools.measure import peak_memory

MiB = 2**20


def main(n: int, world_sizes: list[int], block: int) -> None:
    B, H, d = 1, 4, 64
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(B, H, n, d, generator=g) for _ in range(3))
    ref = F.scaled_dot_product_attention(q, k, v)
    sdpa_peak = peak_memory(lambda: F.scaled_dot_product_attention(q, k, v))
    rows, table = [], []
    for P in world_sizes:
        r = measure_ring(q, k, v, world_size=P, block_size=block, repeats=3)
        lengths = [len(i) for i in r["layout"]]
        formula_b = ring_bytes(lengths, batch=B * H, d_k=d, d_v=d)
        formula_m = [ring_memory_bytes(lengths[i], lengths[(i - 1) % P] if P > 1 else 0,
                                       batch=B * H, d_k=d, d_v=d, block_size=block)
                     for i in range(P)]
        steps = [s["step_s"] for rank in r["traces"] for tr in rank[1:] for s in tr]
        call = [statistics.median(tr[-1]["t_end"] - tr[0]["t_begin"] for tr in rank[1:])
                for rank in r["traces"]]
        row = {"P": P, "N": n, "max_error": float((r["out"] - ref).abs().max()),
               "bytes_sent": r["wchar"], "bytes_formula": formula_b,
               "peak_bytes": r["peak_bytes"], "peak_formula": formula_m,
               "step_s_median": statistics.median(steps), "call_s_max": max(call)}
        rows.append(row)
        table.append([P, f"{row['max_error']:.1e}", f"{max(r['wchar']) / MiB:.2f}",
                      f"{max(formula_b) / MiB:.2f}", f"{max(r['peak_bytes']) / MiB:.1f}",
                      f"{max(formula_m) / MiB:.1f}", f"{row['step_s_median'] * 1e3:.1f}",
                      f"{row['call_s_max'] * 1e3:.0f}"])
    md = markdown_table(["P", "max error vs SDPA", "sent / process (MiB)", "formula (MiB)",
                         "peak / process (MiB)", "formula (MiB)", "median step (ms)",
                         "call (ms)"], table)
    causal = []
    for balanced in (False, True):
        r = measure_ring(q, k, v, world_size=4, causal=True, balanced=balanced, block_size=block,
                         repeats=3, memory=False)
        work = ring_work(n, 4, causal=True, balanced=balanced, block_size=block).sum(0)
        cpu = [min(sum(s["compute_cpu_s"] for s in tr) for tr in rank) for rank in r["traces"]]
        causal.append({"balanced": balanced, "work": work.tolist(), "compute_cpu_s": cpu,
                       "idle_by_work": 1 - float(work.float().mean() / work.max()),
                       "idle_by_cpu": 1 - statistics.mean(cpu) / max(cpu)})
    md += "\n\n" + markdown_table(
        ["causal, P = 4", "scores computed per process (M)", "compute CPU s per process",
         "idle share (work)", "idle share (CPU time)"],
        [["zig-zag" if c["balanced"] else "contiguous",
          " / ".join(f"{w / 1e6:.1f}" for w in c["work"]),
          " / ".join(f"{s:.2f}" for s in c["compute_cpu_s"]),
          f"{c['idle_by_work']:.0%}", f"{c['idle_by_cpu']:.0%}"] for c in causal])
    overlap = measure_overlap([128, 256, 512, 1024, 2048], repeats=7)
    md += "\n\n" + markdown_table(
        ["block N / P (2 processes)", "compute (ms)", "send (ms)", "step, overlapped (ms)",
         "step, one after the other (ms)"],
        [[r["n"], f"{r['compute_s'] * 1e3:.2f}", f"{r['transfer_s'] * 1e3:.2f}",
          f"{r['step_overlap_s'] * 1e3:.2f}", f"{r['step_serial_s'] * 1e3:.2f}"]
         for r in overlap])
    notes = (f"One process with torch's fused SDPA peaks at {sdpa_peak / MiB:.1f} MiB extra "
             f"for the same call. Tiles of {block} × {block}; one torch thread per process.")
    write_result("ring", f"Ring attention across P local processes (N = {n}, B·H = {B * H}, "
                 f"d = {d})", rows + causal + overlap, md, notes)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=8192)
    p.add_argument("--world-sizes", type=int, nargs="+", default=[1, 2, 4, 8])
    p.add_argument("--block", type=int, default=512)
    a = p.parse_args()
    main(a.n, a.world_sizes, a.block)
