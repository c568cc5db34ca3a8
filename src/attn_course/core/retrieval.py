"""Attention as soft retrieval (chapter 2): exact → nearest → soft lookup, and kernel regression.

A key–value store answers a query by comparing it with every key. Exact lookup
returns the value whose key *equals* the query; nearest lookup the value of the
*closest* key; soft lookup returns a *weighted average* of all values, with
weights ``softmax(score(q, k_i) / temperature)``. That last one is attention.
Nadaraya–Watson kernel regression (1964) is the same computation with a
Gaussian kernel; :func:`loo_mse` is its leave-one-out error, which
:func:`attn_course.experiments.retrieval.fit_bandwidth` minimises.

Shapes: ``keys (n_k, d)``, ``values (n_k,)`` or ``(n_k, d_v)``, ``query (d,)`` or
``(n_q, d)``. NumPy arrays or torch tensors.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from .._backend import Array, array_namespace, shape_of
from .softmax import softmax

__all__ = [
    "exact_lookup",
    "loo_mse",
    "nadaraya_watson",
    "nearest_lookup",
    "neg_sq_distance",
    "soft_lookup",
]


def exact_lookup(store: Mapping[Hashable, Any], query: Hashable) -> Any:
    """A dictionary lookup: the value whose key equals ``query``.

    Raises:
        KeyError: no key equals the query — exact retrieval has nothing to say about
            near misses, which is what the softer lookups fix.
    """
    return store[query]


def neg_sq_distance(query: Array, keys: Array) -> Array:
    """Score ``-‖q − k_i‖²`` of each query against each key.

    ``query (d,)`` or ``(n_q, d)``, ``keys (n_k, d)`` → ``(n_k,)`` or ``(n_q, n_k)``.
    """
    qs, ks = shape_of(query), shape_of(keys)
    if len(ks) != 2 or len(qs) not in (1, 2) or qs[-1] != ks[-1]:
        raise ValueError(
            f"query must have shape (d,) or (n_q, d) and keys (n_k, d) with the same d: "
            f"query {qs}, keys {ks}"
        )
    xp = array_namespace(query, keys)
    diff = xp.expand_dims(query, axis=-2) - keys  # (..., n_k, d)
    return -xp.sum(diff * diff, axis=-1)  # (..., n_k)


def nearest_lookup(query: Array, keys: Array, values: Array) -> tuple[Array, Array]:
    """The value of the closest key (hard attention), and the one-hot weights.

    Returns:
        ``(value, weights)`` with ``weights (n_k,)`` one-hot (or ``(n_q, n_k)``).
    """
    _check_kv(keys, values)
    xp = array_namespace(query, keys, values)
    scores = neg_sq_distance(query, keys)  # (..., n_k)
    idx = xp.argmax(scores, axis=-1)
    n_k = shape_of(keys)[0]
    weights = xp.astype(xp.arange(n_k) == xp.expand_dims(idx, axis=-1), scores.dtype)
    return _combine(weights, values), weights


def soft_lookup(
    query: Array,
    keys: Array,
    values: Array,
    *,
    temperature: float = 1.0,
    mask: Array | None = None,
) -> tuple[Array, Array]:
    """Attention as a soft dictionary: ``weights = softmax(-‖q − k_i‖² / temperature)``.

    As ``temperature → 0`` this becomes :func:`nearest_lookup`; as it grows the
    weights approach uniform and the answer the mean of all values.

    Args:
        mask: optional boolean ``(n_k,)`` or ``(n_q, n_k)``, True = may attend.

    Returns:
        ``(value, weights)``: value ``()``/``(d_v,)`` per query, weights ``(n_k,)`` per query.
    """
    _check_kv(keys, values)
    scores = neg_sq_distance(query, keys)  # (..., n_k)
    weights = softmax(scores, axis=-1, temperature=temperature, mask=mask)
    return _combine(weights, values), weights


def nadaraya_watson(
    x_query: Array,
    x_train: Array,
    y_train: Array,
    *,
    bandwidth: float = 1.0,
    mask: Array | None = None,
) -> tuple[Array, Array]:
    """Nadaraya–Watson kernel regression with a Gaussian kernel of width ``bandwidth``.

    ``ŷ(x) = Σ_i softmax_i(-(x − x_i)² / (2 h²)) · y_i`` — a soft lookup whose keys
    are the training inputs and whose values are the training targets.

    Args:
        x_query: ``(n_q,)`` scalar inputs (or ``(n_q, d)``).
        x_train: ``(n_k,)`` (or ``(n_k, d)``); y_train: ``(n_k,)``.
        bandwidth: ``h > 0``.
        mask: optional boolean ``(n_q, n_k)``, True = may attend (e.g. leave-one-out).

    Returns:
        ``(y_hat (n_q,), weights (n_q, n_k))``.
    """
    if not bandwidth > 0:
        raise ValueError(f"bandwidth must be positive, got {bandwidth!r}")
    xq = x_query if len(shape_of(x_query)) == 2 else x_query[:, None]  # (n_q, d)
    xt = x_train if len(shape_of(x_train)) == 2 else x_train[:, None]  # (n_k, d)
    return soft_lookup(xq, xt, y_train, temperature=2.0 * bandwidth**2, mask=mask)


def loo_mse(x_train: Array, y_train: Array, bandwidth: Any) -> Any:
    """Leave-one-out mean squared error of Nadaraya–Watson on the training set.

    Each point is predicted from all the *others*: the diagonal is masked out
    (``mask = ~eye``), so a point cannot simply look itself up. ``bandwidth`` may be a
    torch scalar tensor that requires grad, which makes the bandwidth learnable.
    """
    xp = array_namespace(x_train, y_train)
    n = shape_of(x_train)[0]
    not_self = xp.logical_not(xp.eye(n, dtype=xp.bool))  # (n_q, n_k): True = may attend
    xt = x_train[:, None]  # (n, 1)
    scores = neg_sq_distance(xt, xt)  # (n, n)
    weights = softmax(scores / (2.0 * bandwidth**2), axis=-1, mask=not_self)
    y_hat = weights @ y_train  # (n,)
    return xp.mean((y_hat - y_train) ** 2)


def _check_kv(keys: Array, values: Array) -> None:
    ks, vs = shape_of(keys), shape_of(values)
    if len(ks) != 2 or len(vs) not in (1, 2) or vs[0] != ks[0]:
        raise ValueError(
            f"keys must have shape (n_k, d) and values (n_k,) or (n_k, d_v) with the same n_k: "
            f"keys {ks}, values {vs}"
        )


def _combine(weights: Array, values: Array) -> Array:
    """Weighted sum of values: ``(..., n_k) × (n_k,) → (...)``, ``(n_k, d_v) → (..., d_v)``."""
    if len(shape_of(values)) == 1:
        xp = array_namespace(weights, values)
        return xp.sum(weights * values, axis=-1)
    return weights @ values
