"""The online (streaming) softmax (chapter 5; reused by flash attention in chapter 13).

A softmax needs the maximum of its row (for stability) and the sum of the
exponentials (to normalise). Both can be computed *while streaming over the
row in blocks*, keeping only two numbers per row, the running maximum ``m`` and
the running sum ``l = Σ exp(x_j − m)`` over the entries seen so far. When a new
block raises the maximum from ``m`` to ``m_new``, the old sum is rescaled by
``exp(m − m_new)``:

    m_new = max(m, max(block))
    l_new = l · exp(m − m_new) + Σ_block exp(x_j − m_new)

:func:`online_softmax_update` is that one step. Flash attention (chapter 13)
applies the same ``rescale`` to its running output ``o`` before adding the
block's ``exp(s − m_new) @ v``.

All functions accept NumPy arrays or torch tensors and return the same kind.
Masked entries (``mask`` False) count as ``−∞``; a row with nothing kept gives
zeros, a NaN or ``+∞`` among the kept logits gives a NaN row and an empty row gives an
empty result, as in :func:`attn_course.softmax` (the same promotion, mask and NaN rules).
"""

from __future__ import annotations

import math

from .._backend import (
    Array,
    array_namespace,
    as_float,
    cast,
    check_axis,
    check_int,
    compute_dtype,
    max_keepdims,
    quiet,
    shape_of,
)
from .masks import mask_scores

__all__ = [
    "online_logsumexp",
    "online_softmax",
    "online_softmax_init",
    "online_softmax_state",
    "online_softmax_trace",
    "online_softmax_update",
]


def online_softmax_init(like: Array, axis: int = -1) -> tuple[Array, Array]:
    """The empty state ``(m, l) = (−∞, 0)``, shaped like ``like`` reduced over ``axis`` (kept as 1).

    Args:
        like: an array of logits ``(..., n)`` (only its shape, kind and dtype are used).
        axis: the softmax axis.

    Returns:
        ``(m, l)``, each of shape ``like.shape`` with ``axis`` set to 1.
    """
    xp = array_namespace(like)
    shape = list(shape_of(like))
    if not shape:
        raise ValueError("like must have at least one axis, got a 0-d array")
    shape[axis] = 1
    dtype = as_float(like).dtype  # the promotion rule of the softmax
    m = xp.full(tuple(shape), -math.inf, dtype=dtype)
    l = xp.zeros(tuple(shape), dtype=dtype)
    if hasattr(like, "device") and hasattr(m, "to"):
        m, l = m.to(like.device), l.to(like.device)
    return m, l


def online_softmax_update(
    m: Array, l: Array, block_logits: Array, axis: int = -1
) -> tuple[Array, Array, Array]:
    """One streaming step: fold a block of logits into the running ``(m, l)``.

    Args:
        m: running maximum, shape ``(..., 1)`` (the softmax axis kept as size 1); ``−∞`` at start.
        l: running sum ``Σ exp(x_j − m)`` over the entries seen so far, same shape; 0 at start.
        block_logits: the next block ``(..., b)``; masked entries set to ``−∞``.
        axis: the softmax axis of ``block_logits``.

    Returns:
        ``(m_new, l_new, rescale)`` where ``rescale = exp(m − m_new)`` is the factor that
        moves anything accumulated relative to the old maximum (``l`` here, the output
        accumulator in flash attention) onto the new one. Each has the shape of ``m``.
        While every entry seen is ``−∞``, ``m_new`` stays ``−∞`` and ``l_new`` stays 0.
    """
    xp = array_namespace(m, l, block_logits)
    ms, ls = shape_of(m), shape_of(l)
    expected = list(shape_of(block_logits))
    expected[axis] = 1
    if ms != tuple(expected) or ls != tuple(expected):
        raise ValueError(
            f"m and l must have the block's shape with the softmax axis set to 1, "
            f"{tuple(expected)}; got m {ms}, l {ls}, block_logits {shape_of(block_logits)}"
        )
    with quiet():
        m_block = max_keepdims(block_logits, axis)
        m_new = xp.maximum(m, m_block)  # NaN-propagating in NumPy and torch
        # The reference point: where everything seen so far is −∞, use 0 (all exps are 0).
        # A +∞ or NaN stays, so that its row becomes NaN as in the softmax.
        ref = xp.where(m_new == -math.inf, xp.zeros_like(m_new), m_new)
        rescale = xp.exp(m - ref)  # exp(−∞) = 0 on the first block
        l_new = l * rescale + xp.sum(xp.exp(block_logits - ref), axis=axis, keepdims=True)
    return m_new, l_new, rescale


def _masked_logits(x: Array, mask: Array | None) -> Array:
    """The logits as :func:`attn_course.softmax` sees them: promoted to float (half types to
    float32, the dtype the arithmetic runs in), masked to −∞."""
    x = as_float(x)
    return mask_scores(cast(x, compute_dtype(x)), mask)


def _check_block(block_size: int) -> int:
    return check_int("block_size", block_size, minimum=1)


def online_softmax_state(
    x: Array, block_size: int, axis: int = -1, *, mask: Array | None = None
) -> tuple[Array, Array]:
    """Stream over ``x`` in blocks of ``block_size`` along ``axis``; return the final ``(m, l)``.

    ``m`` is the row maximum and ``l = Σ exp(x − m)``; both have ``x``'s shape with
    ``axis`` set to 1. The last block may be shorter.
    """
    b = _check_block(block_size)
    z = _masked_logits(x, mask)
    xp = array_namespace(z)
    ax = check_axis(z, axis)
    n = shape_of(z)[ax]
    m, l = online_softmax_init(z, axis=ax)
    for start in range(0, n, b):
        idx = xp.arange(start, min(start + b, n))
        if hasattr(z, "device") and hasattr(idx, "to"):
            idx = idx.to(z.device)
        block = xp.take(z, idx, axis=ax)  # (..., b) along axis
        m, l, _ = online_softmax_update(m, l, block, axis=ax)
    return m, l


def online_softmax(
    x: Array, block_size: int, axis: int = -1, *, mask: Array | None = None
) -> Array:
    """Softmax along ``axis`` computed with the streaming ``(m, l)`` update.

    Pass 1 streams over the blocks and keeps only ``(m, l)`` per row; pass 2 writes
    ``exp(x − m) / l``. The result equals :func:`attn_course.softmax` for any
    ``block_size`` (up to rounding). Fully masked rows give zeros.

    Args:
        x: logits ``(..., n)``; NumPy or torch.
        block_size: how many entries of the row each step sees (≥ 1).
        axis: the softmax axis.
        mask: optional boolean, broadcastable to ``x``; True = keep.

    Returns:
        Weights with the shape and kind of ``x``.
    """
    dtype = as_float(x).dtype
    z = _masked_logits(x, mask)
    xp = array_namespace(z)
    m, l = online_softmax_state(z, block_size, axis=axis)
    with quiet():
        ref = xp.where(m == -math.inf, xp.zeros_like(m), m)
        safe_l = xp.where(l == 0, xp.ones_like(l), l)  # nothing kept: zeros; NaN stays NaN
        return cast(xp.exp(z - ref) / safe_l, dtype)


def online_logsumexp(x: Array, block_size: int, axis: int = -1) -> Array:
    """``log Σ exp(x)`` along ``axis`` from the streamed state: ``m + log l`` (axis removed).

    As :func:`attn_course.logsumexp`: ``−∞`` for a row of ``−∞`` (or an empty axis), ``+∞``
    for a row holding ``+∞``, NaN for a row holding NaN.
    """
    x = as_float(x)
    xp = array_namespace(x)
    m, l = online_softmax_state(x, block_size, axis=axis)
    with quiet():
        out = xp.where(m == math.inf, m, m + xp.log(l))
    return cast(xp.squeeze(out, axis=check_axis(x, axis)), x.dtype)


def online_softmax_trace(x: Array, block_size: int) -> dict[str, list[float]]:
    """The running state after each block, for one row ``x`` of shape ``(n,)``.

    Returns:
        ``{"end": [...], "m": [...], "l": [...], "rescale": [...]}``: the index one past
        each block, the running maximum, the running sum and the rescale factor applied
        at that step (plain Python floats, for plots and views).
    """
    if len(shape_of(x)) != 1:
        raise ValueError(f"x must be one row of shape (n,), got shape {shape_of(x)}")
    b = _check_block(block_size)
    z = _masked_logits(x, None)
    m, l = online_softmax_init(z)
    out: dict[str, list[float]] = {"end": [], "m": [], "l": [], "rescale": []}
    n = shape_of(z)[0]
    for start in range(0, n, b):
        m, l, r = online_softmax_update(m, l, z[start : start + b])
        out["end"].append(min(start + b, n))
        out["m"].append(float(m[0]))
        out["l"].append(float(l[0]))
        out["rescale"].append(float(r[0]))
    return out
