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

from .._backend import Array, array_namespace, as_like, broadcast_shapes_or_raise, shape_of

__all__ = ["causal_mask", "check_mask", "mask_scores", "padding_mask", "sliding_window_mask"]


def causal_mask(
    n_q: int, n_k: int | None = None, *, offset: int = 0, like: Array | None = None
) -> Array:
    """Mask ``(n_q, n_k)`` where query ``i`` may attend key ``j`` iff ``j ≤ i + offset``.

    With ``n_k = n_q`` (self-attention) and ``offset = 0`` this is the lower triangle
    including the diagonal. The alignment is top-left for every shape (see the module
    docstring); ``offset = n_k − n_q`` gives the bottom-right alignment of a decoding step.

    Args:
        n_q: number of queries (rows).
        n_k: number of keys (columns); defaults to ``n_q``.
        offset: how many keys beyond its own index each query may also see (may be negative).
        like: if a torch tensor is given, the mask is a torch tensor on its device;
            otherwise a NumPy array.

    Returns:
        Boolean array of shape ``(n_q, n_k)``.
    """
    n_k = n_q if n_k is None else n_k
    if n_q < 0 or n_k < 0:
        raise ValueError(f"n_q and n_k must be non-negative, got n_q={n_q}, n_k={n_k}")
    m = np.tril(np.ones((n_q, n_k), dtype=bool), k=offset)
    return _to_kind(m, like)


def sliding_window_mask(
    n: int, window: int, *, causal: bool = False, n_k: int | None = None, offset: int = 0,
    like: Array | None = None,
) -> Array:
    """Mask ``(n, n_k)``, True where ``|i + offset − j| ≤ window`` (and ``j ≤ i + offset`` if
    ``causal``): each query sees the keys within ``window`` positions of its own.

    Args:
        n: number of queries; n_k: number of keys (defaults to ``n``).
        window: how many positions each side a query may look (``0`` = only itself).
        causal: look only backwards, top-left aligned as :func:`causal_mask`.
        offset: position of query 0 among the keys (a block of queries cut from a longer
            sequence, as :func:`attn_course.local_attention` does).
        like: as in :func:`causal_mask`.
    """
    if window < 0:
        raise ValueError(f"window must be ≥ 0, got {window}")
    n_k = n if n_k is None else n_k
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
        lengths: ``(B,)`` integers, the true length of each sequence, each in ``[0, n_k]``.
        n_k: the padded length.
        like: as in :func:`causal_mask`. A torch ``lengths`` also gives a torch mask.

    Returns:
        Boolean array of shape ``(B, 1, n_k)``.
    """
    if like is None and hasattr(lengths, "detach"):
        like = lengths
    lens = np.asarray(lengths.detach().cpu() if hasattr(lengths, "detach") else lengths)
    if lens.ndim != 1:
        raise ValueError(f"lengths must have shape (B,), got shape {lens.shape}")
    if lens.size and (lens.min() < 0 or lens.max() > n_k):
        raise ValueError(f"lengths must lie in [0, n_k={n_k}], got {lens.tolist()}")
    m = np.arange(n_k)[None, None, :] < lens[:, None, None]
    return _to_kind(m, like)


def check_mask(mask: Array, scores: Array) -> Array:
    """``mask`` as the same kind of array as ``scores``, after checking the mask rule.

    Raises:
        ValueError: if ``mask`` is not boolean, or does not broadcast to ``scores``' shape
            (the message names both shapes).
    """
    m = as_like(mask, scores)
    xp = array_namespace(m)
    if m.dtype != xp.bool:
        kind = getattr(mask, "dtype", type(mask).__name__)
        raise ValueError(
            f"mask must be boolean (True = may attend), got dtype {kind} with shape "
            f"{shape_of(m)}"
        )
    broadcast_shapes_or_raise("mask", shape_of(m), shape_of(scores))
    return m


def mask_scores(scores: Array, mask: Array | None) -> Array:
    """``scores`` with the entries where ``mask`` is False set to ``−∞`` (``None``: unchanged).

    A softmax then gives them exactly zero weight. ``scores`` must be floating point.
    """
    if mask is None:
        return scores
    m = check_mask(mask, scores)
    xp = array_namespace(scores)
    return xp.where(m, scores, xp.asarray(-math.inf, dtype=scores.dtype))


def _to_kind(m: np.ndarray, like: Array | None) -> Array:
    if like is not None and hasattr(like, "detach"):
        import torch

        return torch.as_tensor(m, device=like.device)
    return m
