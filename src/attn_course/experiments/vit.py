"""What the Vision Transformer learned and what it costs (chapter 12).

:func:`attention_rollout` (Abnar & Zuidema, 2020) combines the attention maps of all layers
of a :class:`attn_course.models.vit.VisionTransformer` into one; :func:`position_similarity`
compares its learned position embeddings; :func:`encoder_flops` counts the encoder's
matrix-product FLOPs, quadratic in the number of patches for attention and linear for the
rest.

Shapes: attention ``(B, L, n_heads, 1 + N, 1 + N)`` with the class token first. The
chapter's training runs (the size sweep, the stored ViTs) are in
:mod:`attn_course.experiments.vit_runs`.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

__all__ = [
    "attention_rollout",
    "encoder_flops",
    "grid_correlation",
    "mean_attention_distance",
    "position_similarity",
]


def attention_rollout(weights: Tensor, *, residual: bool = True) -> Tensor:
    """Attention rollout (Abnar & Zuidema, 2020): how much each output token draws on each input.

    Per layer, average the heads; with ``residual`` add the identity for the skip
    connection and renormalise the rows, ``Â_l = (A_l + I) / 2``; then multiply the
    layers, ``R = Â_L ⋯ Â_1``. Row ``i`` of ``R`` sums to one.

    Args:
        weights: ``(..., L, n_heads, N, N)`` (e.g. ``(B, L, H, N, N)`` from
            :meth:`attn_course.models.vit.VisionTransformer.attention`).

    Returns:
        ``(..., N, N)``; ``R[..., 0, 1:]`` is the class token's rollout over the patches.
    """
    if weights.dim() < 4 or weights.shape[-1] != weights.shape[-2]:
        raise ValueError(f"weights must have shape (..., L, n_heads, N, N), got "
                         f"{tuple(weights.shape)}")
    A = weights.mean(dim=-3)  # (..., L, N, N): average the heads
    n = A.shape[-1]
    if residual:
        eye = torch.eye(n, dtype=A.dtype, device=A.device)
        A = 0.5 * (A + eye)  # (..., L, N, N)
        A = A / A.sum(dim=-1, keepdim=True)
    rollout = A[..., 0, :, :]  # (..., N, N)
    for layer in range(1, A.shape[-3]):
        rollout = A[..., layer, :, :] @ rollout  # (..., N, N)
    return rollout


def position_similarity(pos: Tensor) -> Tensor:
    """Cosine similarity of every position embedding with every other: ``(N, d) → (N, N)``."""
    if pos.dim() != 2:
        raise ValueError(f"pos must have shape (N, d_model), got {tuple(pos.shape)}")
    unit = pos / pos.norm(dim=-1, keepdim=True).clamp_min(1e-12)  # (N, d)
    return unit @ unit.T  # (N, N)


def encoder_flops(n_tokens: int, d_model: int, n_layers: int, d_ff: int) -> dict[str, int]:
    """Matrix-product FLOPs of the encoder for one image of ``n_tokens`` tokens.

    Per layer: the attention scores and weighted sum over all heads, ``2·2·n²·d_model``
    (quadratic in the number of tokens), and the projections ``W_q, W_k, W_v, W_o``
    plus the feed-forward network, ``2·n·(4·d_model² + 2·d_model·d_ff)`` (linear).

    Returns:
        ``{"attention": ..., "linear": ..., "total": ...}`` summed over the ``n_layers``.
    """
    for name, v in (("n_tokens", n_tokens), ("d_model", d_model), ("n_layers", n_layers),
                    ("d_ff", d_ff)):
        if int(v) != v or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    attn = n_layers * 4 * n_tokens**2 * d_model
    linear = n_layers * 2 * n_tokens * (4 * d_model**2 + 2 * d_model * d_ff)
    return {"attention": attn, "linear": linear, "total": attn + linear}


def mean_attention_distance(weights: Tensor, grid: tuple[int, int], patch_size: int, *,
                            offset: int = 1) -> Tensor:
    """How far each head looks, in pixels (Dosovitskiy et al. 2021, Fig. 7).

    For every patch query, the distance between its patch and each key patch (centre to
    centre, in pixels), weighted by the attention weight, summed over the keys; then
    averaged over the queries. Tokens before ``offset`` (the class token) are left out as
    queries and as keys, and each query's weights on the patches are renormalised to sum
    to one.

    Args:
        weights: ``(..., n_heads, 1 + N, 1 + N)`` (e.g. ``(B, L, H, 1 + N, 1 + N)``).
        grid: ``(g_h, g_w)`` with ``g_h · g_w = N``; patch_size: ``p`` in pixels.

    Returns:
        ``(..., n_heads)`` mean distances in pixels.
    """
    gh, gw = grid
    n = gh * gw
    if weights.dim() < 2 or weights.shape[-1] != weights.shape[-2] or \
            weights.shape[-1] != offset + n:
        raise ValueError(f"weights must have shape (..., {offset} + N, {offset} + N) with "
                         f"N = {gh}·{gw}, got {tuple(weights.shape)}")
    r, c = torch.meshgrid(torch.arange(gh), torch.arange(gw), indexing="ij")
    pos = torch.stack([r.flatten(), c.flatten()], -1).to(weights.dtype) * patch_size  # (N, 2)
    dist = torch.cdist(pos, pos)  # (N, N) pixels
    w = weights[..., offset:, offset:]  # (..., N, N): patches attending to patches
    w = w / w.sum(-1, keepdim=True).clamp_min(1e-12)
    return (w * dist).sum(-1).mean(-1)  # (...,)


def grid_correlation(sim: Tensor, grid: tuple[int, int]) -> float:
    """Spearman rank correlation between the similarity of two positions and their distance
    on the grid, over all pairs of distinct positions: ``sim (N, N)`` → a number in
    ``[-1, 1]``. Strongly negative when nearby patches have similar embeddings (a 2-D
    grid), near 0 when similarity ignores where the patches are."""
    from scipy.stats import spearmanr

    gh, gw = grid
    if tuple(sim.shape) != (gh * gw, gh * gw):
        raise ValueError(f"sim must have shape (N, N) with N = {gh}·{gw}, got "
                         f"{tuple(sim.shape)}")
    r, c = np.divmod(np.arange(gh * gw), gw)
    dist = np.hypot(r[:, None] - r[None], c[:, None] - c[None])  # (N, N)
    off = ~np.eye(gh * gw, dtype=bool)
    s = sim.detach().cpu().numpy()
    return float(spearmanr(s[off], dist[off]).statistic)
