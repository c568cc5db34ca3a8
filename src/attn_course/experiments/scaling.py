"""Why divide by √d_k (chapter 4): variance, saturation and gradient of dot-product scores.

With queries and keys whose entries are independent with mean 0 and variances
``σ_q²`` and ``σ_k²``, the dot product ``q·k`` of ``d_k``-dimensional vectors
has variance ``d_k σ_q² σ_k²``. Unscaled, the scores spread out as ``d_k``
grows, the softmax saturates towards one-hot weights (low entropy) and its
Jacobian ``diag(p) − p pᵀ`` — the factor every gradient passes through — shrinks
towards zero. Dividing by ``√d_k`` keeps all three flat. This module measures
the three curves (the Jacobian is
:func:`attn_course.core.softmax.softmax_jacobian`); the chapter plots them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core.scores import dot_score
from ..core.softmax import entropy, softmax, softmax_jacobian_norm
from ..tools.threads import torch_threads

__all__ = ["ScalingSweep", "dot_product_variance", "random_queries_keys", "scaling_sweep"]


def dot_product_variance(d_k: int, var_q: float = 1.0, var_k: float = 1.0) -> float:
    """Theoretical variance ``d_k · σ_q² · σ_k²`` of ``q·k`` for independent zero-mean entries."""
    if d_k < 1:
        raise ValueError(f"d_k must be a positive integer, got {d_k}")
    return float(d_k) * float(var_q) * float(var_k)


def random_queries_keys(
    d_k: int, *, n_trials: int = 64, n_q: int = 16, n_k: int = 16, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal queries ``(n_trials, n_q, d_k)`` and keys ``(n_trials, n_k, d_k)``.

    Each trial is an independent set of queries and keys, as at the start of training.
    Deterministic under ``seed``.
    """
    rng = np.random.default_rng([seed, d_k])
    q = rng.standard_normal((n_trials, n_q, d_k))
    k = rng.standard_normal((n_trials, n_k, d_k))
    return q, k


@dataclass(frozen=True)
class ScalingSweep:
    """Measurements over ``d_ks`` (each field an array of shape ``(len(d_ks),)``).

    ``var_*``: variance of the scores; ``entropy_*``: mean entropy (nats) of the
    softmax weights of a query over ``n_keys`` keys; ``jac_*``: mean Frobenius norm of
    the softmax Jacobian. ``*_unscaled`` uses ``q·k``, ``*_scaled`` uses ``q·k/√d_k``.
    ``var_theory`` is ``d_k`` (entries of variance 1). ``max_entropy`` is ``log n_keys``.
    """

    d_ks: np.ndarray
    var_theory: np.ndarray
    var_unscaled: np.ndarray
    var_scaled: np.ndarray
    entropy_unscaled: np.ndarray
    entropy_scaled: np.ndarray
    jac_unscaled: np.ndarray
    jac_scaled: np.ndarray
    n_keys: int
    max_entropy: float


def scaling_sweep(
    d_ks: Sequence[int], *, n_keys: int = 16, n_q: int = 16, n_trials: int = 64, seed: int = 0
) -> ScalingSweep:
    """Measure variance, entropy and Jacobian norm of unscaled and scaled scores for each ``d_k``.

    Queries and keys are standard normal (:func:`random_queries_keys`); every ``d_k`` uses
    ``n_trials · n_q · n_keys`` scores. Deterministic under ``seed``.
    """
    # One BLAS thread: these small products run fastest unthreaded, and on a shared CPU far faster.
    with torch_threads(1, blas=True):
        if not d_ks or min(d_ks) < 1:
            raise ValueError(f"d_ks must be a non-empty list of positive integers, got {d_ks}")
        fields: dict[str, list[float]] = {k: [] for k in (
            "var_unscaled", "var_scaled", "entropy_unscaled", "entropy_scaled",
            "jac_unscaled", "jac_scaled")}
        for d_k in d_ks:
            q, k = random_queries_keys(int(d_k), n_trials=n_trials, n_q=n_q, n_k=n_keys, seed=seed)
            raw = dot_score(q, k)  # (n_trials, n_q, n_keys)
            for name, s in (("unscaled", raw), ("scaled", raw / math.sqrt(d_k))):
                p = softmax(s, axis=-1)  # (n_trials, n_q, n_keys)
                fields[f"var_{name}"].append(float(np.var(s)))
                fields[f"entropy_{name}"].append(float(np.mean(entropy(p))))
                fields[f"jac_{name}"].append(float(np.mean(softmax_jacobian_norm(p))))
        d = np.asarray(d_ks, dtype=float)
        return ScalingSweep(
            d_ks=np.asarray(d_ks), var_theory=np.array([dot_product_variance(int(x)) for x in d]),
            n_keys=n_keys, max_entropy=math.log(n_keys),
            **{k: np.asarray(v) for k, v in fields.items()},
        )
