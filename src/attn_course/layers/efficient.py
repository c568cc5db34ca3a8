"""Cheaper attention (chapter 13): sliding-window and linear attention.

Two approximations of ``softmax(q kᵀ/√d_k) v`` that never build the ``N × N`` matrix:

- :func:`local_attention`: each query sees only the keys within ``window`` positions
  (sliding-window attention, as in Longformer, Beltagy et al. 2020).
  Exact where the true weights live inside the window; cost ``O(N · window)``.
- :func:`linear_attention`: replace ``exp(q·k)`` by ``φ(q)·φ(k)`` with the positive feature
  map ``φ(x) = elu(x) + 1``; then ``Σ_j φ(k_j) v_jᵀ`` is shared by all queries and the cost
  is ``O(N · d_k · d_v)`` (Katharopoulos et al. 2020).

Both are self-attention (``n_q = n_k``); ``causal=True`` means ``j ≤ i``, the one causal
alignment of :mod:`attn_course.core.masks`. All tensors are torch, shaped ``(..., N, d)``.
The chapter's measurements are in :mod:`attn_course.experiments.efficient`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from .._backend import as_floats, check_int
from ..core.attention import scaled_dot_product_attention
from ..core.masks import sliding_window_mask

__all__ = ["elu_feature_map", "linear_attention", "local_attention"]


def _check_self(q: Tensor, k: Tensor, v: Tensor) -> tuple[list[Tensor], tuple[int, ...]]:
    """The inputs in their common floating dtype (the one dtype rule) and their batch shape."""
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, Tensor) or t.dim() < 2:
            raise ValueError(f"{name} must be a torch.Tensor (..., N, d), got {type(t).__name__} "
                             f"with shape {tuple(getattr(t, 'shape', ()))}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2] or q.shape[-2] != k.shape[-2]:
        raise ValueError(
            "expected self-attention shapes q (..., N, d_k), k (..., N, d_k), v (..., N, d_v); "
            f"got q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}"
        )
    try:
        batch = tuple(torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2]))
    except RuntimeError:
        raise ValueError(f"batch axes of q, k, v do not broadcast: q {tuple(q.shape)}, "
                         f"k {tuple(k.shape)}, v {tuple(v.shape)}") from None
    return as_floats(("q", q), ("k", k), ("v", v)), batch


def local_attention(
    q: Tensor, k: Tensor, v: Tensor, window: int, *, causal: bool = False,
    block_size: int | None = None,
) -> Tensor:
    """Sliding-window attention: query ``i`` attends to keys ``j`` with ``|i − j| ≤ window``.

    Computed in query blocks of ``block_size`` rows (default ``max(window, 32)``); each block
    calls the course's :func:`~attn_course.scaled_dot_product_attention` on the keys it can
    see, so memory is ``O(N · (block + 2·window))`` instead of ``O(N²)``. Equal to full
    attention with :func:`attn_course.core.masks.sliding_window_mask`.

    Args:
        q, k, v: ``(..., N, d_k)``, ``(..., N, d_k)``, ``(..., N, d_v)``.
        window: how many positions each side a query may look (``0`` = only itself), an
            integer ≥ 0.
        causal: look only backwards (``i − window ≤ j ≤ i``).
        block_size: an integer ≥ 1, or ``None``.

    Returns:
        ``(..., N, d_v)`` in the inputs' common floating dtype (half types computed in
        float32, as in :func:`attn_course.scaled_dot_product_attention`); ``N = 0`` gives
        an empty result.
    """
    (q, k, v), batch = _check_self(q, k, v)
    window = check_int("window", window, minimum=0)
    c = max(window, 32) if block_size is None else check_int("block_size", block_size, minimum=1)
    n = q.shape[-2]
    if n == 0:
        return q.new_zeros(*batch, 0, v.shape[-1])  # (..., 0, d_v)
    outs = []
    for i0 in range(0, n, c):
        i1 = min(i0 + c, n)
        j0, j1 = max(0, i0 - window), (i1 if causal else min(n, i1 + window))
        mask = sliding_window_mask(i1 - i0, window, causal=causal, n_k=j1 - j0, offset=i0 - j0,
                                   like=q)  # (c, j1 - j0): the keys this block may see
        out, _ = scaled_dot_product_attention(
            q[..., i0:i1, :], k[..., j0:j1, :], v[..., j0:j1, :], mask=mask
        )
        outs.append(out)  # (..., c, d_v)
    return torch.cat(outs, dim=-2)  # (..., N, d_v)


def elu_feature_map(x: Tensor) -> Tensor:
    """``φ(x) = elu(x) + 1``: positive everywhere, so ``φ(q)·φ(k) > 0`` acts like a weight."""
    return torch.nn.functional.elu(x) + 1.0


def linear_attention(
    q: Tensor, k: Tensor, v: Tensor, *, causal: bool = False,
    feature_map: Callable[[Tensor], Tensor] = elu_feature_map, chunk: int = 128,
) -> Tensor:
    """Linear attention: ``out_i = φ(q_i)ᵀ Σ_j φ(k_j) v_jᵀ / φ(q_i)ᵀ Σ_j φ(k_j)``.

    The weights ``φ(q_i)·φ(k_j) / Σ_j' φ(q_i)·φ(k_j')`` are positive and sum to one, like
    softmax weights, but the sums over ``j`` are shared by all queries: no ``N × N`` matrix.
    The causal version walks over chunks of ``chunk`` positions carrying the running sums
    ``S = Σ φ(k_j) v_jᵀ`` and ``z = Σ φ(k_j)``.

    Args:
        q, k, v: ``(..., N, d_k)``, ``(..., N, d_k)``, ``(..., N, d_v)``.
        causal: query ``i`` sums over ``j ≤ i`` only.
        feature_map: ``φ``, must return positive values (default ``elu(x) + 1``).
        chunk: positions per step of the causal version, an integer ≥ 1.

    Returns:
        ``(..., N, d_v)`` in the inputs' common floating dtype. The sums over positions are
        accumulated in float32 for half types (they would overflow ``float16`` on long
        sequences); ``N = 0`` gives an empty result.
    """
    (q, k, v), batch = _check_self(q, k, v)
    chunk = check_int("chunk", chunk, minimum=1)
    if not callable(feature_map):
        raise ValueError(f"feature_map must be a function of a tensor, got {feature_map!r}")
    dtype = q.dtype
    if dtype in (torch.float16, torch.bfloat16):  # accumulate in float32
        q, k, v = q.float(), k.float(), v.float()
    return _linear(q, k, v, causal, feature_map, chunk, batch).to(dtype)


def _linear(q: Tensor, k: Tensor, v: Tensor, causal: bool,
            feature_map: Callable[[Tensor], Tensor], chunk: int,
            batch: tuple[int, ...]) -> Tensor:
    fq, fk = feature_map(q), feature_map(k)  # (..., N, d_k)
    if not causal:
        S = fk.transpose(-2, -1) @ v  # (..., d_k, d_v) = Σ_j φ(k_j) v_jᵀ
        z = fk.sum(dim=-2).unsqueeze(-1)  # (..., d_k, 1) = Σ_j φ(k_j)
        return (fq @ S) / (fq @ z)  # (..., N, d_v)
    n = q.shape[-2]
    if n == 0:
        return q.new_zeros(*batch, 0, v.shape[-1])  # (..., 0, d_v)
    kw = dict(dtype=v.dtype, device=v.device)
    S = torch.zeros(*fk.shape[:-2], fk.shape[-1], v.shape[-1], **kw)  # (..., d_k, d_v)
    z = torch.zeros(*fk.shape[:-2], fk.shape[-1], 1, **kw)  # (..., d_k, 1)
    outs = []
    for i0 in range(0, n, chunk):
        i1 = min(i0 + chunk, n)
        fq_c, fk_c, v_c = fq[..., i0:i1, :], fk[..., i0:i1, :], v[..., i0:i1, :]
        a = torch.tril(fq_c @ fk_c.transpose(-2, -1))  # (..., c, c) within-chunk weights
        num = fq_c @ S + a @ v_c  # (..., c, d_v)
        den = fq_c @ z + a.sum(dim=-1, keepdim=True)  # (..., c, 1)
        outs.append(num / den)
        S = S + fk_c.transpose(-2, -1) @ v_c
        z = z + fk_c.sum(dim=-2).unsqueeze(-1)
    return torch.cat(outs, dim=-2)  # (..., N, d_v)
