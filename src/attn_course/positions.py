"""Where tokens are (chapter 14): four ways to give attention positions.

Two *absolute* methods add a vector per position to the token vectors before attention:
sinusoidal (:func:`~attn_course.core.positions.sinusoidal_encoding`, Vaswani et al. 2017) and
learned (:class:`~attn_course.positional.LearnedPositionalEmbedding`). Two *relative*
methods leave the tokens alone and change how scores are computed:

- **RoPE** (Su et al. 2024) rotates each pair of query/key features by an angle
  proportional to the position, so ``R_m q · R_n k = q · R_{n−m} k`` depends on ``n − m`` only;
- **ALiBi** (Press et al. 2022) adds ``−slope_h · |i − j|`` to the scores of head ``h``.

Each method is a :class:`PositionMethod` with two hooks, ``add_to_input`` and ``scores``;
a model calls both, and each method overrides only the one where its math differs.
Shapes: tokens ``(B, N, d_model)``, queries/keys ``(B, H, N, d_k)``, scores ``(B, H, N, N)``.
"""

from __future__ import annotations

import math

import numpy as np
from torch import Tensor, nn

from .core.positions import alibi_bias, alibi_slopes, rope_rotate, sinusoidal_encoding
from .positional import LearnedPositionalEmbedding

__all__ = [
    "ALiBi",
    "LearnedAbsolute",
    "NoPosition",
    "PositionMethod",
    "RoPE",
    "Sinusoidal",
    "make_method",
    "offset_profile",
]


class PositionMethod(nn.Module):
    """No positions at all; the base of every method.

    ``add_to_input(x (B, N, d_model))`` returns the token vectors attention sees;
    ``scores(q, k)`` with ``q, k (B, H, N, d_k)`` returns ``q kᵀ / √d_k``, ``(B, H, N, N)``.
    """

    name = "none"

    def add_to_input(self, x: Tensor) -> Tensor:
        return x

    def scores(self, q: Tensor, k: Tensor) -> Tensor:
        return q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, N, N)


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

    def scores(self, q: Tensor, k: Tensor) -> Tensor:
        return super().scores(rope_rotate(q, base=self.base), rope_rotate(k, base=self.base))


class ALiBi(PositionMethod):
    """Add ``−slope_h · |i − j|`` to the scores of head ``h`` (relative, no parameters)."""

    name = "alibi"
    slopes: Tensor

    def __init__(self, n_heads: int) -> None:
        super().__init__()
        self.register_buffer("slopes", alibi_slopes(n_heads), persistent=False)

    def scores(self, q: Tensor, k: Tensor) -> Tensor:
        bias = alibi_bias(q.shape[-2], k.shape[-2], self.slopes.to(q.dtype))  # (H, N, N)
        return super().scores(q, k) + bias


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


def offset_profile(method: str, offsets: np.ndarray, *, d_model: int = 64,
                   base: float = 10000.0, content: np.ndarray | None = None,
                   n_heads: int = 8, head: int = 0) -> np.ndarray:
    """The score between two positions as a function of their offset ``Δ = n − m``.

    - ``"sinusoidal"``: ``PE(m) · PE(m + Δ) / (d/2) = mean_i cos(ω_i Δ)`` (the same for every m);
    - ``"rope"``: ``R_m c · R_{m+Δ} c / |c|²`` for a content vector ``c`` (the same token at
      both positions; default all ones), ``= Σ_i |c_i|² cos(ω_i Δ) / |c|²`` over pairs ``i``;
    - ``"alibi"``: ``−slope_head · |Δ|``.

    Returns ``(len(offsets),)`` float64. The chapter's playground computes the same in JS.
    """
    offs = np.asarray(offsets, dtype=np.float64)
    if method == "alibi":
        return -float(alibi_slopes(n_heads)[head]) * np.abs(offs)
    if d_model % 2:
        raise ValueError(f"d_model must be even, got {d_model}")
    omega = base ** (-np.arange(0, d_model, 2, dtype=np.float64) / d_model)  # (d/2,)
    cos = np.cos(offs[:, None] * omega)  # (len, d/2)
    if method == "sinusoidal":
        return cos.mean(axis=1)
    if method == "rope":
        c = np.ones(d_model) if content is None else np.asarray(content, dtype=np.float64)
        if c.shape != (d_model,):
            raise ValueError(f"content must have shape ({d_model},), got {c.shape}")
        w = c[0::2] ** 2 + c[1::2] ** 2  # (d/2,) energy of each rotating pair
        return cos @ w / w.sum()
    raise ValueError(f"method must be 'sinusoidal', 'rope' or 'alibi', got {method!r}")
