"""Softmax and its companions (chapters 4–5): stable, masked, with a temperature.

All functions accept NumPy arrays or torch tensors and return the same kind.
Masks are boolean with **True = keep / may attend** (:mod:`attn_course.core.masks`);
a row whose entries are all masked gives all zeros (never NaN).
:func:`softmax_jacobian` is the factor ``diag(p) − p pᵀ`` every gradient passes through
(chapter 4 measures how it vanishes when the scores are not scaled).
"""

from __future__ import annotations

import math

from .._backend import Array, array_namespace, as_float, shape_of
from .masks import mask_scores

__all__ = ["entropy", "logsumexp", "softmax", "softmax_jacobian", "softmax_jacobian_norm"]


def _check_temperature(temperature: float) -> None:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}") from None
    if not t > 0 or math.isinf(t):
        raise ValueError(f"temperature must be a positive, finite number, got {temperature!r}")


def softmax(
    x: Array, axis: int = -1, *, temperature: float = 1.0, mask: Array | None = None
) -> Array:
    """Numerically stable softmax of ``x / temperature`` along ``axis``.

    Args:
        x: logits, any shape; NumPy array or torch tensor (integers are promoted to float).
        axis: the axis that sums to one.
        temperature: a positive number; small → close to one-hot at the argmax,
            large → close to uniform.
        mask: optional boolean array broadcastable to ``x``; True = keep.
            Masked entries get exactly zero weight. A row with nothing kept is all zeros.

    Returns:
        Weights with the shape and kind of ``x``.

    Raises:
        ValueError: temperature ≤ 0, or a mask that is not boolean or does not broadcast.
    """
    _check_temperature(temperature)
    x = as_float(x)
    xp = array_namespace(x)
    z = mask_scores(x / temperature, mask)
    # Subtract the row maximum so that exp never overflows (chapter 5).
    z_max = xp.max(z, axis=axis, keepdims=True)
    z_max = xp.where(xp.isfinite(z_max), z_max, xp.zeros_like(z_max))
    e = xp.exp(z - z_max)
    total = xp.sum(e, axis=axis, keepdims=True)
    # A fully masked row has total 0: divide by 1 instead and keep its zeros.
    safe_total = xp.where(total > 0, total, xp.ones_like(total))
    return e / safe_total


def logsumexp(x: Array, axis: int = -1, *, keepdims: bool = False) -> Array:
    """``log(sum(exp(x)))`` along ``axis`` without overflow (the max is factored out).

    A row that is entirely ``-inf`` gives ``-inf``.
    """
    xp = array_namespace(x)
    m = xp.max(x, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    total = xp.sum(xp.exp(x - m), axis=axis, keepdims=True)
    safe = xp.where(total > 0, total, xp.ones_like(total))
    neg_inf = xp.full_like(total, -math.inf)
    out = xp.where(total > 0, xp.log(safe) + m, neg_inf)
    return out if keepdims else xp.squeeze(out, axis=axis)


def entropy(p: Array, axis: int = -1) -> Array:
    """Shannon entropy ``-sum p log p`` (in nats) of weights along ``axis``; ``0 log 0 = 0``."""
    xp = array_namespace(p)
    safe = xp.where(p > 0, p, xp.ones_like(p))
    return -xp.sum(p * xp.log(safe), axis=axis)


def softmax_jacobian(p: Array) -> Array:
    """Jacobian ``∂p_i/∂z_j = p_i (δ_ij − p_j)`` of the softmax, from its output ``p``.

    Args:
        p: softmax weights ``(..., n)``; NumPy or torch.

    Returns:
        ``(..., n, n)`` — ``diag(p) − p pᵀ`` for every row of ``p``.
    """
    if len(shape_of(p)) < 1:
        raise ValueError(f"p must have at least one axis (..., n), got shape {shape_of(p)}")
    xp = array_namespace(p)
    outer = xp.expand_dims(p, axis=-1) * xp.expand_dims(p, axis=-2)  # (..., n, n)
    eye = xp.eye(shape_of(p)[-1], dtype=p.dtype)
    if hasattr(p, "device") and hasattr(eye, "to"):
        eye = eye.to(p.device)
    return xp.expand_dims(p, axis=-1) * eye - outer  # (..., n, n)


def softmax_jacobian_norm(p: Array) -> Array:
    """Frobenius norm of the softmax Jacobian for every row of ``p``: ``(..., n) → (...)``.

    It is 0 for one-hot weights (no gradient flows) and ``√(n−1)/n`` for uniform ones.
    """
    xp = array_namespace(p)
    J = softmax_jacobian(p)
    return xp.sqrt(xp.sum(J * J, axis=(-2, -1)))
