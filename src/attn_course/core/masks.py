"""Boolean attention masks (chapters 5, 10, 13) and the one rule for applying them.

**True = may attend**, the convention of ``torch.nn.functional.scaled_dot_product_attention``
(``torch.nn.MultiheadAttention``'s ``attn_mask`` uses the opposite one: pass it ``~mask``).
Every function of the package that takes a mask checks it with :func:`check_mask` and
applies it with :func:`mask_scores`: a masked entry becomes ``−∞`` before the softmax, so
it gets exactly zero weight, and a query whose row is fully masked gets zeros, never NaN.

**Causal alignment: top-left**, as ``scaled_dot_product_attention(is_causal=True)``. Query
``i`` may attend key ``j`` iff ``j ≤ i + offset``, with ``offset = 0`` by default, for any
numbers of queries ``n_q`` and keys ``n_k``::

    causal_mask(3, 5)          causal_mask(3, 5, offset=2)   (= n_k − n_q: bottom-right)
    1 0 0 0 0                  1 1 1 0 0
    1 1 0 0 0                  1 1 1 1 0
    1 1 1 0 0                  1 1 1 1 1

A decoding step whose ``n_q`` new queries come after ``n_k − n_q`` cached keys passes
``offset = n_k − n_q``. Every function with a ``causal`` flag or a causal mask —
:func:`causal_mask`, :func:`sliding_window_mask`, :func:`attn_course.flash_attention`,
:func:`attn_course.local_attention`, :func:`attn_course.linear_attention`,
:class:`attn_course.MultiHeadAttention` ``(is_causal=True)`` and the layers built on it —
uses this alignment.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._backend import (
    Array,
    array_namespace,
    as_like,
    broadcast_shapes_or_raise,
    check_int,
    device_of,
    is_torch,
    shape_of,
)

__all__ = ["causal_mask", "check_mask", "mask_scores", "padding_mask", "sliding_window_mask"]


def causal_mask(
    n_q: int, n_k: int | None = None, *, offset: int = 0, like: Array | None = None
) -> Array:
    """Mask ``(n_q, n_k)`` where query ``i`` may attend key ``j`` iff ``j ≤ i + offset``.

    With ``n_k = n_q`` (self-attention) and ``offset = 0`` this is the lower triangle
    including the diagonal. The alignment is top-left for every shape (see the module
    docstring); ``offset = n_k − n_q`` gives the bottom-right alignment of a decoding step.

    Args:
        n_q: number of queries (rows), an integer ≥ 0.
        n_k: number of keys (columns), an integer ≥ 0; defaults to ``n_q``.
        offset: how many keys beyond its own index each query may also see (an integer,
            may be negative).
        like: if a torch tensor is given, the mask is a torch tensor on its device;
            otherwise a NumPy array.

    Returns:
        Boolean array of shape ``(n_q, n_k)``.

    Raises:
        ValueError: a size that is not an integer ≥ 0, or an offset that is not an integer.
    """
    n_q = check_int("n_q", n_q, minimum=0)
    n_k = n_q if n_k is None else check_int("n_k", n_k, minimum=0)
    offset = check_int("offset", offset)
    m = np.tril(np.ones((n_q, n_k), dtype=bool), k=offset)
    return _to_kind(m, like)


def sliding_window_mask(
    n: int, window: int, *, causal: bool = False, n_k: int | None = None, offset: int = 0,
    like: Array | None = None,
) -> Array:
    """Mask ``(n, n_k)``, True where ``|i + offset − j| ≤ window`` (and ``j ≤ i + offset`` if
    ``causal``): each query sees the keys within ``window`` positions of its own.

    Args:
        n: number of queries; n_k: number of keys (defaults to ``n``); integers ≥ 0.
        window: how many positions each side a query may look (``0`` = only itself).
        causal: look only backwards, top-left aligned as :func:`causal_mask`.
        offset: position of query 0 among the keys (a block of queries cut from a longer
            sequence, as :func:`attn_course.local_attention` does).
        like: as in :func:`causal_mask`.
    """
    n = check_int("n", n, minimum=0)
    window = check_int("window", window, minimum=0)
    n_k = n if n_k is None else check_int("n_k", n_k, minimum=0)
    offset = check_int("offset", offset)
    i = np.arange(n)[:, None] + offset  # (n, 1) query positions
    j = np.arange(n_k)[None, :]  # (1, n_k) key positions
    keep = np.abs(i - j) <= window
    if causal:
        keep &= j <= i
    return _to_kind(keep, like)


def padding_mask(lengths: Any, n_k: int, *, like: Array | None = None) -> Array:
    """Mask ``(B, 1, n_k)`` that lets every query attend to the first ``lengths[b]`` keys.

    The singleton middle axis broadcasts over the queries; add a head axis with
    ``mask[:, None]`` for ``(B, H, n_q, n_k)`` scores.

    Args:
        lengths: ``(B,)`` integers (a list, a NumPy array or a tensor of an integer dtype),
            the true length of each sequence, each in ``[0, n_k]``.
        n_k: the padded length, an integer ≥ 0.
        like: as in :func:`causal_mask`. A torch ``lengths`` also gives a torch mask.

    Returns:
        Boolean array of shape ``(B, 1, n_k)``.

    Raises:
        ValueError: ``lengths`` not a 1-D array of integers (a float such as 2.5 or NaN is
            not a length) or outside ``[0, n_k]``; ``n_k`` not an integer ≥ 0.
    """
    n_k = check_int("n_k", n_k, minimum=0)
    if like is None and is_torch(lengths):
        like = lengths
    lens = np.asarray(lengths.detach().cpu() if is_torch(lengths) else lengths)
    if lens.ndim != 1 or lens.dtype.kind not in "iu":
        raise ValueError(f"lengths must be a 1-D array of integers (B,), got dtype {lens.dtype} "
                         f"with shape {lens.shape}")
    if lens.size and (lens.min() < 0 or lens.max() > n_k):
        raise ValueError(f"lengths must lie in [0, n_k={n_k}], got {lens.tolist()}")
    m = np.arange(n_k)[None, None, :] < lens[:, None, None]
    return _to_kind(m, like)


def check_mask(mask: Array, like: Array, shape: tuple[int, ...] | None = None) -> Array:
    """``mask`` as the same kind of array as ``like`` (and on its device), after checking
    the one mask rule: boolean (True = may attend), broadcastable to ``shape`` (default:
    ``like``'s shape) without enlarging it.

    Accepted: boolean NumPy arrays (any strides, also next to torch input), boolean tensors,
    nested lists of ``True``/``False``. Not accepted: 0/1 integers or floats (torch reads a
    float mask as an additive bias, so "1 = keep" would silently mask nothing).

    Raises:
        ValueError: if ``mask`` is not boolean, or does not broadcast to ``shape`` (the
            message names the mask, its dtype and both shapes).
    """
    target = shape_of(like) if shape is None else tuple(shape)
    try:
        m = as_like(mask, like)
    except ValueError:
        raise ValueError(f"mask must be a boolean array (True = may attend), got "
                         f"{type(mask).__name__}") from None
    xp = array_namespace(m)
    if m.dtype != xp.bool:
        raise ValueError(
            f"mask must be boolean (True = may attend), got dtype {m.dtype} with shape "
            f"{shape_of(m)}; use mask > 0 or mask.bool() for a 0/1 mask"
        )
    broadcast_shapes_or_raise("mask", shape_of(m), target)
    return m


def mask_scores(scores: Array, mask: Array | None) -> Array:
    """``scores`` with the entries where ``mask`` is False set to ``−∞`` (``None``: unchanged).

    A softmax then gives them exactly zero weight; what a masked entry held (even NaN) is
    never read. ``scores`` must be floating point; ``mask`` follows :func:`check_mask`.
    """
    if mask is None:
        return scores
    m = check_mask(mask, scores)
    xp = array_namespace(scores)
    return xp.where(m, scores, xp.asarray(-math.inf, dtype=scores.dtype, device=device_of(scores)))


def _to_kind(m: np.ndarray, like: Array | None) -> Array:
    if like is not None and is_torch(like):
        import torch

        return torch.as_tensor(m, device=like.device)
    return m
