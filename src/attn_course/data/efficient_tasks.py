"""Inputs on which to judge the approximations of chapter 13, and how to score them.

- :func:`local_inputs`: queries and keys whose exact attention is concentrated within a
  few positions of the diagonal (a smooth positional signal plus a little content), the
  situation sliding-window attention is made for.
- :func:`copy_task`: query ``i`` must fetch the class stored ``distance`` positions back
  — one sharp, possibly far-away match among ``N`` keys, the situation that breaks both a
  short window and linear attention.

Everything is seeded with an explicit ``torch.Generator``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = ["copy_accuracy", "copy_task", "local_inputs", "relative_error"]


def local_inputs(n: int, *, d: int = 16, width: float = 4.0, d_v: int = 16,
                 seed: int = 0) -> tuple[Tensor, Tensor, Tensor]:
    """``q, k (n, d)``, ``v (n, d_v)`` whose attention weights fall off like a Gaussian of
    standard deviation about ``width`` positions around the diagonal.

    Two feature pairs ``a·(cos ωi, sin ωi)`` give scores ``a² cos(ω(i − j))/√d``; near the
    diagonal that is ``const − a² ω² (i − j)² / (2√d)``, a Gaussian in the offset. The
    other ``d − 2`` features are small random content.
    """
    if d < 3 or width <= 0:
        raise ValueError(f"need d ≥ 3 and width > 0, got d={d}, width={width}")
    g = torch.Generator().manual_seed(seed)
    pos = torch.arange(n, dtype=torch.float32)
    omega = 2 * math.pi / (4 * n)  # a quarter period across the sequence: no wrap-around
    amp = d**0.25 / (omega * width)  # a² ω² / √d = 1 / width²
    pos_feat = amp * torch.stack([torch.cos(omega * pos), torch.sin(omega * pos)], dim=-1)
    content = 0.3 * torch.randn(n, d - 2, generator=g)
    x = torch.cat([pos_feat, content], dim=-1)  # (n, d)
    return x, x.clone(), torch.randn(n, d_v, generator=g)


def copy_task(n: int, distance: int, *, d: int = 32, n_classes: int = 8,
              sharpness: float = 30.0, seed: int = 0) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """A lookup at a fixed distance: ``q_i`` matches exactly the key at ``i − distance``.

    Keys are random unit vectors; values are one-hot class labels; ``q_i`` is the key at
    ``i − distance`` scaled so that the matching score ``q·k/√d`` equals ``sharpness``
    (other keys score about ``sharpness · N(0, 1/d)``).

    Returns:
        ``q (n, d)``, ``k (n, d)``, ``v (n, n_classes)`` and ``target (n,)``: the class
        query ``i`` should return, ``-1`` for the first ``distance`` queries (nothing to fetch).
    """
    if not 0 <= distance < n:
        raise ValueError(f"distance must be in [0, n), got distance={distance}, n={n}")
    g = torch.Generator().manual_seed(seed)
    k = torch.randn(n, d, generator=g)
    k = k / k.norm(dim=-1, keepdim=True)  # (n, d) unit keys
    classes = torch.randint(n_classes, (n,), generator=g)
    v = torch.nn.functional.one_hot(classes, n_classes).float()  # (n, n_classes)
    src = (torch.arange(n) - distance).clamp(min=0)
    q = sharpness * math.sqrt(d) * k[src]  # (n, d)
    target = torch.where(torch.arange(n) >= distance, classes[src], -1)
    return q, k, v, target


def copy_accuracy(out: Tensor, target: Tensor) -> float:
    """Fraction of the queries with a target whose output's largest entry is that class."""
    keep = target >= 0
    return float((out[keep].argmax(dim=-1) == target[keep]).float().mean())


def relative_error(approx: Tensor, exact: Tensor) -> float:
    """``‖approx − exact‖ / ‖exact‖`` (Frobenius norms over everything)."""
    return float((approx - exact).norm() / exact.norm())
