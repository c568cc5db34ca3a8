"""What the learned scores learn (chapter 3): train them to find a key, then shuffle the store.

The queries of :func:`attn_course.data.alignment.alignment_task` are noisy copies of one
key's direction each; the target of a query is that key. The scores with parameters —
*general* ``q W kᵀ``, *additive* ``w_vᵀ tanh(q W_q + k W_k)`` and *location* ``q W_loc`` —
are trained with a cross-entropy on their softmax weights (:func:`fit_score`: Adam for
a fixed number of steps; :func:`fit_score_convex`: L-BFGS to the optimum, for the scores
whose loss is convex in their parameters). The values are one-hot, ``v_j = e_j``, so the
retrieved value names the key it came from.

:func:`learned_scores_experiment` measures, per seed, the share of held-out queries that
retrieve the right value before training, after, and after **shuffling the keys together
with their values** — the same store in a different order: a content score retrieves the
same value, a location score reads the wrong slot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..core.scores import score
from ..core.softmax import softmax
from ..data.alignment import alignment_task
from ..tools.threads import torch_threads
from .scores import init_score_params

__all__ = [
    "LearnedScores",
    "fit_score",
    "fit_score_convex",
    "learned_scores_experiment",
    "retrieve",
]

LEARNED = ("general", "additive", "location")
CONVEX = ("general", "location")  # the score is linear in the parameters


def _as_tensors(params: Mapping[str, Any]) -> dict[str, torch.Tensor]:
    return {n: torch.tensor(np.asarray(v), dtype=torch.float64, requires_grad=True)
            for n, v in params.items()}


def _loss(name: str, q: torch.Tensor, k: torch.Tensor, t: torch.Tensor,
          P: Mapping[str, torch.Tensor]) -> torch.Tensor:
    return torch.nn.functional.cross_entropy(score(name, q, k, P), t)


def fit_score(
    name: str, queries: np.ndarray, keys: np.ndarray, targets: np.ndarray,
    params: Mapping[str, Any], *, steps: int = 200, lr: float = 0.05,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Train a score's parameters with Adam (full batch) so that each query's softmax
    weights peak on its target key. Returns the trained parameters and the loss history.

    Args:
        name: a score of :data:`attn_course.core.scores.SCORE_NAMES` with parameters.
        queries: ``(n_q, d_q)``; keys: ``(n_k, d_k)``; targets: ``(n_q,)`` key indices.
        params: the starting parameters
            (as from :func:`~attn_course.experiments.scores.init_score_params`).
    """
    P = _as_tensors(params)
    opt = torch.optim.Adam(P.values(), lr=lr)
    q, k, t = torch.as_tensor(queries), torch.as_tensor(keys), torch.as_tensor(targets)
    history = []
    for _ in range(steps):
        loss = _loss(name, q, k, t, P)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
    return {n: v.detach().numpy() for n, v in P.items()}, np.asarray(history)


def fit_score_convex(
    name: str, queries: np.ndarray, keys: np.ndarray, targets: np.ndarray,
    params: Mapping[str, Any], *, max_iter: int = 200,
) -> dict[str, np.ndarray]:
    """Train ``general`` or ``location`` to its optimum with L-BFGS.

    Both scores are linear in their matrix, so the cross-entropy is convex in it: the
    result is the best that score can do on these queries, not a matter of training time.
    """
    if name not in CONVEX:
        raise ValueError(f"name must be one of {CONVEX} (a convex loss), got {name!r}")
    P = _as_tensors(params)
    opt = torch.optim.LBFGS(list(P.values()), max_iter=max_iter, line_search_fn="strong_wolfe",
                            tolerance_grad=1e-10, tolerance_change=1e-14)
    q, k, t = torch.as_tensor(queries), torch.as_tensor(keys), torch.as_tensor(targets)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = _loss(name, q, k, t, P)
        loss.backward()
        return loss

    opt.step(closure)
    return {n: v.detach().numpy() for n, v in P.items()}


def retrieve(name: str, queries: Any, keys: Any, values: Any, params: Mapping[str, Any]) -> Any:
    """Soft lookup with a named score: ``softmax(score(q, k)) @ values`` → ``(n_q, d_v)``."""
    return softmax(score(name, queries, keys, params)) @ values


@dataclass(frozen=True)
class LearnedScores:
    """Results of :func:`learned_scores_experiment`.

    Attributes:
        accuracy: ``{score: (n_seeds, 3)}``, the share of test queries that retrieve the
            right value before training, after training, and after shuffling the keys
            together with their values (``dot`` and ``cosine`` learn nothing: three equal
            columns).
        max_change: ``{score: largest change of a retrieved value caused by the shuffle}``.
        seeds: the seeds (one store of keys each).
        n_train: training queries per seed.
        n_test: test queries per seed.
        steps: Adam steps of the additive score.
    """

    accuracy: dict[str, np.ndarray]
    max_change: dict[str, float]
    seeds: tuple[int, ...]
    n_train: int
    n_test: int
    steps: int


def learned_scores_experiment(
    seeds: Sequence[int] = (0, 1, 2), *, n_train: int = 256, n_test: int = 512,
    steps: int = 200, d_a: int = 16,
) -> LearnedScores:
    """Train general and location to their optimum and additive for ``steps`` Adam steps on
    ``n_train`` queries of each seed's store; test on ``n_test`` new queries, then shuffle.

    Dot and cosine are included untrained, as references.
    """
    names = ("dot", "cosine", *LEARNED)
    acc = {n: np.zeros((len(seeds), 3)) for n in names}
    change = {n: 0.0 for n in names}
    with torch_threads(1):  # tiny problems: one thread is fastest, and far faster when shared
        for i, seed in enumerate(seeds):
            train = alignment_task(n_train, seed=seed, query_seed=1)
            test = alignment_task(n_test, seed=seed, query_seed=2)
            n_k, d = train.keys.shape
            V = np.eye(n_k)  # value j names key j
            perm = np.roll(np.arange(n_k), 1)  # every key moves to another slot
            start = init_score_params(d, d, n_k, d_a, seed=seed + 1)
            for n in names:
                if n in CONVEX:
                    p = fit_score_convex(n, train.queries, train.keys, train.targets, start)
                elif n in LEARNED:
                    p = fit_score(n, train.queries, train.keys, train.targets, start,
                                  steps=steps)[0]
                else:
                    p = start
                before = retrieve(n, test.queries, test.keys, V, start)  # (n_test, n_k)
                after = retrieve(n, test.queries, test.keys, V, p)
                shuffled = retrieve(n, test.queries, test.keys[perm], V[perm], p)
                acc[n][i] = [np.mean(r.argmax(1) == test.targets)
                             for r in (before, after, shuffled)]
                change[n] = max(change[n], float(np.abs(shuffled - after).max()))
    return LearnedScores(acc, change, tuple(seeds), n_train, n_test, steps)
