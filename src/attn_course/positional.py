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

import torch
from torch import Tensor, nn

from .core.positions import sinusoidal_encoding

__all__ = ["LearnedPositionalEmbedding", "SinusoidalPositionalEncoding"]


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
