"""Chapter 17's measurements of ring attention: work, bytes, memory and time per process.

Pure counts and formulas (:func:`ring_work`, :func:`ring_bytes`, :func:`ring_memory_bytes`,
:func:`ring_row_trace`) beside measurements that start real processes
(:func:`ring_exactness`, :func:`measure_ring`, :func:`measure_overlap`) and the small model
of a ring step that the chapter fits to them (:func:`fit_overlap_model`).
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor

from ..core.attention import scaled_dot_product_attention
from ..core.masks import causal_mask
from ..core.online_softmax import online_attention_update, online_softmax_init
from ..layers.ring import ring_attention_shard, ring_layout, ring_schedule, ring_tile_plan
from ..tools.measure import peak_memory
from ..tools.processes import run_processes

__all__ = ["fit_overlap_model", "measure_overlap", "measure_ring", "ring_bytes", "ring_exactness",
           "ring_memory_bytes", "ring_row_trace", "ring_work"]


def ring_work(n: int, world_size: int, *, causal: bool, balanced: bool,
              block_size: int = 512) -> Tensor:
    """``(P, P)`` int64: query–key scores rank ``r`` computes at step ``s`` (entry ``[s, r]``).

    Counted from :func:`~attn_course.layers.ring.ring_tile_plan`, the tiles the ring computes
    (a tile on the causal diagonal counts in full: its masked half is computed, then dropped).
    """
    layout = ring_layout(n, world_size, balanced=balanced)
    sched = ring_schedule(world_size)
    work = torch.zeros(world_size, world_size, dtype=torch.int64)
    for s in range(world_size):
        for r in range(world_size):
            plan = ring_tile_plan(layout[r], layout[int(sched[s, r])], block_size=block_size,
                                  causal=causal)
            work[s, r] = sum((qb - qa) * (kb - ka) for qa, qb, ka, kb, _ in plan)
    return work


def ring_bytes(lengths: list[int], *, batch: int, d_k: int, d_v: int,
               itemsize: int = 4) -> list[int]:
    """Bytes each rank sends in one ring pass: the blocks it holds at steps ``0 … P − 2``.

    A block of ``n`` tokens is its keys and values, ``batch · n · (d_k + d_v) · itemsize``
    bytes, plus ``8 n`` bytes of int64 positions. With equal blocks of ``N / P`` tokens:
    ``(P − 1) · (N / P) · (batch (d_k + d_v) itemsize + 8)`` per rank.
    """
    P = len(lengths)
    per_token = batch * (d_k + d_v) * itemsize + 8
    return [sum(lengths[(r - s) % P] for s in range(P - 1)) * per_token for r in range(P)]


def ring_memory_bytes(n_r: int, n_in: int, *, batch: int, d_k: int, d_v: int,
                      block_size: int, itemsize: int = 4) -> int:
    """What one process allocates in :func:`~attn_course.layers.ring.ring_attention_shard`.

    Beyond its inputs: its keys and values packed for sending, the incoming block, the
    running output, maximum and sum, the returned output, and one tile: the scaled queries and a
    ``block_size × block_size`` score tile, the tile minus the running maximum, and its
    exponentials.
    """
    t = min(block_size, n_r)
    tile = batch * (t * d_k + 3 * t * min(block_size, max(n_r, n_in)))
    per_token = batch * ((d_k + d_v) + 2 * d_v + 2)  # packed own block, acc, out, m and l
    return itemsize * (n_r * per_token + batch * n_in * (d_k + d_v) + tile) + 8 * (n_r + n_in)


def _wchar() -> int:
    """Bytes this process has handed to ``write``-family system calls (sockets included)."""
    with open("/proc/self/io") as f:
        for line in f:
            if line.startswith("wchar:"):
                return int(line.split()[1])
    raise RuntimeError("wchar not found in /proc/self/io")


def _probe(q: Tensor, k: Tensor, v: Tensor, positions: Tensor, causal: bool, block_size: int,
           repeats: int, memory: bool) -> dict[str, Any]:
    """One rank of :func:`measure_ring`: output, traces, bytes written and peak memory."""
    rank = dist.get_rank()
    # Warm-up on one token per process: connections and code paths, next to no compute.
    ring_attention_shard(q[..., :1, :], k[..., :1, :], v[..., :1, :],
                         positions=torch.tensor([rank]))
    traces: list[list] = []
    sent: list[int] = []

    def call() -> Tensor:
        traces.append([])
        dist.barrier()
        w0 = _wchar()
        out = ring_attention_shard(q, k, v, causal=causal, positions=positions,
                                   block_size=block_size, trace=traces[-1])
        sent.append(_wchar() - w0)
        return out

    peak = peak_memory(call, warmup=0) if memory else math.nan  # the first measured call
    out = call()
    for _ in range(repeats - 1 - memory):
        call()
    return {"out": out, "traces": traces, "wchar": sent[0], "peak_bytes": peak}


def measure_ring(q: Tensor, k: Tensor, v: Tensor, *, world_size: int, causal: bool = False,
                 balanced: bool = True, block_size: int = 512, repeats: int = 1,
                 memory: bool = True, start_method: str | None = None) -> dict[str, Any]:
    """Run ring attention in ``world_size`` processes and measure each one.

    Each process makes ``max(repeats, 1 + memory)`` measured calls after a warm-up on one
    token. Returns ``out`` (the assembled output), ``layout``, and per rank: ``traces``
    (one :func:`attn_course.layers.ring.ring_attention_shard` trace per call), ``wchar``
    (bytes the kernel saw the process write during its first call — the payload plus the
    transport's headers) and ``peak_bytes`` (peak extra resident memory of the first call,
    :func:`attn_course.tools.measure.peak_memory`; NaN unless ``memory``).
    """
    layout = ring_layout(q.shape[-2], world_size, balanced=balanced)
    args = [(q[..., i, :].contiguous(), k[..., i, :].contiguous(), v[..., i, :].contiguous(), i,
             causal, block_size, max(repeats, 1 + memory), memory) for i in layout]
    res = run_processes(_probe, args, start_method=start_method, timeout=300)
    out = torch.empty(*q.shape[:-1], v.shape[-1], dtype=q.dtype)
    for i, r in zip(layout, res):
        out[..., i, :] = r["out"]
    return {"out": out, "layout": layout, "traces": [r["traces"] for r in res],
            "wchar": [r["wchar"] for r in res], "peak_bytes": [r["peak_bytes"] for r in res]}


def _exchange_time(nbytes: int, repeats: int) -> float:
    """Median seconds for every rank to send ``nbytes`` to its right neighbour and receive."""
    rank, P = dist.get_rank(), dist.get_world_size()
    buf = torch.ones(max(1, nbytes // 4))
    inbox = torch.empty_like(buf)
    times = []
    for i in range(repeats + 1):
        dist.barrier()
        t0 = time.perf_counter()
        reqs = [dist.isend(buf, (rank + 1) % P, tag=i), dist.irecv(inbox, (rank - 1) % P, tag=i)]
        for r in reqs:
            r.wait()
        times.append(time.perf_counter() - t0)
    return statistics.median(times[1:])


def _overlap_probe(q: Tensor, k: Tensor, v: Tensor, sizes: list[int],
                   repeats: int) -> list[dict[str, float]]:
    rows = []
    for n in sizes:
        qs, ks, vs = (t[..., :n, :].contiguous() for t in (q, k, v))
        batch = math.prod(qs.shape[:-2])
        nbytes = batch * n * (ks.shape[-1] + vs.shape[-1]) * qs.element_size() + 8 * n
        row: dict[str, float] = {"n": n, "bytes": nbytes}
        samples: dict[bool, list] = {True: [], False: []}
        for overlap in (True, False):
            ring_attention_shard(qs, ks, vs, overlap=overlap)  # warm-up
        for _ in range(repeats):
            for overlap in (True, False):  # interleaved, so a change of load hits both
                trace: list = []
                dist.barrier()
                ring_attention_shard(qs, ks, vs, overlap=overlap, trace=trace)
                samples[overlap].append(trace[0])
        row["compute_s"] = statistics.median(s["compute_s"] for s in samples[False])
        row["step_overlap_s"] = statistics.median(s["step_s"] for s in samples[True])
        row["step_serial_s"] = statistics.median(s["step_s"] for s in samples[False])
        row["transfer_s"] = _exchange_time(nbytes, repeats)
        rows.append(row)
    return rows


def measure_overlap(sizes: list[int], *, batch_heads: tuple[int, int] = (1, 4), d: int = 64,
                    repeats: int = 9, seed: int = 0,
                    start_method: str | None = None) -> list[dict[str, float]]:
    """Per-step times of a 2-process ring against the block size ``n`` (non-causal).

    For each ``n``: ``compute_s`` (folding one ``n × n`` block, measured in the ring without
    overlap), ``transfer_s`` (sending one block's ``bytes`` alone), ``step_overlap_s`` and
    ``step_serial_s`` (the first ring step with the transfer overlapped with the compute, or
    after it). Medians over ``repeats``, from rank 0.
    """
    g = torch.Generator().manual_seed(seed)
    n_max = max(sizes)
    q, k, v = (torch.randn(*batch_heads, 2 * n_max, d, generator=g) for _ in range(3))
    args = [tuple(t[..., r * n_max:(r + 1) * n_max, :].contiguous() for t in (q, k, v))
            + (list(sizes), repeats) for r in range(2)]
    return run_processes(_overlap_probe, args, start_method=start_method, timeout=300)[0]


def fit_overlap_model(rows: list[dict[str, float]], *, batch: int, d: int) -> dict[str, float]:
    """Fit ``compute = 4 batch n² d / F`` and ``transfer = latency + bytes / bandwidth``.

    Least squares on the measured rows of :func:`measure_overlap` (compute through the
    origin; transfer a line, through the origin if its latency came out negative). Returns
    ``flops_per_s``, ``bandwidth``, ``latency_s`` and ``crossover_n`` (compute = transfer).
    """
    flops = torch.tensor([4.0 * batch * r["n"] ** 2 * d for r in rows], dtype=torch.float64)
    tc = torch.tensor([r["compute_s"] for r in rows], dtype=torch.float64)
    F = float((flops * flops).sum() / (flops * tc).sum())
    b = torch.tensor([r["bytes"] for r in rows], dtype=torch.float64)
    tt = torch.tensor([r["transfer_s"] for r in rows], dtype=torch.float64)
    A = torch.stack([torch.ones_like(b), b], dim=1)  # (rows, 2)
    lat, inv_bw = torch.linalg.lstsq(A, tt[:, None]).solution.flatten().tolist()
    if lat < 0:  # noise; a latency cannot be negative: fit the slope alone
        lat, inv_bw = 0.0, float((b * tt).sum() / (b * b).sum())
    bw = 1.0 / max(inv_bw, 1e-30)
    per_token = rows[0]["bytes"] / rows[0]["n"]
    # 4 batch d n² / F = lat + n per_token / bw, solved for n > 0
    a, bb, c = 4 * batch * d / F, -per_token / bw, -max(lat, 0.0)
    crossover = (-bb + math.sqrt(bb * bb - 4 * a * c)) / (2 * a)
    return {"flops_per_s": F, "bandwidth": bw, "latency_s": lat, "crossover_n": crossover,
            "batch": batch, "d": d, "bytes_per_token": per_token}


def _exact_cases(cases: list[tuple[Tensor, Tensor, Tensor, bool, bool]]) -> list[Tensor]:
    """One rank of :func:`ring_exactness`: this rank's output block for every case."""
    rank, P = dist.get_rank(), dist.get_world_size()
    out = []
    for q, k, v, causal, balanced in cases:
        pos = ring_layout(q.shape[-2], P, balanced=balanced)[rank]
        out.append(ring_attention_shard(q[..., pos, :], k[..., pos, :], v[..., pos, :],
                                        causal=causal, positions=pos))
    return out


def ring_exactness(world_sizes: list[int], lengths: list[int], *, batch_heads=(2, 3), d: int = 16,
                   seed: int = 0, start_method: str | None = None) -> list[dict[str, Any]]:
    """Largest difference between ring attention and single-process attention.

    For every world size (one launch each) and every sequence length, with and without the
    causal mask, contiguous and zig-zag: the largest absolute difference from the course's
    :func:`attn_course.scaled_dot_product_attention` and from torch's fused
    ``scaled_dot_product_attention``, on seeded float32 inputs ``(B, H, N, d)``.
    """
    g = torch.Generator().manual_seed(seed)
    cases = []
    for n in lengths:
        q, k, v = (torch.randn(*batch_heads, n, d, generator=g) for _ in range(3))
        cases += [(q, k, v, causal, balanced) for causal in (False, True)
                  for balanced in (False, True)]
    rows = []
    for P in world_sizes:
        blocks = run_processes(_exact_cases, [(cases,)] * P, start_method=start_method,
                               timeout=300)
        for c, (q, k, v, causal, balanced) in enumerate(cases):
            n = q.shape[-2]
            out = torch.empty_like(q)
            for pos, res in zip(ring_layout(n, P, balanced=balanced), blocks):
                out[..., pos, :] = res[c]
            mask = causal_mask(n, like=q) if causal else None
            ours = scaled_dot_product_attention(q, k, v, mask=mask)[0]
            fused = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
            rows.append({"P": P, "N": n, "causal": causal, "balanced": balanced,
                         "err_course": float((out - ours).abs().max()),
                         "err_torch": float((out - fused).abs().max())})
    return rows


def ring_row_trace(q: Tensor, k: Tensor, v: Tensor, *, world_size: int, query: int,
                   causal: bool = False, balanced: bool = True) -> dict[str, Any]:
    """What the process holding query ``query`` knows after each ring step (the playground).

    ``q, k (N, d_k)``, ``v (N, d_v)``. Returns ``rank`` (the process holding the query),
    ``sources`` (the block it folds in at each step), and per step, after folding that block
    in: the running maximum ``m``, sum ``l``, normalised output ``out = acc / l``, the number
    of keys ``seen`` (not masked) and the ``error`` (largest difference from the exact row);
    plus the ``exact`` row of full attention. Computed with the same online update as the
    ring.
    """
    n = q.shape[-2]
    layout = ring_layout(n, world_size, balanced=balanced)
    rank = next(r for r, pos in enumerate(layout) if bool((pos == query).any()))
    sources = ring_schedule(world_size)[:, rank].tolist()
    scale = 1.0 / math.sqrt(q.shape[-1])
    mask = torch.arange(n) <= query if causal else torch.ones(n, dtype=torch.bool)
    w = torch.softmax((q[query] @ k[mask].T) * scale, dim=-1)
    exact = w @ v[mask]  # (d_v,)
    m, l = online_softmax_init(q[query:query + 1, :1])  # (1, 1) each
    acc = torch.zeros(1, v.shape[-1], dtype=q.dtype)
    trace: dict[str, Any] = {"rank": rank, "sources": sources, "m": [], "l": [], "out": [],
                             "seen": [], "error": [], "exact": exact.tolist()}
    seen = 0
    for src in sources:
        pos = layout[src]
        s = (q[query:query + 1] * scale) @ k[pos].T  # (1, n_blk)
        if causal:
            s = s.masked_fill(pos > query, -math.inf)  # keys after the query
        m, l, acc = online_attention_update(m, l, acc, s, v[pos])
        out = (acc / l if float(l) > 0 else acc).flatten()  # (d_v,)
        trace["m"].append(float(m))
        trace["l"].append(float(l))
        trace["out"].append(out.tolist())
        seen += int(mask[pos].sum())
        trace["seen"].append(seen)
        trace["error"].append(float((out - exact).abs().max()))
    return trace
