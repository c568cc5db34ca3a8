"""Ring attention: exact attention over a sequence split across processes (chapter 17).

Each of ``P`` processes holds one block of the sequence — its queries, keys and values.
The key/value blocks travel around a ring: at step ``s`` process ``r`` holds the block
that started on process ``(r − s) mod P``, folds it into its queries' running maximum,
sum and output with the online softmax of chapters 5 and 13
(:func:`attn_course.core.online_softmax.online_attention_update`), and passes it on to
process ``r + 1`` while receiving the next one from ``r − 1`` (Liu et al. 2023). After
``P`` steps every query has seen every key and its output is exact; no process ever holds
more than two key/value blocks.

With a causal mask a key block that lies entirely after a query block is skipped. With
contiguous blocks this leaves the first process idle most of the time; the zig-zag
layout (:func:`ring_layout` with ``balanced=True``) gives every process two chunks, one
from each end of the sequence, so every process does the same work.

:func:`ring_attention_shard` is the per-process function (call it inside an existing
``torch.distributed`` process group); :func:`attn_course.layers.ring_local.ring_attention`
starts local processes and gathers the result. Forward only: no gradient flows back.
"""

from __future__ import annotations

import math
import time
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor

from ..core.online_softmax import online_attention_update, online_softmax_init

__all__ = ["ring_attention_shard", "ring_layout", "ring_schedule", "ring_tile_plan", "ring_tiles"]


def ring_layout(n: int, world_size: int, *, balanced: bool = True) -> list[Tensor]:
    """The global positions each process holds, one int64 tensor per rank.

    ``balanced=False``: contiguous blocks, ``torch.tensor_split(arange(n), world_size)``.
    ``balanced=True``: zig-zag — the sequence is cut into ``2 P`` chunks and rank ``r``
    holds chunks ``r`` and ``2 P − 1 − r``, so that under a causal mask every rank has
    one early and one late chunk and the same work. Sizes differ by at most 2 (1 when
    contiguous); every position appears exactly once.
    """
    _check_world_size(world_size, n)
    idx = torch.arange(n)
    if not balanced:
        return list(torch.tensor_split(idx, world_size))
    chunks = torch.tensor_split(idx, 2 * world_size)
    return [torch.cat([chunks[r], chunks[2 * world_size - 1 - r]]) for r in range(world_size)]


def ring_schedule(world_size: int) -> Tensor:
    """``(P, P)`` int64: entry ``[s, r]`` is the rank whose key/value block rank ``r`` holds at
    step ``s``, namely ``(r − s) mod P``."""
    if isinstance(world_size, bool) or int(world_size) != world_size or world_size < 1:
        raise ValueError(f"world_size must be a positive integer, got {world_size!r}")
    s = torch.arange(world_size)[:, None]
    r = torch.arange(world_size)[None, :]
    return (r - s) % world_size


def _runs(pos: Tensor) -> list[tuple[int, int]]:
    """``(start, stop)`` index ranges of the maximal runs of consecutive positions in ``pos``."""
    n = pos.numel()
    if n == 0:
        return []
    breaks = (torch.nonzero(pos[1:] != pos[:-1] + 1).flatten() + 1).tolist()
    bounds = [0, *breaks, n]
    return list(zip(bounds, bounds[1:]))


def ring_tiles(pos: Tensor, block_size: int) -> list[tuple[int, int, int, int]]:
    """Cut a block's positions into tiles of consecutive positions, at most ``block_size`` long.

    Returns ``(start, stop, first, last)`` per tile: the index range in the block and the
    first and last global position, from which a causal tile is classified in O(1)
    (skipped when ``first_key > last_query``, masked when it straddles the diagonal).
    """
    out = []
    for a, b in _runs(pos):
        for t0 in range(a, b, block_size):
            t1 = min(t0 + block_size, b)
            out.append((t0, t1, int(pos[t0]), int(pos[t1 - 1])))
    return out


def ring_tile_plan(pos_q: Tensor, pos_k: Tensor, *, block_size: int,
                   causal: bool) -> list[tuple[int, int, int, int, bool]]:
    """The tiles of one (query block, key block) pair that must be computed, query-tile major.

    Returns ``(q_start, q_stop, k_start, k_stop, masked)`` index ranges; with ``causal`` a
    tile whose keys all come after its queries is left out and ``masked`` marks the tiles
    that straddle the diagonal. :func:`ring_attention_shard` computes exactly these tiles;
    the chapter counts them to measure each process's work.
    """
    plan = []
    k_tiles = ring_tiles(pos_k, block_size)
    for qa, qb, qf, ql in ring_tiles(pos_q, block_size):
        for ka, kb, kf, kl in k_tiles:
            if causal and kf > ql:
                continue  # every key of the tile comes after every query: skipped
            plan.append((qa, qb, ka, kb, causal and kl > qf))
    return plan


def _fold_block(q: Tensor, kv: Tensor, pos_q: Tensor, pos_k: Tensor, state: list[Tensor],
                d_k: int, scale: float, causal: bool, block_size: int) -> int:
    """Fold one key/value block into ``state = [m, l, acc]`` tile by tile; return the pairs
    computed."""
    m, l, acc = state
    k, v = kv[..., :d_k], kv[..., d_k:]  # (B, H, n_blk, d_k), (B, H, n_blk, d_v) views
    pairs, current = 0, None
    for qa, qb, ka, kb, masked in ring_tile_plan(pos_q, pos_k, block_size=block_size,
                                                 causal=causal):
        if current != (qa, qb):
            qt = q[..., qa:qb, :] * scale  # (B, H, t_q, d_k)
            current = (qa, qb)
        s = qt @ k[..., ka:kb, :].transpose(-1, -2)  # (B, H, t_q, t_k) scores of the tile
        if masked:  # key j may not be seen by query i when j > i
            s.masked_fill_(pos_k[ka:kb] > pos_q[qa:qb, None], -math.inf)
        m[..., qa:qb, :], l[..., qa:qb, :], acc[..., qa:qb, :] = online_attention_update(
            m[..., qa:qb, :], l[..., qa:qb, :], acc[..., qa:qb, :], s, v[..., ka:kb, :])
        pairs += (qb - qa) * (kb - ka)
    return pairs


def _check_world_size(world_size: Any, n: int) -> None:
    if isinstance(world_size, bool) or not isinstance(world_size, int) or not 1 <= world_size <= n:
        raise ValueError(
            f"world_size must be an integer in [1, N={n}] (each process needs at least one "
            f"position), got {world_size!r}")


def _check_tensors(q: Any, k: Any, v: Any) -> None:
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, Tensor) or t.dim() < 2 or not t.is_floating_point():
            raise ValueError(
                f"{name} must be a floating-point torch.Tensor of shape (B, H, N, d), got "
                f"{type(t).__name__} with shape {tuple(getattr(t, 'shape', ()))}")
    if k.shape[:-1] != q.shape[:-1]:
        raise ValueError(f"k must have the shape of q except the last axis (d_k may differ only "
                         f"for v): q {tuple(q.shape)}, k {tuple(k.shape)}")
    if k.shape[-1] != q.shape[-1]:
        raise ValueError(f"q and k must share d_k: q {tuple(q.shape)}, k {tuple(k.shape)}")
    if v.shape[:-1] != k.shape[:-1]:
        raise ValueError(f"v must have the shape of k except the last axis: k {tuple(k.shape)}, "
                         f"v {tuple(v.shape)}")
    if not q.dtype == k.dtype == v.dtype:
        raise ValueError(f"q, k, v must share a dtype, got {q.dtype}, {k.dtype}, {v.dtype}")


_DTYPES = [torch.float16, torch.bfloat16, torch.float32, torch.float64]


def ring_attention_shard(
    q: Tensor, k: Tensor, v: Tensor, *, group: Any = None, causal: bool = False,
    positions: Tensor | None = None, block_size: int = 512, overlap: bool = True,
    trace: list | None = None,
) -> Tensor:
    """This process's part of ring attention, inside an initialised ``torch.distributed`` group.

    Every process of ``group`` calls it at the same time with its own block of the sequence.

    Args:
        q: this process's queries ``(B, H, n_r, d_k)``.
        k: its keys ``(B, H, n_r, d_k)``.
        v: its values ``(B, H, n_r, d_v)``. ``B, H, d_k, d_v`` and the dtype are the same on
            every process; ``n_r`` may differ.
        group: the process group (default: the default group). Its ranks form the ring.
        causal: query at global position ``i`` attends to keys at ``j ≤ i`` (top-left
            aligned, as ``torch.nn.functional.scaled_dot_product_attention(is_causal=True)``).
        positions: int64 ``(n_r,)``, the global positions of this block's tokens (see
            :func:`ring_layout`); default: contiguous blocks in rank order.
        block_size: queries and keys are processed in tiles of at most this many positions,
            so that the scratch space is one ``(B, H, block_size, block_size)`` tile.
        overlap: post the send/receive of the next block before computing on the current
            one (the default), or only after (to measure what overlapping saves).
        trace: if a list, one dict per ring step is appended: ``step``, ``source`` (the rank
            whose block was folded in), ``pairs`` (query–key scores computed),
            ``bytes_sent``, ``compute_s``, ``compute_cpu_s``, ``wait_s``, ``step_s`` and the
            step's ``t_begin``, ``t_compute`` (start of the compute) and ``t_end``
            (``time.perf_counter``, comparable between the processes of one machine).

    Returns:
        The attention output of this process's queries, ``(B, H, n_r, d_v)``: exactly the
        rows of full attention over the whole sequence at ``positions``.

    Raises:
        ValueError: non-tensors or mismatched shapes (naming the argument), no initialised
            process group (``group``), a bad ``positions`` or ``block_size``, or blocks whose
            ``B, H, d`` or dtype differ between processes.
    """
    _check_tensors(q, k, v)
    if not dist.is_available() or not dist.is_initialized():
        raise ValueError("group: ring_attention_shard needs an initialised torch.distributed "
                         "process group (or use ring_attention, which starts local processes)")
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"block_size must be a positive integer, got {block_size!r}")
    n = q.shape[-2]
    if positions is not None and (not isinstance(positions, Tensor) or positions.shape != (n,)
                                  or positions.is_floating_point()):
        raise ValueError(f"positions must be an integer tensor of shape (n_r,) = ({n},), got "
                         f"{type(positions).__name__} {tuple(getattr(positions, 'shape', ()))}")
    P, rank = dist.get_world_size(group), dist.get_rank(group)
    batch = tuple(q.shape[:-2])
    d_k, d_v = q.shape[-1], v.shape[-1]
    # Every rank learns every block's length (for its receive buffers) and checks the rest.
    meta = torch.tensor([n, math.prod(batch), d_k, d_v, _DTYPES.index(q.dtype)
                         if q.dtype in _DTYPES else -1], dtype=torch.int64)
    metas = [torch.empty_like(meta) for _ in range(P)]
    dist.all_gather(metas, meta, group=group)
    if any(not torch.equal(x[1:], meta[1:]) for x in metas):
        raise ValueError("q, k, v: every process must pass blocks with the same batch axes, "
                         f"d_k, d_v and dtype; got (n, batch, d_k, d_v, dtype) = "
                         f"{[x.tolist() for x in metas]}")
    lengths = [int(x[0]) for x in metas]
    if positions is None:
        start = sum(lengths[:rank])
        positions = torch.arange(start, start + n)
    pos_q = positions.to(torch.int64)
    nxt, prv = (rank + 1) % P, (rank - 1) % P
    if group is not None:
        nxt, prv = dist.get_global_rank(group, nxt), dist.get_global_rank(group, prv)
    kv = torch.cat([k, v], dim=-1)  # (B, H, n_r, d_k + d_v): one message per step
    pos_k = pos_q
    m, l = online_softmax_init(q[..., :1])  # (B, H, n_r, 1) each: -inf and 0
    acc = torch.zeros(*batch, n, d_v, dtype=q.dtype)  # (B, H, n_r, d_v)
    state = [m, l, acc]
    scale = 1.0 / math.sqrt(d_k) if d_k > 0 else 1.0

    def post(step: int) -> tuple[list, Tensor, Tensor]:
        n_in = lengths[(rank - step - 1) % P]
        kv_in = torch.empty(*batch, n_in, d_k + d_v, dtype=q.dtype)  # (B, H, n_in, d_k + d_v)
        pos_in = torch.empty(n_in, dtype=torch.int64)
        reqs = [dist.isend(kv, nxt, group=group, tag=2 * step),
                dist.isend(pos_k, nxt, group=group, tag=2 * step + 1),
                dist.irecv(kv_in, prv, group=group, tag=2 * step),
                dist.irecv(pos_in, prv, group=group, tag=2 * step + 1)]
        return reqs, kv_in, pos_in

    for step in range(P):
        last = step == P - 1
        t_begin = time.perf_counter()
        reqs, sent = [], 0
        if overlap and not last:
            reqs, kv_in, pos_in = post(step)
        t0, c0 = time.perf_counter(), time.thread_time()
        pairs = _fold_block(q, kv, pos_q, pos_k, state, d_k, scale, causal, block_size)
        t1, c1 = time.perf_counter(), time.thread_time()
        if not overlap and not last:
            reqs, kv_in, pos_in = post(step)
        for r in reqs:
            r.wait()
        reqs.clear()  # the finished requests still reference the block just sent
        t_end = time.perf_counter()
        if not last:
            sent = kv.nbytes + pos_k.nbytes
            kv, pos_k = kv_in, pos_in
        if trace is not None:
            trace.append({"step": step, "source": (rank - step) % P, "pairs": pairs,
                          "bytes_sent": sent, "compute_s": t1 - t0, "compute_cpu_s": c1 - c0,
                          "wait_s": t_end - t1, "step_s": t_end - t_begin,
                          "t_begin": t_begin, "t_compute": t0, "t_end": t_end})
    m, l, acc = state
    return acc / torch.where(l > 0, l, torch.ones_like(l))  # (B, H, n_r, d_v)
