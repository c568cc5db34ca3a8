"""Looking inside attention heads (chapter 7): what each head attends to, and what it costs.

- :func:`mha_flops` — the multiply-adds of multi-head attention, term by term: the same
  for ``n_heads`` heads of size ``d_model / n_heads`` as for one head of size ``d_model``.
- :func:`previous_token_score` and :func:`attention_to` — how much of a head's weight
  goes one step back, or to a chosen set of keys (e.g. a marker token).
"""

from __future__ import annotations

from typing import Any

from .._backend import array_namespace, shape_of

__all__ = ["attention_to", "mha_flops", "previous_token_score"]

Array = Any


def mha_flops(n_q: int, n_k: int, d_model: int, n_heads: int) -> dict[str, int]:
    """FLOPs (2 per multiply-add) of one multi-head attention call, batch size 1.

    Terms: ``projections`` (``W_q`` on the queries, ``W_k, W_v`` on the keys, ``W_o`` on the
    output: ``2·(2·n_q + 2·n_k)·d_model²``), ``scores`` (``Q Kᵀ``: ``2·n_q·n_k·d_model``)
    and ``weighted_sum`` (``A V``: ``2·n_q·n_k·d_model``), and their ``total``. Each head
    does ``1/n_heads`` of the score and sum work, so ``n_heads`` cancels out; the softmax
    (``≈ n_heads·n_q·n_k`` exponentials) is not counted.

    Raises:
        ValueError: if a size is not positive or ``n_heads`` does not divide ``d_model``.
    """
    if min(n_q, n_k, d_model, n_heads) < 1 or d_model % n_heads:
        raise ValueError(f"need positive sizes and n_heads | d_model, got n_q={n_q}, n_k={n_k}, "
                         f"d_model={d_model}, n_heads={n_heads}")
    d_k = d_model // n_heads
    proj = 2 * (2 * n_q + 2 * n_k) * d_model * d_model
    scores = n_heads * 2 * n_q * n_k * d_k
    weighted = n_heads * 2 * n_q * n_k * d_k
    return {"projections": proj, "scores": scores, "weighted_sum": weighted,
            "total": proj + scores + weighted}


def _check_square(weights: Array) -> tuple[int, ...]:
    s = shape_of(weights)
    if len(s) < 2 or s[-1] != s[-2] or s[-1] < 2:
        raise ValueError(f"weights must have shape (..., N, N) with N ≥ 2, got {s}")
    return s


def previous_token_score(weights: Array) -> Array:
    """Mean weight that a query puts on the token just before it.

    Args:
        weights: ``(..., N, N)`` self-attention weights (rows = queries).

    Returns:
        ``(...)``: the mean over queries ``i = 1 … N-1`` of ``weights[..., i, i-1]``; 1 for a
        perfect previous-token head, about ``1/N`` for a uniform one.
    """
    _check_square(weights)
    xp = array_namespace(weights)
    n = shape_of(weights)[-1]
    rows = xp.arange(1, n)
    sub = weights[..., rows, rows - 1]  # (..., N-1)
    return xp.mean(sub, axis=-1)


def attention_to(weights: Array, key_mask: Array) -> Array:
    """Total weight each query puts on the keys selected by ``key_mask``.

    Args:
        weights: ``(..., n_q, n_k)``.
        key_mask: boolean ``(..., n_k)`` broadcastable against the weights' leading axes,
            True = a key of interest (e.g. the marker token).

    Returns:
        ``(..., n_q)``: the sum of each query's weights over the selected keys.
    """
    ws, ms = shape_of(weights), shape_of(key_mask)
    if len(ms) < 1 or ms[-1] != ws[-1]:
        raise ValueError(f"key_mask must have shape (..., n_k={ws[-1]}), got {ms} for "
                         f"weights {ws}")
    xp = array_namespace(weights)
    m = xp.astype(key_mask, weights.dtype)[..., None, :]  # (..., 1, n_k)
    return xp.sum(weights * m, axis=-1)
