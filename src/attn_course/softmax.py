"""Softmax and its companions (chapter 5): stable, masked, with a temperature.

All functions accept NumPy arrays or torch tensors and return the same kind.
Masks are boolean with **True = keep / may attend**; a row whose entries are
all masked gives all zeros (never NaN).
"""

from __future__ import annotations

import math
from typing import Any

from ._backend import array_namespace, as_like, broadcast_shapes_or_raise, shape_of

__all__ = ["entropy", "logsumexp", "softmax"]

Array = Any


def _check_temperature(temperature: float) -> None:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}") from None
    if not t > 0 or math.isinf(t):
        raise ValueError(f"temperature must be a positive, finite number, got {temperature!r}")


def _prepare_mask(mask: Array, x: Array) -> Array:
    """Check that ``mask`` is boolean and broadcasts to ``x``; return it as ``x``'s kind."""
    m = as_like(mask, x)
    xp = array_namespace(m)
    if m.dtype != xp.bool:
        kind = getattr(mask, "dtype", type(mask).__name__)
        raise ValueError(
            f"mask must be boolean (True = may attend), got dtype {kind} with shape "
            f"{shape_of(m)}"
        )
    broadcast_shapes_or_raise("mask", shape_of(m), shape_of(x))
    return m


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
    xp = array_namespace(x)
    if not xp.isdtype(x.dtype, "real floating"):
        x = xp.astype(x, xp.float64 if not _is_torch_ns(xp) else xp.float32)
    z = x / temperature
    if mask is not None:
        m = _prepare_mask(mask, x)
        neg_inf = xp.asarray(-math.inf, dtype=z.dtype)
        z = xp.where(m, z, neg_inf)
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


def _is_torch_ns(xp: Any) -> bool:
    return "torch" in getattr(xp, "__name__", "")
