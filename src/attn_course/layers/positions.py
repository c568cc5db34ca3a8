"""Positions for attention layers (chapters 6, 10 and 14): encodings and the position hook.

Two modules add a vector per position to the token vectors, ``x + P[:N]``:
:class:`SinusoidalPositionalEncoding` (the fixed table of
:func:`attn_course.core.positions.sinusoidal_encoding`, Vaswani et al. 2017) and
:class:`LearnedPositionalEmbedding` (one trained vector per position).

Chapter 14 compares five ways to give attention positions, each a
:class:`PositionMethod` — the hook :class:`attn_course.MultiHeadAttention` takes as
``positions=``. A method overrides only the hook where its math differs (the labml way):

- ``add_to_input(x)``: the token vectors the first layer sees — *absolute* methods,
  :class:`Sinusoidal` and :class:`LearnedAbsolute` (the model calls it once);
- ``rotate(x)``: queries and keys before the dot product — :class:`RoPE` (Su et al. 2024)
  turns each feature pair by an angle proportional to the position, so
  ``R_m q · R_n k = q · R_{n−m} k`` depends on ``n − m`` only (relative);
- ``score_bias(n_q, n_k)``: added to the scaled scores — :class:`ALiBi` (Press et al.
  2022) adds ``−slope_h · |i − j|`` to the scores of head ``h`` (relative).

:class:`NoPosition` overrides nothing. Shapes: tokens ``(B, N, d_model)``, queries/keys
``(B, H, N, d_k)``, score biases broadcastable to ``(B, H, n_q, n_k)``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..core.positions import alibi_bias, alibi_slopes, rope_rotate, sinusoidal_encoding

__all__ = [
    "ALiBi",
    "FixedPositionalEmbedding",
    "LearnedAbsolute",
    "LearnedPositionalEmbedding",
    "NoPosition",
    "PositionMethod",
    "RoPE",
    "Sinusoidal",
    "SinusoidalPositionalEncoding",
    "make_method",
]


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
        base: see :func:`attn_course.core.positions.sinusoidal_encoding`.
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


class FixedPositionalEmbedding(nn.Module):
    """Add a fixed table: ``x + P[:N]`` with ``P`` a buffer ``(max_len, d_model)`` (not trained).

    Shapes: ``x (B, N, d_model) → (B, N, d_model)``; ``N ≤ max_len``.
    """

    def __init__(self, table: Tensor) -> None:
        super().__init__()
        if table.dim() != 2:
            raise ValueError(f"table must have shape (max_len, d_model), got {tuple(table.shape)}")
        self.max_len, self.d_model = table.shape
        self.register_buffer("table", table.detach().clone().float(), persistent=False)

    def positions(self, N: int) -> Tensor:
        """The vectors of positions ``0 … N-1``: ``(N, d_model)``."""
        return self.table[:N]

    def forward(self, x: Tensor) -> Tensor:
        _check_x(x, self.d_model, self.max_len)
        return x + self.positions(x.shape[1]).to(x.dtype)  # (B, N, d_model)


class PositionMethod(nn.Module):
    """No positions at all; the base of every method and its three hooks.

    - ``add_to_input(x (B, N, d_model))`` → the token vectors the first layer sees;
    - ``rotate(x (B, H, N, d_k), offset=p)`` → queries or keys as the dot product sees them,
      row ``r`` being position ``p + r`` (a decoding step with a cache passes ``p > 0``);
    - ``score_bias(n_q, n_k, like=t, offset=o)`` → ``None`` or a bias broadcastable to
      ``(B, H, n_q, n_k)``, in ``t``'s dtype and device, added to the scaled scores; query
      ``i`` sits at key index ``i + o`` (``o = n_k − n_q`` in a decoding step).

    :class:`attn_course.MultiHeadAttention` calls ``rotate`` and ``score_bias``; the model
    that embeds the tokens calls ``add_to_input``.
    """

    name = "none"

    def add_to_input(self, x: Tensor) -> Tensor:
        return x

    def rotate(self, x: Tensor, *, offset: int = 0) -> Tensor:
        return x

    def score_bias(self, n_q: int, n_k: int, *, like: Tensor, offset: int = 0
                   ) -> Tensor | None:
        return None


class NoPosition(PositionMethod):
    """Attention without any position information (a baseline)."""


class Sinusoidal(PositionMethod):
    """Add the fixed sinusoidal table to the tokens (absolute)."""

    name = "sinusoidal"

    def add_to_input(self, x: Tensor) -> Tensor:
        return x + sinusoidal_encoding(x.shape[1], x.shape[2], like=x)  # (B, N, d_model)


class LearnedAbsolute(PositionMethod):
    """Add a trained vector per position (absolute); positions ≥ ``max_len`` are an error."""

    name = "learned"

    def __init__(self, max_len: int, d_model: int) -> None:
        super().__init__()
        self.embedding = LearnedPositionalEmbedding(max_len, d_model)

    def add_to_input(self, x: Tensor) -> Tensor:
        return self.embedding(x)  # (B, N, d_model)


class RoPE(PositionMethod):
    """Rotate queries and keys by their positions before the dot product (relative)."""

    name = "rope"

    def __init__(self, base: float = 10000.0) -> None:
        super().__init__()
        self.base = base
        self._table: Tensor | None = None  # sinusoidal_encoding rows, grown on demand
        # the table as two (rows, d_k) factors: cos ω_i p on both features of pair i, and
        # (−sin ω_i p, +sin ω_i p) — for the fast path of ``rotate``
        self._cos2: Tensor | None = None
        self._sin2: Tensor | None = None

    def rotate(self, x: Tensor, *, offset: int = 0) -> Tensor:
        need, t = offset + x.shape[-2], self._table
        if (t is None or t.shape[0] < need or t.shape[1] != x.shape[-1] or t.dtype != x.dtype
                or t.device != x.device or self._cos2 is None):
            rows = max(need, 2 * t.shape[0] if t is not None else 0, 256)
            t = self._table = sinusoidal_encoding(rows, x.shape[-1], base=self.base, like=x)
            sin, cos = t[:, 0::2], t[:, 1::2]  # (rows, d_k/2) each
            self._cos2 = cos.repeat_interleave(2, dim=-1)  # (rows, d_k)
            self._sin2 = torch.stack([-sin, sin], dim=-1).flatten(-2)  # (rows, d_k)
        if (type(offset) is int and offset >= 0 and x.dim() >= 2 and x.shape[-1] % 2 == 0
                and x.dtype in (torch.float32, torch.float64)):
            # rope_rotate's numbers in fewer operations (a decoding step rotates twice per
            # layer): with the pairs swapped, x̃ = (x_{2i+1}, x_{2i}), the rotation is
            # x · cos + x̃ · (−sin, +sin) — per feature the same two products and one sum as
            # x_{2i} cos − x_{2i+1} sin and x_{2i} sin + x_{2i+1} cos, so the same bits
            swapped = x.unflatten(-1, (x.shape[-1] // 2, 2)).flip(-1).flatten(-2)  # (..., N, d_k)
            return x * self._cos2[offset:need] + swapped * self._sin2[offset:need]
        return rope_rotate(x, base=self.base, offset=offset, table=t)  # (B, H, N, d_k)


class ALiBi(PositionMethod):
    """Add ``−slope_h · |i − j|`` to the scores of head ``h`` (relative, no parameters)."""

    name = "alibi"
    slopes: Tensor

    def __init__(self, n_heads: int) -> None:
        super().__init__()
        self.register_buffer("slopes", alibi_slopes(n_heads), persistent=False)

    def score_bias(self, n_q: int, n_k: int, *, like: Tensor, offset: int = 0) -> Tensor:
        slopes = self.slopes.to(dtype=like.dtype, device=like.device)
        return alibi_bias(n_q, n_k, slopes, offset=offset)  # (H, n_q, n_k)


def make_method(name: str, *, d_model: int, n_heads: int, max_len: int) -> PositionMethod:
    """``"none"``, ``"sinusoidal"``, ``"learned"``, ``"rope"`` or ``"alibi"`` → a method."""
    makers = {
        "none": NoPosition,
        "sinusoidal": Sinusoidal,
        "learned": lambda: LearnedAbsolute(max_len, d_model),
        "rope": RoPE,
        "alibi": lambda: ALiBi(n_heads),
    }
    if name not in makers:
        raise ValueError(f"method must be one of {sorted(makers)}, got {name!r}")
    return makers[name]()
