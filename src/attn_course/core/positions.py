"""Where tokens are (chapters 6, 10 and 14): the position math, before any layer uses it.

Self-attention is permutation-equivariant: shuffle the tokens and the outputs are
shuffled the same way. Position information breaks that symmetry, in one of two ways:

- *absolute*: add a vector per position to the tokens, e.g. the fixed sines and cosines
  of Vaswani et al. (2017), :func:`sinusoidal_encoding`,
  ``PE[pos, 2i] = sin(pos / base^(2i/d_model))``, ``PE[pos, 2i+1] = cos(pos / base^(2i/d_model))``;
- *relative*: change how scores are computed. **RoPE** (Su et al. 2024,
  :func:`rope_rotate`) rotates each pair of query/key features by an angle proportional
  to the position, so ``R_m q · R_n k = q · R_{n−m} k`` depends on ``n − m`` only;
  **ALiBi** (Press et al. 2022, :func:`alibi_bias`) adds ``−slope_h · |i − j|`` to the
  scores of head ``h``.

The layers that plug these into attention are in :mod:`attn_course.layers.positions`.
Shapes: queries/keys ``(..., N, d_k)``, biases ``(H, n_q, n_k)``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .._backend import (
    Array,
    array_namespace,
    as_float,
    as_like,
    cast,
    check_int,
    compute_dtype,
    device_of,
    shape_of,
)

__all__ = ["alibi_bias", "alibi_slopes", "rope_rotate", "sinusoidal_encoding"]


def sinusoidal_encoding(
    N: int, d_model: int, *, base: float = 10000.0, like: Array | None = None
) -> Array:
    """The sinusoidal position table ``(N, d_model)`` of Vaswani et al. (2017).

    Even columns ``2i`` hold ``sin(pos · ω_i)`` and odd columns ``2i+1`` hold
    ``cos(pos · ω_i)`` with frequencies ``ω_i = base^(-2i / d_model)``, so every
    pair of columns is a point turning on a circle at its own speed. (For odd
    ``d_model`` the last column is a sine.)

    Args:
        N: number of positions (rows), ``pos = 0 … N-1``.
        d_model: width of the encoding (columns), at least 1.
        base: the wavelength scale; the slowest pair has period ``2π · base``.
        like: if a torch tensor is given, return a float tensor of its dtype and device;
            otherwise a float64 NumPy array.

    Returns:
        ``(N, d_model)`` array with entries in ``[-1, 1]``; row 0 is ``[0, 1, 0, 1, …]``.

    Raises:
        ValueError: if ``N < 0``, ``d_model < 1`` or ``base <= 1``.
    """
    N = check_int("N", N, minimum=0)
    d_model = check_int("d_model", d_model, minimum=1)
    if not isinstance(base, (int, float)) or not 1 < base < math.inf:
        raise ValueError(f"base must be a finite number greater than 1, got {base!r}")
    pos = np.arange(int(N), dtype=np.float64)[:, None]  # (N, 1)
    two_i = np.arange(0, int(d_model), 2, dtype=np.float64)  # (ceil(d_model/2),)
    omega = base ** (-two_i / d_model)  # (ceil(d_model/2),)
    angles = pos * omega  # (N, ceil(d_model/2))
    pe = np.zeros((int(N), int(d_model)))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, : d_model // 2])
    if like is not None and hasattr(like, "detach"):
        dtype = like.dtype if like.is_floating_point() else torch.float32
        return torch.as_tensor(pe, dtype=dtype, device=like.device)
    return pe


def rope_rotate(x: Array, *, base: float = 10000.0, offset: int = 0) -> Array:
    """Rotate feature pairs ``(x_{2i}, x_{2i+1})`` of position ``p`` by the angle ``p · ω_i``.

    ``ω_i = base^(−2i/d_k)`` are the frequencies of the sinusoidal encoding; the sines and
    cosines are read from :func:`sinusoidal_encoding` (even columns
    sin, odd columns cos).

    Args:
        x: ``(..., N, d_k)`` with ``d_k`` even; row ``r`` is position ``offset + r``.
            NumPy array or torch tensor; same kind and floating dtype out (half types are
            rotated in float32).
        offset: position of the first row, an integer ≥ 0.

    Returns:
        The rotated array, same shape.

    Raises:
        ValueError: ``x`` with fewer than 2 axes or an odd ``d_k``; ``offset`` not an
            integer ≥ 0 (a negative offset has no table row to read).
    """
    x = as_float(x)
    if len(shape_of(x)) < 2:
        raise ValueError(f"x must have shape (..., N, d_k), got shape {shape_of(x)}")
    n, d = shape_of(x)[-2:]
    if d % 2:
        raise ValueError(f"RoPE needs an even feature size d_k, got x with shape {shape_of(x)}")
    offset = check_int("offset", offset, minimum=0)
    xp = array_namespace(x)
    dtype, work = x.dtype, compute_dtype(x)
    x = cast(x, work)
    table = sinusoidal_encoding(offset + n, d, base=base, like=x)[offset:]  # (N, d_k)
    table = cast(as_like(table, x), work)
    sin, cos = table[:, 0::2], table[:, 1::2]  # (N, d_k/2) each
    x1, x2 = x[..., 0::2], x[..., 1::2]  # (..., N, d_k/2) each
    out = xp.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], axis=-1)  # (..., N, d_k/2, 2)
    return cast(xp.reshape(out, shape_of(x)), dtype)  # (..., N, d_k)


def alibi_slopes(n_heads: int) -> torch.Tensor:
    """ALiBi's head slopes ``2^(−8h/H)`` for ``h = 1 … H``: a geometric sequence, ``(H,)``."""
    n_heads = check_int("n_heads", n_heads, minimum=1)
    return torch.tensor([2.0 ** (-8.0 * h / n_heads) for h in range(1, n_heads + 1)])


def alibi_bias(n_q: int, n_k: int, slopes: Array) -> Array:
    """The bias ``−slope_h · |i − j|`` added to the scores: ``(H, n_q, n_k)``.

    ``slopes`` is ``(H,)`` (a tensor, a NumPy array or a list); the bias has its kind,
    device and floating dtype. ``n_q`` and ``n_k`` are integers ≥ 0.
    """
    n_q = check_int("n_q", n_q, minimum=0)
    n_k = check_int("n_k", n_k, minimum=0)
    slopes = as_float(slopes, "slopes")
    if len(shape_of(slopes)) != 1:
        raise ValueError(f"slopes must have shape (H,), got shape {shape_of(slopes)}")
    xp = array_namespace(slopes)
    i = xp.arange(n_q, device=device_of(slopes))[:, None]  # (n_q, 1)
    j = xp.arange(n_k, device=device_of(slopes))[None, :]  # (1, n_k)
    dist = xp.astype(xp.abs(i - j), slopes.dtype)  # (n_q, n_k)
    return -slopes[:, None, None] * dist  # (H, n_q, n_k)
