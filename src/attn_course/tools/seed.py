"""One place for seeds, so every run of every notebook prints the same numbers."""

from __future__ import annotations

import random

import numpy as np

__all__ = ["set_seed"]


def set_seed(seed: int) -> np.random.Generator:
    """Seed Python's ``random``, NumPy's global generator and torch.

    Args:
        seed: a non-negative integer.

    Returns:
        A fresh ``numpy.random.Generator`` seeded with ``seed``, for code that
        prefers an explicit generator over global state.
    """
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - seeding the legacy global generator is the point
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency, but keep NumPy usable alone
        pass
    else:
        torch.manual_seed(seed)
    return np.random.default_rng(seed)
