"""Boolean attention masks. One convention everywhere: **True = may attend**.

This is the convention of ``torch.nn.functional.scaled_dot_product_attention``.
(``torch.nn.MultiheadAttention``'s ``attn_mask`` uses the opposite one: pass it
``~mask``.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["causal_mask", "padding_mask"]

Array = Any


def causal_mask(n_q: int, n_k: int | None = None, *, like: Array | None = None) -> Array:
    """Mask ``(n_q, n_k)`` where query ``i`` may attend to keys ``j ≤ i + (n_k - n_q)``.

    With ``n_k = n_q`` (self-attention) this is the lower triangle including the
    diagonal. When ``n_k > n_q`` the queries are taken to be the *last* ``n_q``
    positions (as when decoding with a cache), so every query sees its own
    position and everything before it.

    Args:
        n_q: number of queries (rows).
        n_k: number of keys (columns); defaults to ``n_q``.
        like: if a torch tensor is given, the mask is a torch tensor on its device;
            otherwise a NumPy array.

    Returns:
        Boolean array of shape ``(n_q, n_k)``.
    """
    n_k = n_q if n_k is None else n_k
    if n_q < 0 or n_k < 0:
        raise ValueError(f"n_q and n_k must be non-negative, got n_q={n_q}, n_k={n_k}")
    m = np.tril(np.ones((n_q, n_k), dtype=bool), k=n_k - n_q)
    return _to_kind(m, like)


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


def _to_kind(m: np.ndarray, like: Array | None) -> Array:
    if like is not None and hasattr(like, "detach"):
        import torch

        return torch.as_tensor(m, device=like.device)
    return m
