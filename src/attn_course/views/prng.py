"""The views' random numbers, identical in Python and in the browser.

``mulberry32`` is a tiny 32-bit generator; ``views/js/math/prng.js`` has the same
one, so a view that draws random queries and keys from a seed in the browser
(the scaling explorer) draws exactly the numbers Python draws here. Its state
advances by a constant, so draw ``i`` is a pure function of ``seed`` and ``i``
and the whole stream is computed at once with NumPy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["normals", "uniforms"]

_STEP = 0x6D2B79F5


def _check(seed: int, n: int) -> None:
    if int(seed) != seed or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")


def uniforms(seed: int, n: int) -> np.ndarray:
    """The first ``n`` floats in ``[0, 1)`` of mulberry32 seeded with ``seed``: shape ``(n,)``."""
    _check(seed, n)
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        a = ((np.uint64(seed) + i * np.uint64(_STEP)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))  # Math.imul: low 32 bits
        t = (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))) ^ t
        out = t ^ (t >> np.uint32(14))
    return out.astype(np.float64) / 4294967296.0


def normals(seed: int, n: int) -> np.ndarray:
    """``n`` standard normal samples (Box–Muller, one per pair of uniforms): shape ``(n,)``.

    Matches ``normals(mulberry32(seed), n)`` of ``views/js/math/prng.js`` in the browser.
    """
    u = uniforms(seed, 2 * n).reshape(n, 2)  # (n, 2): (u1, u2) pairs in draw order
    u1 = 1.0 - u[:, 0]
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u[:, 1])
