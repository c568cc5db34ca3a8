"""The alignment-score family (chapter 3): how well does each query match each key?

Every function maps queries ``(..., n_q, d_q)`` and keys ``(..., n_k, d_k)`` to
scores ``(..., n_q, n_k)``; a softmax over the last axis turns scores into
attention weights. Parameters are plain matrices used on the right
(``x @ W``), so a row vector of features goes in and a row vector comes out.
NumPy arrays and torch tensors are both accepted, and the kind is kept.

=================  ==================================  ===================
score              formula                             parameters
=================  ==================================  ===================
dot                q·k                                 none
scaled dot         q·k / √d_k                          none
general            q W kᵀ                              W: (d_q, d_k)
additive (concat)  w_vᵀ tanh(q W_q + k W_k)            W_q, W_k, w_v
cosine             q·k / (‖q‖‖k‖)                      none
location           q W  (ignores the keys' content)    W: (d_q, n_k)
=================  ==================================  ===================

:func:`score` is the one dispatcher: ``score(name, q, k, params)`` computes any of them
by its name in :data:`SCORE_NAMES`, taking the parameters it needs from ``params``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .._backend import (
    Array,
    array_namespace,
    as_floats,
    cast,
    compute_dtype,
    device_of,
    shape_of,
)

__all__ = [
    "SCORE_NAMES",
    "SCORE_PARAMETERS",
    "additive_score",
    "cosine_score",
    "dot_score",
    "general_score",
    "location_score",
    "scaled_dot_score",
    "score",
]

SCORE_NAMES: tuple[str, ...] = ("dot", "scaled_dot", "general", "additive", "cosine", "location")
"""The names :func:`score` accepts, in the order of the table above."""

SCORE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "dot": (), "scaled_dot": (), "general": ("W",), "additive": ("W_q", "W_k", "w_v"),
    "cosine": (), "location": ("W_loc",),
}
"""The keys of ``params`` each score needs: ``W (d_q, d_k)``; ``W_q (d_q, d_a)``,
``W_k (d_k, d_a)``, ``w_v (d_a,)``; ``W_loc (d_q, n_k)``."""


def _floats(**named: Array) -> list[Array]:
    """The inputs in their common floating dtype (:func:`attn_course._backend.as_floats`)."""
    return as_floats(*named.items())


def _check_pair(q: Array, k: Array, *, same_dim: bool = True) -> None:
    qs, ks = shape_of(q), shape_of(k)
    if len(qs) < 2 or len(ks) < 2:
        raise ValueError(f"q and k need at least 2 axes (..., n, d): q {qs}, k {ks}")
    if same_dim and qs[-1] != ks[-1]:
        raise ValueError(
            f"q and k must have the same feature size: q has shape {qs}, k has shape {ks}"
        )


def dot_score(q: Array, k: Array) -> Array:
    """``q · k`` for every query–key pair: ``(..., n_q, d) × (..., n_k, d) → (..., n_q, n_k)``."""
    q, k = _floats(q=q, k=k)
    _check_pair(q, k)
    xp = array_namespace(q, k)
    return q @ xp.matrix_transpose(k)


def scaled_dot_score(q: Array, k: Array) -> Array:
    """``q · k / √d_k`` (Vaswani et al.): keeps the scores' variance near 1 for any ``d_k``."""
    q, k = _floats(q=q, k=k)
    _check_pair(q, k)
    d_k = shape_of(q)[-1]
    return dot_score(q, k) / math.sqrt(d_k) if d_k else dot_score(q, k)


def general_score(q: Array, k: Array, W: Array) -> Array:
    """Luong's bilinear score ``q W kᵀ``; ``W`` has shape ``(d_q, d_k)``."""
    q, k, W = _floats(q=q, k=k, W=W)
    _check_pair(q, k, same_dim=False)
    ws = shape_of(W)
    if ws != (shape_of(q)[-1], shape_of(k)[-1]):
        raise ValueError(
            f"W must have shape (d_q, d_k) = {(shape_of(q)[-1], shape_of(k)[-1])}, got {ws} "
            f"(q {shape_of(q)}, k {shape_of(k)})"
        )
    xp = array_namespace(q, k, W)
    return (q @ W) @ xp.matrix_transpose(k)


def additive_score(q: Array, k: Array, W_q: Array, W_k: Array, w_v: Array) -> Array:
    """Bahdanau's additive (concat) score ``w_vᵀ tanh(q W_q + k W_k)``.

    Args:
        q: ``(..., n_q, d_q)``; k: ``(..., n_k, d_k)``.
        W_q: ``(d_q, d_a)``; W_k: ``(d_k, d_a)``; w_v: ``(d_a,)`` with ``d_a`` the hidden size.

    Returns:
        ``(..., n_q, n_k)``. Cost: ``n_q·n_k·d_a`` tanh evaluations, more than a dot product.
    """
    q, k, W_q, W_k, w_v = _floats(q=q, k=k, W_q=W_q, W_k=W_k, w_v=w_v)
    _check_pair(q, k, same_dim=False)
    d_q, d_k = shape_of(q)[-1], shape_of(k)[-1]
    if len(shape_of(W_q)) != 2 or shape_of(W_q)[0] != d_q:
        raise ValueError(f"W_q must have shape (d_q={d_q}, d_a), got {shape_of(W_q)}")
    d_a = shape_of(W_q)[1]
    if shape_of(W_k) != (d_k, d_a):
        raise ValueError(f"W_k must have shape (d_k, d_a) = {(d_k, d_a)}, got {shape_of(W_k)}")
    if shape_of(w_v) != (d_a,):
        raise ValueError(f"w_v must have shape (d_a,) = {(d_a,)}, got {shape_of(w_v)}")
    xp = array_namespace(q, k, W_q, W_k, w_v)
    hq = xp.expand_dims(q @ W_q, axis=-2)  # (..., n_q, 1, d_a)
    hk = xp.expand_dims(k @ W_k, axis=-3)  # (..., 1, n_k, d_a)
    return xp.tanh(hq + hk) @ w_v  # (..., n_q, n_k)


def cosine_score(q: Array, k: Array, *, eps: float = 1e-8) -> Array:
    """Cosine similarity ``q·k / (‖q‖‖k‖)`` (content-based addressing, Graves et al.).

    Lies in [-1, 1] and ignores the vectors' lengths; ``eps`` guards zero vectors (a zero
    vector scores 0). Computed in float32 for half types, so that neither the norms
    overflow nor ``eps`` underflows; the result has the inputs' dtype.
    """
    q, k = _floats(q=q, k=k)
    _check_pair(q, k)
    xp = array_namespace(q, k)
    dtype, work = q.dtype, compute_dtype(q)
    q, k = cast(q, work), cast(k, work)
    floor = xp.asarray(max(float(eps), float(xp.finfo(work).tiny)), dtype=work,
                       device=device_of(q))  # eps in the inputs' dtype, never 0
    qn = q / xp.maximum(xp.linalg.vector_norm(q, axis=-1, keepdims=True), floor)
    kn = k / xp.maximum(xp.linalg.vector_norm(k, axis=-1, keepdims=True), floor)
    return cast(qn @ xp.matrix_transpose(kn), dtype)


def location_score(q: Array, W: Array) -> Array:
    """Luong's location-based score ``q W``: ``(..., n_q, d_q) × (d_q, n_k) → (..., n_q, n_k)``.

    The keys' content plays no part: the query alone decides which *positions*
    to weigh, so the number of keys ``n_k`` is fixed by ``W``.
    """
    q, W = _floats(q=q, W=W)
    qs, ws = shape_of(q), shape_of(W)
    if len(qs) < 2 or len(ws) != 2 or ws[0] != qs[-1]:
        raise ValueError(f"W must have shape (d_q={qs[-1] if qs else '?'}, n_k), got {ws}")
    return q @ W


def score(name: str, q: Array, k: Array, params: Mapping[str, Array] | None = None) -> Array:
    """The score called ``name`` (one of :data:`SCORE_NAMES`) of queries against keys.

    Args:
        name: ``"dot"``, ``"scaled_dot"``, ``"general"``, ``"additive"``, ``"cosine"`` or
            ``"location"``.
        q: ``(..., n_q, d_q)``; k: ``(..., n_k, d_k)``.
        params: the parameters the score needs (:data:`SCORE_PARAMETERS`); others are ignored.

    Returns:
        ``(..., n_q, n_k)``.

    Raises:
        ValueError: an unknown ``name``, or a parameter it needs missing from ``params``.
    """
    if name not in SCORE_NAMES:
        raise ValueError(f"score must be one of {SCORE_NAMES}, got {name!r}")
    p = {} if params is None else params
    missing = [key for key in SCORE_PARAMETERS[name] if key not in p]
    if missing:
        raise ValueError(f"the {name} score needs params {SCORE_PARAMETERS[name]}, "
                         f"missing {tuple(missing)}")
    if name == "dot":
        return dot_score(q, k)
    if name == "scaled_dot":
        return scaled_dot_score(q, k)
    if name == "general":
        return general_score(q, k, p["W"])
    if name == "additive":
        return additive_score(q, k, p["W_q"], p["W_k"], p["w_v"])
    if name == "cosine":
        return cosine_score(q, k)
    return location_score(q, p["W_loc"])
