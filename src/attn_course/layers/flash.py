"""Exact attention in blocks with the online softmax — the FlashAttention algorithm (chapter 13).

Plain attention builds the whole ``(n_q, n_k)`` score matrix. Here queries are cut into
blocks of ``block_q`` rows and keys into blocks of ``block_k`` columns; for each query
block we walk over the key blocks and keep, per query row, a running maximum ``m``, a
running sum of exponentials ``l`` and a running (unnormalised) output ``acc``. When a
new block raises the maximum, what was accumulated so far is rescaled by
``exp(m_old - m_new)`` — the online softmax of chapter 5 — so the result is *exact*,
while the only scratch space is one ``(block_q, block_k)`` tile per batch entry
(Milakov & Gimelshein 2018; Rabe & Staats 2021; Dao et al. 2022).

The backward pass (:class:`FlashAttentionFunction`) stores only the output and the
per-row log-sum-exp ``lse`` (both O(N)) and recomputes each tile's probabilities
``P = exp(S - lse)`` instead of keeping the ``N × N`` matrix (FlashAttention-2's backward).

Everything is plain torch, written to be read; the causal variant skips the key blocks
that lie entirely above the diagonal (which tiles are computed or skipped is counted by
:func:`attn_course.experiments.efficient.tile_grid`).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .._backend import as_floats, check_int, check_scale
from ..core.attention import repeat_kv

__all__ = ["FlashAttentionFunction", "flash_attention"]


def _blocks(block_size: int | tuple[int, int]) -> tuple[int, int]:
    pair = block_size if isinstance(block_size, (tuple, list)) else (block_size, block_size)
    try:
        if len(pair) != 2:
            raise ValueError
        return (check_int("block_size", pair[0], minimum=1),
                check_int("block_size", pair[1], minimum=1))
    except ValueError:
        raise ValueError(
            f"block_size must be a positive int or a pair of positive ints, got {block_size!r}"
        ) from None


def _causal_fill_(s: Tensor, i0: int, j0: int) -> None:
    """Set ``s[:, r, c] = -inf`` where key ``j0 + c`` lies after query ``i0 + r`` (in place)."""
    rows = torch.arange(i0, i0 + s.shape[-2], device=s.device).unsqueeze(-1)  # (bq, 1)
    cols = torch.arange(j0, j0 + s.shape[-1], device=s.device)  # (bk,)
    s.masked_fill_(cols > rows, -math.inf)


def _forward(
    q: Tensor, k: Tensor, v: Tensor, scale: float, causal: bool, bq: int, bk: int
) -> tuple[Tensor, Tensor]:
    """Blocked forward on flattened batches.

    ``q (G, n_q, d_k)``, ``k (G, n_k, d_k)``, ``v (G, n_k, d_v)`` → ``out (G, n_q, d_v)``,
    ``lse (G, n_q)`` (the log-sum-exp of each row of scores).
    """
    G, n_q, _ = q.shape
    n_k, d_v = k.shape[1], v.shape[2]
    kw = dict(dtype=q.dtype, device=q.device)
    out = torch.empty(G, n_q, d_v, **kw)
    lse = torch.empty(G, n_q, **kw)
    kT = k.transpose(1, 2)  # (G, d_k, n_k), a view
    for i0 in range(0, n_q, bq):
        i1 = min(i0 + bq, n_q)
        qi = q[:, i0:i1] * scale  # (G, bq, d_k): fold the scale into the queries once
        m = torch.full((G, i1 - i0, 1), -math.inf, **kw)  # running max
        l = torch.zeros(G, i1 - i0, 1, **kw)  # running sum of exp
        acc = torch.zeros(G, i1 - i0, d_v, **kw)  # running sum of exp · v
        k_end = min(n_k, i1) if causal else n_k  # causal: blocks right of the diagonal are skipped
        for j0 in range(0, k_end, bk):
            j1 = min(j0 + bk, k_end)
            s = torch.bmm(qi, kT[:, :, j0:j1])  # (G, bq, bk) scores of this tile
            if causal and j1 - 1 > i0:  # the tile crosses the diagonal
                _causal_fill_(s, i0, j0)
            m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))  # (G, bq, 1)
            alpha = torch.exp(m - m_new)  # rescales what was summed under the old max
            s.sub_(m_new).exp_()  # s is now p = exp(s - m_new), in place
            l.mul_(alpha).add_(s.sum(dim=-1, keepdim=True))
            acc.mul_(alpha).baddbmm_(s, v[:, j0:j1])  # acc = alpha·acc + p v
            m = m_new
        torch.div(acc, l.masked_fill(l == 0, 1.0), out=out[:, i0:i1])  # no keys: zeros
        lse[:, i0:i1] = (m + torch.log(l)).squeeze(-1)
    return out, lse


def _backward(
    q: Tensor, k: Tensor, v: Tensor, out: Tensor, lse: Tensor, d_out: Tensor,
    scale: float, causal: bool, bq: int, bk: int,
) -> tuple[Tensor, Tensor, Tensor]:
    """FlashAttention-2 backward: recompute ``P`` tile by tile from ``lse``; return dq, dk, dv."""
    n_q, n_k = q.shape[1], k.shape[1]
    dq, dk, dv = torch.zeros_like(q), torch.zeros_like(k), torch.zeros_like(v)
    D = (d_out * out).sum(dim=-1, keepdim=True)  # (G, n_q, 1) = rowsum(dO ∘ O)
    kT, vT = k.transpose(1, 2), v.transpose(1, 2)  # (G, d_k, n_k), (G, d_v, n_k)
    for i0 in range(0, n_q, bq):
        i1 = min(i0 + bq, n_q)
        qi = q[:, i0:i1] * scale  # (G, bq, d_k)
        do_i = d_out[:, i0:i1]  # (G, bq, d_v)
        lse_i = lse[:, i0:i1].unsqueeze(-1)  # (G, bq, 1)
        k_end = min(n_k, i1) if causal else n_k
        for j0 in range(0, k_end, bk):
            j1 = min(j0 + bk, k_end)
            s = torch.bmm(qi, kT[:, :, j0:j1])  # (G, bq, bk)
            if causal and j1 - 1 > i0:
                _causal_fill_(s, i0, j0)
            p = s.sub_(lse_i).exp_()  # the softmax probabilities of this tile, recomputed
            dv[:, j0:j1].baddbmm_(p.transpose(1, 2), do_i)  # dV += Pᵀ dO
            dp = torch.bmm(do_i, vT[:, :, j0:j1])  # (G, bq, bk) dP = dO Vᵀ
            ds = p.mul_(dp.sub_(D[:, i0:i1]))  # dS = P ∘ (dP − D), in place
            dq[:, i0:i1].baddbmm_(ds, k[:, j0:j1], alpha=scale)  # dQ += dS K · scale
            dk[:, j0:j1].baddbmm_(ds.transpose(1, 2), qi)  # dK += dSᵀ (Q · scale)
    return dq, dk, dv


class FlashAttentionFunction(torch.autograd.Function):
    """Autograd wrapper: forward saves ``q, k, v, out, lse`` — never the ``N × N`` weights."""

    @staticmethod
    def forward(ctx, q, k, v, scale, causal, bq, bk):  # type: ignore[override]
        with torch.no_grad():
            out, lse = _forward(*_work(q, k, v), scale, causal, bq, bk)
        ctx.save_for_backward(q, k, v, out, lse)  # out and lse in the working dtype
        ctx.config = (scale, causal, bq, bk)
        return out.to(q.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, d_out):  # type: ignore[override]
        q, k, v, out, lse = ctx.saved_tensors
        with torch.no_grad():
            grads = _backward(*_work(q, k, v), out, lse, d_out.to(out.dtype).contiguous(),
                              *ctx.config)
        dq, dk, dv = (g.to(q.dtype) for g in grads)
        return dq, dk, dv, None, None, None, None


def _work(*ts: Tensor) -> list[Tensor]:
    """The tensors in the dtype the tiles are computed in: float32 for half types."""
    return [t.float() if t.dtype in (torch.float16, torch.bfloat16) else t for t in ts]


def flash_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    *,
    causal: bool = False,
    block_size: int | tuple[int, int] = 512,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """Exact scaled dot-product attention computed tile by tile (FlashAttention).

    Gives the same result as ``torch.nn.functional.scaled_dot_product_attention(q, k, v,
    is_causal=causal)`` (to float rounding) without ever holding the ``(n_q, n_k)`` matrix.

    Args:
        q: queries ``(..., n_q, d_k)``, a torch tensor (e.g. ``(B, H, N, d_k)``).
        k: keys ``(..., n_k, d_k)``.
        v: values ``(..., n_k, d_v)``. The batch axes ``...`` of q, k, v must broadcast.
        causal: query ``i`` attends only to keys ``j ≤ i``, top-left aligned as torch's
            ``is_causal`` and :func:`attn_course.causal_mask` (:mod:`attn_course.core.masks`).
        block_size: tile size, an int for square ``block × block`` tiles or a pair
            ``(block_q, block_k)``. Extra memory is about ``batch · block_q · block_k``
            floats for the tile plus O(N) for the running statistics. The default, 512,
            makes a 1 MiB float32 tile, the size of a core's L2 cache on the machine of
            chapter 13's tile-size sweep, whose stored run
            (:func:`attn_course.experiments.efficient.load_stored_timings`) has it within
            10% of the fastest tile at N = 4096 on one thread; smaller tiles pay the loop's
            cost per step, larger ones the traffic to memory beyond the cache.
        scale: multiplier of the scores; default ``1 / sqrt(d_k)``.
        enable_gqa: ``k`` and ``v`` may have fewer heads (axis −3) than ``q``, a divisor of
            them, shared as in :func:`attn_course.core.attention.repeat_kv` (chapter 15).

    Returns:
        ``out`` with shape ``(..., n_q, d_v)`` in the common floating dtype of q, k, v
        (integers promoted as in :func:`attn_course.scaled_dot_product_attention`).
        **Accumulation dtype**: for ``float16`` and ``bfloat16`` the tiles, the running
        maximum, the running sum and the output accumulator are kept in ``float32`` (as
        fused kernels do), so a long row of large values cannot overflow; other dtypes
        compute in their own. No keys (``n_k = 0``) gives zeros. Differentiable: the
        backward pass recomputes the tiles (see :class:`FlashAttentionFunction`).

    Raises:
        ValueError: on non-tensors, mismatched shapes, a bad block size or scale.
    """
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, Tensor) or t.dim() < 2:
            raise ValueError(
                f"{name} must be a torch.Tensor with shape (..., n, d), got "
                f"{type(t).__name__} with shape {tuple(getattr(t, 'shape', ()))}"
            )
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            "q and k must share d_k and k and v must share n_k: got q "
            f"{tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}"
        )
    q, k, v = as_floats(("q", q), ("k", k), ("v", v))
    if enable_gqa:
        k, v = repeat_kv(q, k, v)  # (..., H, n_k, d) each
    try:
        batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except RuntimeError:
        raise ValueError(
            f"batch axes of q, k, v do not broadcast: q {tuple(q.shape)}, k {tuple(k.shape)}, "
            f"v {tuple(v.shape)}"
        ) from None
    bq, bk = _blocks(block_size)
    (n_q, d_k), (n_k, d_v) = q.shape[-2:], v.shape[-2:]
    scale = check_scale(scale, d_k)
    G = math.prod(batch)
    q3 = q.expand(*batch, n_q, d_k).reshape(G, n_q, d_k)  # (G, n_q, d_k), G = prod(batch)
    k3 = k.expand(*batch, n_k, d_k).reshape(G, n_k, d_k)  # (G, n_k, d_k)
    v3 = v.expand(*batch, n_k, d_v).reshape(G, n_k, d_v)  # (G, n_k, d_v)
    out = FlashAttentionFunction.apply(q3, k3, v3, float(scale), bool(causal), bq, bk)
    return out.reshape(*batch, n_q, d_v)  # (..., n_q, d_v)
