"""What the Vision Transformer learned and what it costs (chapter 12).

:func:`attention_rollout` (Abnar & Zuidema, 2020) combines the attention maps of all layers
of a :class:`attn_course.models.vit.VisionTransformer` into one; :func:`position_similarity`
compares its learned position embeddings; :func:`encoder_flops` counts the encoder's
matrix-product FLOPs, quadratic in the number of patches for attention and linear for the
rest.

Shapes: attention ``(B, L, n_heads, 1 + N, 1 + N)`` with the class token first.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["attention_rollout", "encoder_flops", "position_similarity"]


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
