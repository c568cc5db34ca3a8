"""The alignment-score family side by side (chapter 3): parameters, FLOPs, wall time.

The six scores of :mod:`attn_course.core.scores` are computed here on the same queries
and keys, with parameters drawn once, so the chapter can compare the weights each
produces, how many parameters each learns, how many floating-point operations it
costs (counted by formula, and the matrix-product part cross-checked with torch's
``FlopCounterMode``) and how long it takes (measured).

Shapes: queries ``(n_q, d_q)``, keys ``(n_k, d_k)``, scores ``(n_q, n_k)``;
``d_a`` is the hidden size of the additive score.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core.scores import SCORE_NAMES, score
from ..tools.measure import count_flops, time_call

__all__ = [
    "SCORE_NAMES",
    "all_scores",
    "counted_matmul_flops",
    "init_score_params",
    "key_length_sweep",
    "make_score_demo",
    "score_cost_table",
    "score_flops",
    "score_param_count",
    "time_score",
]

Array = Any



def _check_name(name: str) -> None:
    if name not in SCORE_NAMES:
        raise ValueError(f"score must be one of {SCORE_NAMES}, got {name!r}")


def init_score_params(
    d_q: int, d_k: int, n_k: int, d_a: int = 16, *, seed: int = 0
) -> dict[str, np.ndarray]:
    """Random parameters for the scores that learn some (scaled by 1/√fan-in).

    Returns:
        A dict with ``W`` ``(d_q, d_k)``, ``W_q`` ``(d_q, d_a)``, ``W_k`` ``(d_k, d_a)``,
        ``w_v`` ``(d_a,)`` and ``W_loc`` ``(d_q, n_k)`` — the keys the ``ScoreExplorer``
        view expects.
    """
    rng = np.random.default_rng(seed)
    return {
        "W": rng.standard_normal((d_q, d_k)) / math.sqrt(d_q),
        "W_q": rng.standard_normal((d_q, d_a)) / math.sqrt(d_q),
        "W_k": rng.standard_normal((d_k, d_a)) / math.sqrt(d_k),
        "w_v": rng.standard_normal(d_a) / math.sqrt(d_a) * 3.0,
        "W_loc": rng.standard_normal((d_q, n_k)) / math.sqrt(d_q) * 2.0,
    }


def make_score_demo(
    n_q: int = 4, n_k: int = 6, d: int = 4, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Queries ``(n_q, d)``, keys ``(n_k, d)`` and parameters for comparing the scores.

    The keys point in random directions with lengths spread from 0.5 to 2.5, and each
    query is a noisy copy of one key's *direction* (query ``i`` copies key ``2i mod n_k``),
    so length-sensitive and length-blind scores disagree visibly.
    """
    rng = np.random.default_rng(seed)
    dirs = rng.standard_normal((n_k, d))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    lengths = np.linspace(0.5, 2.5, n_k)[rng.permutation(n_k)]
    keys = dirs * lengths[:, None]  # (n_k, d)
    targets = (2 * np.arange(n_q)) % n_k
    queries = 1.5 * dirs[targets] + 0.3 * rng.standard_normal((n_q, d))  # (n_q, d)
    return queries, keys, init_score_params(d, d, n_k, seed=seed + 1)


def key_length_sweep(
    lengths: Any, *, angle_deg: float = 50.0, names: tuple[str, ...] = ("dot", "cosine")
) -> dict[str, np.ndarray]:
    """Weight on a misaligned key as its length grows, for length-sensitive and -blind scores.

    A 2-d query ``q = (1, 0)`` meets two keys: key A, equal to ``q`` (perfectly aligned,
    length 1), and key B at ``angle_deg`` from ``q`` with length ``lengths[i]``.

    Returns:
        ``{name: (len(lengths),)}`` — the softmax weight on key B for each score in ``names``
        (any of ``dot``, ``scaled_dot``, ``cosine``).
    """
    from ..core.softmax import softmax

    lengths = np.asarray(lengths, dtype=float)
    a = math.radians(angle_deg)
    q = np.array([[1.0, 0.0]])  # (1, 2)
    out: dict[str, np.ndarray] = {}
    for name in names:
        if name not in ("dot", "scaled_dot", "cosine"):
            raise ValueError(f"names must be among ('dot', 'scaled_dot', 'cosine'), got {name!r}")
        w = []
        for length in lengths:
            k = np.array([[1.0, 0.0], [length * math.cos(a), length * math.sin(a)]])  # (2, 2)
            w.append(float(softmax(score(name, q, k, {}))[0, 1]))
        out[name] = np.asarray(w)
    return out


def all_scores(q: Array, k: Array, params: dict[str, Array]) -> dict[str, Array]:
    """Every score of ``SCORE_NAMES`` for queries ``(..., n_q, d)`` and keys ``(..., n_k, d)``.

    Returns:
        ``{name: scores (..., n_q, n_k)}``, from the functions of :mod:`attn_course.core.scores`.
    """
    return {name: score(name, q, k, params) for name in SCORE_NAMES}


def score_param_count(name: str, d_q: int, d_k: int, n_k: int, d_a: int) -> int:
    """Number of learned parameters of a score (dot, scaled dot and cosine have none)."""
    _check_name(name)
    return {
        "dot": 0, "scaled_dot": 0, "cosine": 0,
        "general": d_q * d_k,
        "additive": d_q * d_a + d_k * d_a + d_a,
        "location": d_q * n_k,
    }[name]


def score_flops(
    name: str, n_q: int, n_k: int, d_q: int, d_k: int, d_a: int, *, matmul_only: bool = False
) -> int:
    """Floating-point operations of one score matrix (a multiply–add counts as 2).

    With ``matmul_only`` only the matrix products are counted (what torch's
    ``FlopCounterMode`` sees); otherwise element-wise work (scaling, norms, the
    additive score's ``n_q·n_k·d_a`` additions and tanh evaluations) is included,
    one operation per element.
    """
    _check_name(name)
    d = d_q
    if name == "dot":
        mm, ew = 2 * n_q * n_k * d, 0
    elif name == "scaled_dot":
        mm, ew = 2 * n_q * n_k * d, n_q * n_k
    elif name == "general":
        mm, ew = 2 * n_q * d_q * d_k + 2 * n_q * n_k * d_k, 0
    elif name == "additive":
        mm = 2 * n_q * d_q * d_a + 2 * n_k * d_k * d_a + 2 * n_q * n_k * d_a
        ew = 2 * n_q * n_k * d_a  # the broadcast sum and the tanh
    elif name == "cosine":
        mm = 2 * n_q * n_k * d
        ew = 3 * (n_q + n_k) * d + 2 * (n_q + n_k)  # squares, sums, divisions; sqrt, max
    else:
        mm, ew = 2 * n_q * d_q * n_k, 0
    return mm if matmul_only else mm + ew


def counted_matmul_flops(name: str, q: Any, k: Any, params: dict[str, Any]) -> int:
    """The FLOPs torch's ``FlopCounterMode`` records for one score (torch inputs).

    It counts the matrix products it recognises (``mm``, ``bmm``…) and nothing else.
    """
    return count_flops(score, name, q, k, params)


def time_score(
    name: str, q: Any, k: Any, params: dict[str, Any], *, repeats: int = 15, threads: int = 1
) -> float:
    """Median wall time (s) of one score matrix over ``repeats`` runs on ``threads`` threads."""
    return time_call(score, name, q, k, params, repeats=repeats, warmup=1, threads=threads)


def score_cost_table(
    n_q: int = 256, n_k: int = 256, d: int = 64, d_a: int = 64, *, repeats: int = 15, seed: int = 0
) -> list[dict[str, Any]]:
    """Parameters, FLOPs (formula and torch's count) and measured time of every score.

    Runs in float32 torch on one thread, with ``d_q = d_k = d``.

    Returns:
        A list with one dict per score, with the keys ``name``, ``params``, ``flops``,
        ``matmul_flops``, ``counted_flops`` and ``seconds``.
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    q = torch.randn(n_q, d, generator=g)
    k = torch.randn(n_k, d, generator=g)
    params = {n: torch.from_numpy(v).float()
              for n, v in init_score_params(d, d, n_k, d_a, seed=seed).items()}
    rows = []
    for name in SCORE_NAMES:
        rows.append({
            "name": name,
            "params": score_param_count(name, d, d, n_k, d_a),
            "flops": score_flops(name, n_q, n_k, d, d, d_a),
            "matmul_flops": score_flops(name, n_q, n_k, d, d, d_a, matmul_only=True),
            "counted_flops": counted_matmul_flops(name, q, k, params),
            "seconds": time_score(name, q, k, params, repeats=repeats),
        })
    return rows
