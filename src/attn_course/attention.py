"""Scaled dot-product attention (chapters 4–6): ``softmax(q kᵀ / √d_k) v``.

Shapes use the book's notation: ``(..., n_q, d_k)`` queries, ``(..., n_k, d_k)``
keys, ``(..., n_k, d_v)`` values, where ``...`` is any batch shape such as
``(B, H)``. Works on NumPy arrays and torch tensors alike.
"""

from __future__ import annotations

import math
from typing import Any

from ._backend import array_namespace, broadcast_shapes_or_raise, shape_of
from .softmax import softmax

__all__ = ["check_qkv", "scaled_dot_product_attention"]

Array = Any


def check_qkv(q: Array, k: Array, v: Array) -> tuple[int, ...]:
    """Validate attention inputs; return the batch shape they broadcast to.

    Raises:
        ValueError: naming the argument and the shapes when q/k feature sizes
            differ, k/v lengths differ, an input has fewer than 2 axes, or the
            batch axes do not broadcast.
    """
    for name, a in (("q", q), ("k", k), ("v", v)):
        if len(shape_of(a)) < 2:
            raise ValueError(
                f"{name} must have at least 2 axes (..., n, d), got shape {shape_of(a)}"
            )
    qs, ks, vs = shape_of(q), shape_of(k), shape_of(v)
    if qs[-1] != ks[-1]:
        raise ValueError(
            f"q and k must have the same feature size d_k: q has shape {qs}, k has shape {ks}"
        )
    if ks[-2] != vs[-2]:
        raise ValueError(
            f"k and v must have the same length n_k: k has shape {ks}, v has shape {vs}"
        )
    import numpy as np

    try:
        return tuple(np.broadcast_shapes(qs[:-2], ks[:-2], vs[:-2]))
    except ValueError:
        raise ValueError(
            f"batch axes of q, k, v do not broadcast: q {qs}, k {ks}, v {vs}"
        ) from None


def scaled_dot_product_attention(
    q: Array, k: Array, v: Array, *, mask: Array | None = None, scale: float | None = None
) -> tuple[Array, Array]:
    """Attention output and weights: ``weights = softmax(q kᵀ · scale)``, ``out = weights v``.

    Args:
        q: queries ``(..., n_q, d_k)``.
        k: keys ``(..., n_k, d_k)``.
        v: values ``(..., n_k, d_v)``.
        mask: optional boolean, broadcastable to ``(..., n_q, n_k)``; **True = may attend**.
            A query whose row is fully masked gets zero weights and a zero output.
        scale: multiplier of the scores; default ``1 / sqrt(d_k)``.

    Returns:
        ``(out, weights)`` with shapes ``(..., n_q, d_v)`` and ``(..., n_q, n_k)``.

    Raises:
        ValueError: on mismatched shapes or a mask that does not broadcast (see ``check_qkv``).
    """
    batch = check_qkv(q, k, v)
    xp = array_namespace(q, k, v)
    d_k = shape_of(q)[-1]
    if scale is None:
        scale = 1.0 / math.sqrt(d_k) if d_k > 0 else 1.0
    scores = (q @ xp.matrix_transpose(k)) * scale  # (..., n_q, n_k)
    if mask is not None:
        target = batch + (shape_of(q)[-2], shape_of(k)[-2])
        broadcast_shapes_or_raise("mask", shape_of(mask), target)
    weights = softmax(scores, axis=-1, mask=mask)  # (..., n_q, n_k)
    out = weights @ v  # (..., n_q, d_v)
    return out, weights
