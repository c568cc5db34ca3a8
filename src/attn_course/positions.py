"""Where tokens are (chapter 14): four ways to give attention positions.

Two *absolute* methods add a vector per position to the token vectors before attention:
sinusoidal (:func:`~attn_course.positional.sinusoidal_encoding`, Vaswani et al. 2017) and
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
import torch
from torch import Tensor, nn

from .positional import LearnedPositionalEmbedding, sinusoidal_encoding

__all__ = [
    "ALiBi",
    "LearnedAbsolute",
    "NoPosition",
    "PositionMethod",
    "RoPE",
    "Sinusoidal",
    "alibi_bias",
    "alibi_slopes",
    "make_method",
    "offset_profile",
    "rope_rotate",
]


def rope_rotate(x: Tensor, *, base: float = 10000.0, offset: int = 0) -> Tensor:
    """Rotate feature pairs ``(x_{2i}, x_{2i+1})`` of position ``p`` by the angle ``p · ω_i``.

    ``ω_i = base^(−2i/d_k)`` are the frequencies of the sinusoidal encoding; the sines and
    cosines are read from :func:`~attn_course.positional.sinusoidal_encoding` (even columns
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
