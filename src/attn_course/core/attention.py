"""Scaled dot-product attention (chapters 4–6): ``softmax(q kᵀ / √d_k) v``.

Shapes use the book's notation: ``(..., n_q, d_k)`` queries, ``(..., n_k, d_k)``
keys, ``(..., n_k, d_v)`` values, where ``...`` is any batch shape such as
``(B, H)``. Works on NumPy arrays and torch tensors alike.

:func:`scaled_dot_product_attention` is the package's one implementation of
``softmax(QKᵀ)V``: every layer and model calls it; the tiled
:func:`attn_course.flash_attention` and torch's fused kernel (the fast path of
:class:`attn_course.MultiHeadAttention`) are tested equal to it.

In *self*-attention one sequence ``X (N, d_model)`` supplies the queries, the keys and
the values, each through its own linear map (chapter 6)::

    Q = X W_q,  K = X W_k,  V = X W_v,   out = softmax(Q Kᵀ / √d_k) V

In *cross*-attention the queries come from another sequence (``X_q``) than the keys
and values (``X_kv``).
"""

from __future__ import annotations

import math

import numpy as np

from .._backend import (
    Array,
    array_namespace,
    as_floats,
    as_like,
    broadcast_shapes_or_raise,
    cast,
    check_scale,
    compute_dtype,
    is_torch,
    shape_of,
)
from ._softmax_fast import softmax_torch
from .masks import check_mask
from .softmax import _REFERENCE, softmax

__all__ = ["check_qkv", "cross_attention", "scaled_dot_product_attention", "self_attention"]


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
    try:
        return tuple(np.broadcast_shapes(qs[:-2], ks[:-2], vs[:-2]))
    except ValueError:
        raise ValueError(
            f"batch axes of q, k, v do not broadcast: q {qs}, k {ks}, v {vs}"
        ) from None


def scaled_dot_product_attention(
    q: Array, k: Array, v: Array, *, mask: Array | None = None, scale: float | None = None,
    bias: Array | None = None,
) -> tuple[Array, Array]:
    """Attention output and weights: ``weights = softmax(q kᵀ · scale)``, ``out = weights v``.

    Args:
        q: queries ``(..., n_q, d_k)``.
        k: keys ``(..., n_k, d_k)``.
        v: values ``(..., n_k, d_v)``.
        mask: optional boolean, broadcastable to ``(..., n_q, n_k)``; **True = may attend**.
            A query whose row is fully masked gets zero weights and a zero output.
        scale: multiplier of the scores; default ``1 / sqrt(d_k)``.
        bias: optional array broadcastable to ``(..., n_q, n_k)`` added to the scaled
            scores (a position bias such as ALiBi's, chapter 14).

    Returns:
        ``(out, weights)`` with shapes ``(..., n_q, d_v)`` and ``(..., n_q, n_k)``, in the
        common floating dtype of ``q``, ``k``, ``v`` (integers promoted; half types
        computed in float32). No keys (``n_k = 0``) gives a zero output, as a fully masked
        row; a NaN in a query's scores gives that query NaN weights and output.

    Which path runs: for torch tensors the scores come from one ``torch.baddbmm`` (scale and
    bias applied by the product) and go through :func:`attn_course.softmax`'s fused path,
    masked and normalised in place; NumPy arrays, and everything inside
    :func:`attn_course.core.softmax.reference_path`, run the readable definition
    ``softmax((q · scale) kᵀ + bias) v``. ``tests/test_fast_paths.py`` holds them equal.

    Raises:
        ValueError: on mismatched shapes, a mask that is not boolean or does not broadcast,
            a bias that does not broadcast, or a scale that is not a finite number
            (see ``check_qkv``).
    """
    q, k, v = as_floats(("q", q), ("k", k), ("v", v))
    batch = check_qkv(q, k, v)
    dtype, work = q.dtype, compute_dtype(q)
    q, k, v = cast(q, work), cast(k, work), cast(v, work)
    d_k = shape_of(q)[-1]
    scale = check_scale(scale, d_k)
    target = batch + (shape_of(q)[-2], shape_of(k)[-2])
    m = None if mask is None else check_mask(mask, q, target)
    b = None if bias is None else _check_bias(bias, q, target)
    weights = None
    if is_torch(q) and not _REFERENCE.get():  # the scores are ours: masked in place
        weights = softmax_torch(_scores_torch(q, k, scale, b, target), -1, 1.0, m, owned=True)
    if weights is None:  # NumPy, the reference path, or a row the fast path leaves to it
        weights = softmax(_scores(q, k, scale, b, target), axis=-1, mask=m)  # (..., n_q, n_k)
    out = weights @ v  # (..., n_q, d_v); n_k = 0 gives zeros
    return cast(out, dtype), cast(weights, dtype)


def _scores(q: Array, k: Array, scale: float, bias: Array | None,
            target: tuple[int, ...]) -> Array:
    """``q kᵀ · scale (+ bias)`` with the full shape ``target = (..., n_q, n_k)`` (a batch
    axis only ``v`` or the mask has is broadcast), scaling the smaller ``q``."""
    xp = array_namespace(q, k)
    scores = (q * scale) @ xp.matrix_transpose(k)  # (..., n_q, n_k)
    if bias is not None:
        scores = scores + bias  # (..., n_q, n_k)
    if shape_of(scores) != target:  # (..., n_q, n_k) → target: a copy the mask may write
        scores = xp.asarray(xp.broadcast_to(scores, target), copy=True)
    return scores


def _scores_torch(q: Array, k: Array, scale: float, bias: Array | None,
                  target: tuple[int, ...]) -> Array:
    """:func:`_scores` for torch tensors in one ``torch.baddbmm``: the product applies the
    scale and adds the bias, so no scaled copy of ``q`` and no second pass over the scores."""
    import torch

    *batch, n_q, n_k = target
    nb, d = math.prod(batch), shape_of(q)[-1]
    q3 = q.expand(*batch, n_q, d).reshape(nb, n_q, d)  # (batch, n_q, d_k): a view if contiguous
    k3 = k.expand(*batch, n_k, d).reshape(nb, n_k, d)  # (batch, n_k, d_k)
    if bias is None:
        c, beta = q3.new_zeros(()), 0.0  # () ignored (beta = 0)
    else:
        c, beta = bias.expand(target).reshape(nb, n_q, n_k), 1.0  # (batch, n_q, n_k)
    scores = torch.baddbmm(c, q3, k3.transpose(1, 2), beta=beta, alpha=scale)  # (batch, n_q, n_k)
    return scores.view(target)  # (..., n_q, n_k)


def _check_bias(bias: Array, like: Array, target: tuple[int, ...]) -> Array:
    b = as_like(bias, like)
    xp = array_namespace(b)
    if not xp.isdtype(b.dtype, ("real floating", "integral")):
        raise ValueError(f"bias must be a real array added to the scores, got dtype {b.dtype} "
                         f"with shape {shape_of(b)} (a boolean is a mask: pass it as mask=)")
    broadcast_shapes_or_raise("bias", shape_of(b), target)
    return cast(b, like.dtype)


def _check_proj(name: str, W: Array, d_in: int, x_name: str, x_shape: tuple[int, ...]) -> None:
    ws = shape_of(W)
    if len(ws) != 2 or ws[0] != d_in:
        raise ValueError(f"{name} must have shape (d_model={d_in}, d) to map {x_name} of shape "
                         f"{x_shape}, got {ws}")


def cross_attention(
    X_q: Array, X_kv: Array, W_q: Array, W_k: Array, W_v: Array, *, mask: Array | None = None
) -> tuple[Array, Array]:
    """Queries from ``X_q``, keys and values from ``X_kv``.

    Args:
        X_q: ``(..., n_q, d_model)``; X_kv: ``(..., n_k, d_model)``.
        W_q, W_k: ``(d_model, d_k)``; W_v: ``(d_model, d_v)``.
        mask: boolean, broadcastable to ``(..., n_q, n_k)``, True = may attend.

    Returns:
        ``(out (..., n_q, d_v), weights (..., n_q, n_k))``.

    Raises:
        ValueError: if a projection does not fit its input (names both shapes).
    """
    X_q, X_kv, W_q, W_k, W_v = as_floats(("X_q", X_q), ("X_kv", X_kv), ("W_q", W_q),
                                         ("W_k", W_k), ("W_v", W_v))
    for name, W, X, xn in (("W_q", W_q, X_q, "X_q"), ("W_k", W_k, X_kv, "X_kv"),
                           ("W_v", W_v, X_kv, "X_kv")):
        if len(shape_of(X)) < 2:
            raise ValueError(f"{xn} must have shape (..., N, d_model), got {shape_of(X)}")
        _check_proj(name, W, shape_of(X)[-1], xn, shape_of(X))
    if shape_of(W_q)[1] != shape_of(W_k)[1]:
        raise ValueError(f"W_q and W_k must give the same d_k: W_q {shape_of(W_q)}, "
                         f"W_k {shape_of(W_k)}")
    Q = X_q @ W_q  # (..., n_q, d_k)
    K = X_kv @ W_k  # (..., n_k, d_k)
    V = X_kv @ W_v  # (..., n_k, d_v)
    return scaled_dot_product_attention(Q, K, V, mask=mask)


def self_attention(
    X: Array, W_q: Array, W_k: Array, W_v: Array, *, mask: Array | None = None
) -> tuple[Array, Array]:
    """Self-attention of ``X (..., N, d_model)``: the same sequence gives Q, K and V.

    Returns ``(out (..., N, d_v), weights (..., N, N))``; see :func:`cross_attention`.
    """
    return cross_attention(X, X, W_q, W_k, W_v, mask=mask)
