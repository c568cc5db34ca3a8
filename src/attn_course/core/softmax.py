"""Softmax and its companions (chapters 4–5): stable, masked, with a temperature.

All functions accept NumPy arrays or torch tensors (or lists, read as NumPy) and return
the same kind, in the input's floating dtype (integers are promoted as
``attn_course._backend`` says; half types are computed in ``float32``).
Masks are boolean with **True = keep / may attend** (:mod:`attn_course.core.masks`).

What unusual input gives (the same in every function built on these):

- a row with nothing kept — fully masked, or every logit ``−∞`` — is **all zeros**, never
  NaN (a ``−∞`` logit has zero weight, which is how a mask works);
- a **NaN** among a row's kept logits makes the whole row NaN (as in torch);
- a **+∞** logit makes its row NaN (``∞ − ∞`` has no value; torch does the same);
  large *finite* logits never overflow, whatever the temperature;
- an **empty** axis gives an empty result (``logsumexp`` gives ``−∞``, the log of an empty sum).

:func:`softmax_jacobian` is the factor ``diag(p) − p pᵀ`` every gradient passes through
(chapter 4 measures how it vanishes when the scores are not scaled).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .._backend import (
    Array,
    array_namespace,
    as_float,
    cast,
    check_axis,
    compute_dtype,
    is_torch,
    max_keepdims,
    quiet,
    shape_of,
)
from ._softmax_fast import softmax_numpy, softmax_torch
from .masks import check_mask, mask_scores

__all__ = ["entropy", "logsumexp", "reference_path", "softmax", "softmax_jacobian",
           "softmax_jacobian_norm", "softmax_reference"]

_REFERENCE = ContextVar("attn_course_reference_path", default=False)


@contextmanager
def reference_path() -> Iterator[None]:
    """Within this block :func:`softmax` — and everything built on it (attention, the
    layers) — runs the readable :func:`softmax_reference` instead of the fast path.

    The tests use it to hold the two paths equal; a chapter can use it to show that the
    definition it teaches is the one that runs.
    """
    token = _REFERENCE.set(True)
    try:
        yield
    finally:
        _REFERENCE.reset(token)


def _check_temperature(temperature: float) -> float:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}") from None
    if not t > 0 or math.isinf(t):
        raise ValueError(f"temperature must be a positive, finite number, got {temperature!r}")
    return t


def softmax(
    x: Array, axis: int = -1, *, temperature: float = 1.0, mask: Array | None = None
) -> Array:
    """Numerically stable softmax of ``x / temperature`` along ``axis``.

    The definition is :func:`softmax_reference` (chapter 5): mask (masked logits become
    ``−∞``), subtract the row maximum, divide by the temperature, exponentiate, normalise.
    This function gives the same result faster (issue 20; ``tests/test_fast_paths.py``
    holds the two equal, values and gradients). **Which path runs:** a torch tensor goes
    through torch's fused ``torch.softmax`` after one ``masked_fill``, rows with nothing
    kept repaired to zeros afterwards; a float32/float64 NumPy array through the same steps
    done in place in one buffer; anything else (NumPy float16, lists, an empty axis with
    NumPy) — and everything inside :func:`reference_path` — through the reference.

    Args:
        x: logits, any shape with at least one axis; NumPy array or torch tensor.
        axis: the axis that sums to one.
        temperature: a positive number; small → one-hot at the argmax (ties share it),
            large → close to uniform.
        mask: optional boolean array broadcastable to ``x``; True = keep.
            Masked entries get exactly zero weight. A row with nothing kept is all zeros.

    Returns:
        Weights with the shape, kind and floating dtype of ``x``. A row with a NaN or a
        ``+∞`` among its kept logits is NaN; a row of ``−∞`` logits is zeros (module
        docstring).

    Raises:
        ValueError: temperature not a positive finite number, an axis ``x`` lacks, or a
            mask that is not boolean or does not broadcast.
    """
    t = _check_temperature(temperature)
    x = as_float(x)
    ax = check_axis(x, axis)
    if not _REFERENCE.get():
        m = None if mask is None else check_mask(mask, x)
        p = softmax_torch(x, ax, t, m) if is_torch(x) else softmax_numpy(x, ax, t, m)
        if p is not None:
            return p
    return softmax_reference(x, ax, temperature=t, mask=mask)


def softmax_reference(
    x: Array, axis: int = -1, *, temperature: float = 1.0, mask: Array | None = None
) -> Array:
    """:func:`softmax`, written as its definition: one Array API step per line, the same
    code for NumPy and torch (what chapter 5 teaches; :func:`softmax` runs it for the cases
    its fast paths leave, and inside :func:`reference_path`). Same arguments and results."""
    t = _check_temperature(temperature)
    x = as_float(x)
    ax = check_axis(x, axis)
    xp = array_namespace(x)
    dtype = x.dtype
    with quiet():
        z = mask_scores(cast(x, compute_dtype(x)), mask)  # masked → −∞
        m = max_keepdims(z, ax)  # (..., 1, ...): −∞ if nothing is kept, NaN if a NaN is
        m = xp.where(m == -math.inf, xp.zeros_like(m), m)  # a row of −∞: any finite shift
        e = xp.exp((z - m) / t)  # subtract, then divide: exponents ≤ 0, never overflow
        total = xp.sum(e, axis=ax, keepdims=True)
        # A row with nothing kept sums to 0: divide by 1 and keep its zeros (NaN stays NaN).
        p = e / xp.where(total == 0, xp.ones_like(total), total)
    return cast(p, dtype)


def logsumexp(x: Array, axis: int = -1, *, keepdims: bool = False) -> Array:
    """``log(sum(exp(x)))`` along ``axis`` without overflow (the max is factored out).

    A row that is entirely ``−∞`` (or an empty axis) gives ``−∞``; a ``+∞`` gives ``+∞``;
    a NaN gives NaN. Same kind and floating dtype as ``x``.
    """
    x = as_float(x)
    ax = check_axis(x, axis)
    xp = array_namespace(x)
    dtype = x.dtype
    with quiet():
        z = cast(x, compute_dtype(x))
        m = max_keepdims(z, ax)
        m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))  # ±∞ and NaN need no shift
        out = xp.log(xp.sum(xp.exp(z - m), axis=ax, keepdims=True)) + m  # log 0 = −∞
    out = out if keepdims else xp.squeeze(out, axis=ax)
    return cast(out, dtype)


def entropy(p: Array, axis: int = -1) -> Array:
    """Shannon entropy ``-sum p log p`` (in nats) of weights along ``axis``; ``0 log 0 = 0``.

    A NaN weight gives NaN; an empty axis gives 0. Same kind and floating dtype as ``p``.
    """
    p = as_float(p, "p")
    ax = check_axis(p, axis, "p")
    xp = array_namespace(p)
    dtype = p.dtype
    q = cast(p, compute_dtype(p))
    with quiet():
        safe = xp.where(q > 0, q, xp.ones_like(q))
        out = -xp.sum(q * xp.log(safe), axis=ax)
    return cast(out, dtype)


def softmax_jacobian(p: Array) -> Array:
    """Jacobian ``∂p_i/∂z_j = p_i (δ_ij − p_j)`` of the softmax, from its output ``p``.

    Args:
        p: softmax weights ``(..., n)``; NumPy or torch.

    Returns:
        ``(..., n, n)`` — ``diag(p) − p pᵀ`` for every row of ``p``.
    """
    if len(shape_of(p)) < 1:
        raise ValueError(f"p must have at least one axis (..., n), got shape {shape_of(p)}")
    xp = array_namespace(p)
    outer = xp.expand_dims(p, axis=-1) * xp.expand_dims(p, axis=-2)  # (..., n, n)
    eye = xp.eye(shape_of(p)[-1], dtype=p.dtype)
    if hasattr(p, "device") and hasattr(eye, "to"):
        eye = eye.to(p.device)
    return xp.expand_dims(p, axis=-1) * eye - outer  # (..., n, n)


def softmax_jacobian_norm(p: Array) -> Array:
    """Frobenius norm of the softmax Jacobian for every row of ``p``: ``(..., n) → (...)``.

    It is 0 for one-hot weights (no gradient flows) and ``√(n−1)/n`` for uniform ones.
    """
    xp = array_namespace(p)
    J = softmax_jacobian(p)
    return xp.sqrt(xp.sum(J * J, axis=(-2, -1)))
