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

import numpy as np
import torch
from torch import Tensor

from .._backend import Array

__all__ = [
    "alibi_bias",
    "alibi_slopes",
    "rope_rotate",
    "sinusoidal_encoding",
    "sinusoidal_encoding_2d",
]


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
    if int(N) != N or N < 0:
        raise ValueError(f"N must be a non-negative integer, got {N!r}")
    if int(d_model) != d_model or d_model < 1:
        raise ValueError(f"d_model must be a positive integer, got {d_model!r}")
    if not base > 1:
        raise ValueError(f"base must be greater than 1, got {base!r}")
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


def sinusoidal_encoding_2d(
    grid_h: int, grid_w: int, d_model: int, *, base: float = 10000.0
) -> Tensor:
    """A fixed 2-D position table ``(grid_h · grid_w, d_model)`` for a grid of patches.

    The first ``d_model / 2`` columns are :func:`sinusoidal_encoding` of the patch's row,
    the last ``d_model / 2`` that of its column (the 2-D sin-cos embedding of MAE and of
    later ViTs); patches are in row-major order. ``d_model`` must be even.
    """
    if grid_h <= 0 or grid_w <= 0 or d_model <= 0 or d_model % 2:
        raise ValueError(f"grid_h, grid_w must be positive and d_model positive and even, got "
                         f"grid_h={grid_h}, grid_w={grid_w}, d_model={d_model}")
    half = d_model // 2
    rows = torch.as_tensor(sinusoidal_encoding(grid_h, half, base=base), dtype=torch.float32)
    cols = torch.as_tensor(sinusoidal_encoding(grid_w, half, base=base), dtype=torch.float32)
    r = rows[:, None, :].expand(grid_h, grid_w, half)  # (g_h, g_w, d/2)
    c = cols[None, :, :].expand(grid_h, grid_w, half)  # (g_h, g_w, d/2)
    return torch.cat([r, c], dim=-1).reshape(grid_h * grid_w, d_model)  # (N, d_model)


def rope_rotate(x: Tensor, *, base: float = 10000.0, offset: int = 0) -> Tensor:
    """Rotate feature pairs ``(x_{2i}, x_{2i+1})`` of position ``p`` by the angle ``p · ω_i``.

    ``ω_i = base^(−2i/d_k)`` are the frequencies of the sinusoidal encoding; the sines and
    cosines are read from :func:`sinusoidal_encoding` (even columns
    sin, odd columns cos).

    Args:
        x: ``(..., N, d_k)`` with ``d_k`` even; row ``r`` is position ``offset + r``.
        offset: position of the first row.

    Returns:
        The rotated tensor, same shape.
    """
    n, d = x.shape[-2], x.shape[-1]
    if d % 2:
        raise ValueError(f"RoPE needs an even feature size d_k, got x with shape {tuple(x.shape)}")
    table = sinusoidal_encoding(offset + n, d, base=base, like=x)[offset:]  # (N, d_k)
    sin, cos = table[:, 0::2], table[:, 1::2]  # (N, d_k/2) each
    x1, x2 = x[..., 0::2], x[..., 1::2]  # (..., N, d_k/2) each
    out = torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)  # (..., N, d_k/2, 2)
    return out.flatten(-2)  # (..., N, d_k)


def alibi_slopes(n_heads: int) -> Tensor:
    """ALiBi's head slopes ``2^(−8h/H)`` for ``h = 1 … H``: a geometric sequence, ``(H,)``."""
    if n_heads < 1:
        raise ValueError(f"n_heads must be ≥ 1, got {n_heads}")
    return torch.tensor([2.0 ** (-8.0 * h / n_heads) for h in range(1, n_heads + 1)])


def alibi_bias(n_q: int, n_k: int, slopes: Tensor) -> Tensor:
    """The bias ``−slope_h · |i − j|`` added to the scores: ``(H, n_q, n_k)``."""
    i = torch.arange(n_q).unsqueeze(-1)  # (n_q, 1)
    j = torch.arange(n_k)  # (n_k,)
    dist = (i - j).abs().to(slopes.dtype)  # (n_q, n_k)
    return -slopes.view(-1, 1, 1) * dist  # (H, n_q, n_k)
