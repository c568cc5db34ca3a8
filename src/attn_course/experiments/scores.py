"""The alignment-score family side by side (chapter 3): parameters, FLOPs, wall time.

The six scores of :mod:`attn_course.core.scores` are computed here on the same queries
and keys (:func:`make_score_demo`, drawn by :func:`attn_course.data.alignment.alignment_task`),
with parameters drawn once, so the chapter can compare the weights each produces, how
many parameters each learns, how many floating-point operations it costs (counted by
formula, and the matrix-product part cross-checked with torch's ``FlopCounterMode``), how
long it takes (measured) and where the additive score's time goes
(:func:`additive_cost_split`). Training the learned scores is in
:mod:`attn_course.experiments.learned_scores`.

Shapes: queries ``(n_q, d_q)``, keys ``(n_k, d_k)``, scores ``(n_q, n_k)``;
``d_a`` is the hidden size of the additive score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.scores import SCORE_NAMES, score
from ..data.alignment import alignment_task
from ..tools.measure import count_flops, time_call, time_calls

__all__ = [
    "SCORE_NAMES",
    "CostSplit",
    "ScoreDemo",
    "additive_cost_split",
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


@dataclass(frozen=True)
class ScoreDemo:
    """The chapter's demo: ``queries (n_q, d)``, ``keys (n_k, d)``, ``targets (n_q,)`` (the
    key each query copies) and random ``params`` for the learned scores."""

    queries: np.ndarray
    keys: np.ndarray
    targets: np.ndarray
    params: dict[str, np.ndarray]


def make_score_demo(n_q: int = 4, n_k: int = 6, d: int = 4, *, seed: int = 0) -> ScoreDemo:
    """Queries, keys, targets and parameters for comparing the scores.

    The keys of :func:`attn_course.data.alignment.alignment_task` (random directions,
    lengths from 0.5 to 2.5); query ``i`` is a noisy copy of key ``2i mod n_k``'s
    direction, so length-sensitive and length-blind scores disagree visibly. The
    parameters are random, as at the start of training.
    """
    task = alignment_task(n_q, n_k=n_k, d=d, seed=seed, targets=(2 * np.arange(n_q)) % n_k)
    return ScoreDemo(task.queries, task.keys, task.targets,
                     init_score_params(d, d, n_k, seed=seed + 1))


def key_length_sweep(
    lengths: Any, *, angle_deg: float = 50.0, names: tuple[str, ...] = ("dot", "cosine")
) -> dict[str, np.ndarray]:
    """Weight on a misaligned key as its length grows, for length-sensitive and -blind scores.

    A 2-d query ``q = (1, 0)`` meets two keys: key A, equal to ``q`` (perfectly aligned,
    length 1), and key B at ``angle_deg`` from ``q`` with length ``lengths[i]``.

    Returns:
        ``{name: (len(lengths),)}`` — the softmax weight on key B for each score in ``names``
        (any of ``dot``, ``scaled_dot``, ``cosine``, and ``distance``: chapter 2's
        ``−½‖q − k‖²``, which equals the dot product minus ``½‖k‖²`` up to a constant).
    """
    from ..core.softmax import softmax

    lengths = np.asarray(lengths, dtype=float)
    a = math.radians(angle_deg)
    q = np.array([[1.0, 0.0]])  # (1, 2)
    out: dict[str, np.ndarray] = {}
    for name in names:
        if name not in ("dot", "scaled_dot", "cosine", "distance"):
            raise ValueError("names must be among ('dot', 'scaled_dot', 'cosine', 'distance'), "
                             f"got {name!r}")
        w = []
        for length in lengths:
            k = np.array([[1.0, 0.0], [length * math.cos(a), length * math.sin(a)]])  # (2, 2)
            if name == "distance":
                s_ = -0.5 * ((q[:, None, :] - k[None, :, :]) ** 2).sum(-1)  # (1, 2)
            else:
                s_ = score(name, q, k, {})
            w.append(float(softmax(s_)[0, 1]))
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


@dataclass(frozen=True)
class CostSplit:
    """Median seconds of each step of the additive score (``seconds``, in order), and the
    bytes of its ``(n_q, n_k, d_a)`` hidden tensor and of an ``(n_q, n_k)`` score matrix."""

    seconds: dict[str, float]
    hidden_bytes: int
    score_bytes: int


def additive_cost_split(
    n_q: int = 256, n_k: int = 256, d: int = 64, d_a: int = 64, *, repeats: int = 15,
    seed: int = 0,
) -> CostSplit:
    """Time the steps of ``w_vᵀ tanh(q W_q + k W_k)`` separately, on one thread, float32.

    Steps: the two projections, the broadcast sum that builds the ``(n_q, n_k, d_a)``
    tensor, the tanh over it and the matrix–vector product with ``w_v``; for comparison a
    ReLU over the same tensor (the same memory traffic, trivial arithmetic) and the dot
    score ``q kᵀ``. Timed round-robin (:func:`attn_course.tools.measure.time_calls`).
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    q, k = torch.randn(n_q, d, generator=g), torch.randn(n_k, d, generator=g)
    p = {n: torch.from_numpy(v).float()
         for n, v in init_score_params(d, d, n_k, d_a, seed=seed).items()}
    hq, hk = (q @ p["W_q"])[:, None, :], (k @ p["W_k"])[None]  # (n_q, 1, d_a), (1, n_k, d_a)
    s = hq + hk  # (n_q, n_k, d_a)
    h = torch.tanh(s)
    fns = {
        "projections q W_q, k W_k": lambda: ((q @ p["W_q"])[:, None, :], (k @ p["W_k"])[None]),
        "broadcast add": lambda: hq + hk,
        "tanh": lambda: torch.tanh(s),
        "matrix-vector product with w_v": lambda: h @ p["w_v"],
        "relu (same tensor, for comparison)": lambda: torch.relu(s),
        "dot score q kᵀ (for comparison)": lambda: q @ k.T,
    }
    sec = time_calls(fns, repeats=repeats, warmup=2, threads=1)
    return CostSplit(sec, s.numel() * s.element_size(), n_q * n_k * s.element_size())
