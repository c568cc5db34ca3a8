"""Ring attention on this machine: start ``P`` processes and run the ring between them (chapter 17).

:func:`ring_attention` is what a learner with one laptop calls: it cuts the sequence with
:func:`attn_course.layers.ring.ring_layout`, starts ``world_size`` processes joined by the
gloo backend over 127.0.0.1 (:func:`attn_course.tools.processes.run_processes`), runs
:func:`attn_course.layers.ring.ring_attention_shard` in each and puts the blocks of the
output back in order. Someone with several machines calls ``ring_attention_shard`` inside
their own process group instead.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..tools.processes import run_processes
from .ring import _check_tensors, _check_world_size, ring_attention_shard, ring_layout

__all__ = ["ring_attention"]


def _ring_worker(q: Tensor, k: Tensor, v: Tensor, positions: Tensor, causal: bool) -> Tensor:
    return ring_attention_shard(q, k, v, causal=causal, positions=positions)


def ring_attention(
    q: Tensor, k: Tensor, v: Tensor, *, world_size: int, causal: bool = False,
    balanced: bool = True, start_method: str | None = None, timeout: float = 120.0,
) -> Tensor:
    """Exact attention computed by ``world_size`` local processes passing key/value blocks around.

    Starts ``world_size`` processes joined by a gloo process group on 127.0.0.1 (a free port
    is chosen by the system), gives each its block of the sequence
    (:func:`attn_course.layers.ring.ring_layout`), runs
    :func:`attn_course.layers.ring.ring_attention_shard` in each and assembles the output.

    Args:
        q: queries ``(B, H, N, d_k)``.
        k: keys ``(B, H, N, d_k)``.
        v: values ``(B, H, N, d_v)``.
        world_size: the number of processes, ``1 ≤ world_size ≤ N``; ``N`` need not be a
            multiple of it.
        causal: top-left aligned causal mask (query ``i`` sees keys ``j ≤ i``).
        balanced: zig-zag layout (equal causal work per process) instead of contiguous blocks.
        start_method: ``"fork"``, ``"forkserver"`` or ``"spawn"``; default as in
            :func:`attn_course.tools.processes.run_processes`.
        timeout: seconds before the call gives up (the workers are ended).

    Returns:
        ``(B, H, N, d_v)``, equal to ``scaled_dot_product_attention(q, k, v)`` (with the
        causal mask when ``causal``) up to float rounding. No gradient flows through it.

    Raises:
        ValueError: non-tensor input, mismatched shapes, or ``world_size`` not in ``[1, N]``.
        TimeoutError: the workers ran longer than ``timeout`` seconds.
        Exception: any exception a worker raises, with a note naming the worker and its
            traceback.
    """
    _check_tensors(q, k, v)
    n = q.shape[-2]
    _check_world_size(world_size, n)
    for name, flag in (("causal", causal), ("balanced", balanced)):
        if not isinstance(flag, bool):
            raise ValueError(f"{name} must be True or False, got {flag!r}")
    q, k, v = q.detach(), k.detach(), v.detach()
    out = torch.zeros(*q.shape[:-1], v.shape[-1], dtype=q.dtype)  # (B, H, N, d_v)
    if out.numel() == 0:
        return out
    layout = ring_layout(n, world_size, balanced=balanced)
    args = [(q[..., i, :].contiguous(), k[..., i, :].contiguous(), v[..., i, :].contiguous(),
             i, causal) for i in layout]
    shards = run_processes(_ring_worker, args, start_method=start_method, timeout=timeout)
    for i, shard in zip(layout, shards):
        out[..., i, :] = shard
    return out
