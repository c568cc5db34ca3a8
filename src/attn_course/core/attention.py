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

from .._backend import Array, array_namespace, as_like, broadcast_shapes_or_raise, shape_of
from .softmax import softmax

__all__ = ["check_qkv", "cross_attention", "repeat_kv", "scaled_dot_product_attention",
           "self_attention"]


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


def repeat_kv(q: Array, k: Array, v: Array) -> tuple[Array, Array]:
    """Grouped-query attention's sharing (chapter 15): give each query head its key/value head.

    ``k``, ``v`` have ``H_kv`` heads on axis −3, a divisor of ``q``'s ``H``; query head ``h``
    uses key/value head ``h // (H / H_kv)`` (consecutive query heads share, as in
    ``torch.nn.functional.scaled_dot_product_attention(..., enable_gqa=True)``).

    Returns ``k``, ``v`` with each head repeated ``H / H_kv`` times: ``(..., H, n_k, d)``.

    Raises:
        ValueError: if an input has fewer than 3 axes, ``k`` and ``v`` differ in heads, or
            ``H_kv`` does not divide ``H`` (naming the shapes).
    """
    qs, ks, vs = shape_of(q), shape_of(k), shape_of(v)
    if len(qs) < 3 or len(ks) < 3 or len(vs) < 3:
        raise ValueError(f"enable_gqa needs a head axis: q, k, v must have shape (..., H, n, d), "
                         f"got q {qs}, k {ks}, v {vs}")
    if ks[-3] != vs[-3] or ks[-3] == 0 or qs[-3] % ks[-3]:
        raise ValueError(f"enable_gqa needs k and v with the same number of heads H_kv dividing "
                         f"q's H (axis -3): got q {qs}, k {ks}, v {vs}")
    group = qs[-3] // ks[-3]
    if group == 1:
        return k, v
    xp = array_namespace(q, k, v)
    idx = xp.arange(qs[-3]) // group  # (H,): the key/value head of each query head
    return xp.take(k, idx, axis=-3), xp.take(v, idx, axis=-3)  # (..., H, n_k, d) each


def scaled_dot_product_attention(
    q: Array, k: Array, v: Array, *, mask: Array | None = None, scale: float | None = None,
    bias: Array | None = None, enable_gqa: bool = False,
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
        enable_gqa: grouped-query attention (chapter 15): ``k`` and ``v`` may have fewer
            heads on axis −3 than ``q``, a divisor of them; query head ``h`` uses key/value
            head ``h // (H / H_kv)`` (:func:`repeat_kv`), as torch's ``enable_gqa``.

    Returns:
        ``(out, weights)`` with shapes ``(..., n_q, d_v)`` and ``(..., n_q, n_k)``.

    Raises:
        ValueError: on mismatched shapes or a mask or bias that does not broadcast
            (see ``check_qkv``).
    """
    if enable_gqa:
        k, v = repeat_kv(q, k, v)  # (..., H, n_k, d) each
    batch = check_qkv(q, k, v)
    xp = array_namespace(q, k, v)
    d_k = shape_of(q)[-1]
    if scale is None:
        scale = 1.0 / math.sqrt(d_k) if d_k > 0 else 1.0
    scores = (q @ xp.matrix_transpose(k)) * scale  # (..., n_q, n_k)
    target = batch + (shape_of(q)[-2], shape_of(k)[-2])
    if bias is not None:
        broadcast_shapes_or_raise("bias", shape_of(bias), target)
        scores = scores + as_like(bias, scores, dtype=scores.dtype)  # (..., n_q, n_k)
    if mask is not None:
        broadcast_shapes_or_raise("mask", shape_of(mask), target)
    weights = softmax(scores, axis=-1, mask=mask)  # (..., n_q, n_k)
    out = weights @ v  # (..., n_q, d_v)
    return out, weights


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
