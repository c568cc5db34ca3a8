"""Positional encodings (chapters 6, 10 and 14): telling attention *where* a token is.

Self-attention is permutation-equivariant: shuffle the tokens and the outputs are
shuffled the same way. Adding a position-dependent vector to each token breaks
that symmetry. Two classic choices live here:

- :func:`sinusoidal_encoding` — the fixed sines and cosines of Vaswani et al. (2017),
  ``PE[pos, 2i] = sin(pos / base^(2i/d_model))``, ``PE[pos, 2i+1] = cos(pos / base^(2i/d_model))``;
- :class:`LearnedPositionalEmbedding` — one trained vector per position.

Both modules take token vectors ``(B, N, d_model)`` and return ``x + P[:N]`` of the same shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

__all__ = [
    "LearnedPositionalEmbedding",
    "SinusoidalPositionalEncoding",
    "sinusoidal_encoding",
]

Array = Any


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


def _check_x(x: Tensor, d_model: int, max_len: int) -> None:
    if x.dim() != 3 or x.shape[-1] != d_model:
        raise ValueError(f"x must have shape (B, N, d_model={d_model}), got {tuple(x.shape)}")
    if x.shape[1] > max_len:
        raise ValueError(
            f"x has N={x.shape[1]} positions but the encoding holds max_len={max_len}: "
            f"x has shape {tuple(x.shape)}"
        )


class SinusoidalPositionalEncoding(nn.Module):
    """Add the fixed sinusoidal table to token vectors: ``x + PE[:N]``.

    Args:
        d_model: width of the token vectors.
        max_len: the longest sequence it accepts (the table is precomputed).
        base: see :func:`sinusoidal_encoding`.
        scale: optional multiplier of the table (1.0 = as in the paper).

    Shapes: ``x (B, N, d_model) → (B, N, d_model)``. The table is a buffer, not a parameter.
    """

    pe: Tensor

    def __init__(
        self, d_model: int, max_len: int = 512, *, base: float = 10000.0, scale: float = 1.0
    ) -> None:
        super().__init__()
        self.d_model = d_model
        self.max_len = max_len
        self.scale = scale
        table = torch.as_tensor(sinusoidal_encoding(max_len, d_model, base=base),
                                dtype=torch.float32)
        self.register_buffer("pe", table, persistent=False)  # (max_len, d_model)

    def positions(self, N: int) -> Tensor:
        """The encoding of positions ``0 … N-1``: ``(N, d_model)``."""
        return self.scale * self.pe[:N]

    def forward(self, x: Tensor) -> Tensor:
        _check_x(x, self.d_model, self.max_len)
        return x + self.positions(x.shape[1]).to(x.dtype)  # (B, N, d_model)


class LearnedPositionalEmbedding(nn.Module):
    """Add a trained vector per position: ``x + P[:N]`` with ``P`` an ``nn.Embedding``.

    Args:
        max_len: number of positions with their own vector.
        d_model: width of the token vectors.
        init_std: standard deviation of the normal initialisation.

    Shapes: ``x (B, N, d_model) → (B, N, d_model)``; ``N ≤ max_len``.
    """

    def __init__(self, max_len: int, d_model: int, *, init_std: float = 0.02) -> None:
        super().__init__()
        self.d_model = d_model
        self.max_len = max_len
        self.embedding = nn.Embedding(max_len, d_model)
        nn.init.normal_(self.embedding.weight, std=init_std)

    def positions(self, N: int) -> Tensor:
        """The vectors of positions ``0 … N-1``: ``(N, d_model)``."""
        return self.embedding.weight[:N]

    def forward(self, x: Tensor) -> Tensor:
        _check_x(x, self.d_model, self.max_len)
        return x + self.positions(x.shape[1]).to(x.dtype)  # (B, N, d_model)
