"""Queries that should find one key each (chapter 3): what the score functions are compared on.

:func:`alignment_task` draws ``n_k`` keys pointing in random directions with lengths spread
from 0.5 to 2.5, and queries that are noisy copies of one key's *direction*; the **target**
of a query is the index of the key it copies. A dot product prefers the long keys, cosine
ignores lengths, and a learned score can be trained towards the targets.

Shapes: keys ``(n_k, d)``, queries ``(n_q, d)``, targets ``(n_q,)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["AlignmentTask", "alignment_task"]


@dataclass(frozen=True)
class AlignmentTask:
    """Keys ``(n_k, d)``, their unit directions ``(n_k, d)``, queries ``(n_q, d)`` and the
    index of the key each query copies, ``targets (n_q,)``."""

    keys: np.ndarray
    directions: np.ndarray
    queries: np.ndarray
    targets: np.ndarray


def alignment_task(
    n_q: int, *, n_k: int = 6, d: int = 4, noise: float = 0.3, seed: int = 0,
    query_seed: int | None = None, targets: Sequence[int] | None = None,
) -> AlignmentTask:
    """Keys from ``seed``; ``n_q`` queries ``1.5 · direction[target] + noise · N(0, I)``.

    Args:
        n_q: number of queries.
        n_k, d: number and size of the keys.
        noise: standard deviation of the noise added to each query.
        seed: draws the keys (and, without ``query_seed``, the queries after them).
        query_seed: draw the queries from their own generator, so that training and test
            queries (different ``query_seed``) share the keys of ``seed``.
        targets: the key each query copies (default: uniform at random).

    Raises:
        ValueError: on non-positive sizes or targets outside ``[0, n_k)``.
    """
    if n_q < 0 or n_k < 1 or d < 1:
        raise ValueError(f"need n_q ≥ 0, n_k ≥ 1, d ≥ 1, got n_q={n_q}, n_k={n_k}, d={d}")
    rng = np.random.default_rng(seed)
    dirs = rng.standard_normal((n_k, d))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)  # (n_k, d) unit directions
    lengths = np.linspace(0.5, 2.5, n_k)[rng.permutation(n_k)]  # (n_k,)
    keys = dirs * lengths[:, None]  # (n_k, d)
    qrng = rng if query_seed is None else np.random.default_rng([seed, query_seed])
    if targets is None:
        t = qrng.integers(0, n_k, size=n_q)
    else:
        t = np.asarray(targets, dtype=np.int64)
        if t.shape != (n_q,) or (t.size and (t.min() < 0 or t.max() >= n_k)):
            raise ValueError(f"targets must have shape ({n_q},) with values in [0, {n_k}), "
                             f"got {t.tolist()}")
    queries = 1.5 * dirs[t] + noise * qrng.standard_normal((n_q, d))  # (n_q, d)
    return AlignmentTask(keys, dirs, queries, t)
