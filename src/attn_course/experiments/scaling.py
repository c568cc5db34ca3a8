"""Why divide by √d_k (chapter 4): variance, saturation and gradient of dot-product scores.

With queries and keys whose entries are independent with mean 0 and variances
``σ_q²`` and ``σ_k²``, the dot product ``q·k`` of ``d_k``-dimensional vectors
has variance ``d_k σ_q² σ_k²``. Unscaled, the scores spread out as ``d_k``
grows, the softmax saturates towards one-hot weights (low entropy) and its
Jacobian ``diag(p) − p pᵀ`` shrinks towards zero. Dividing by ``√d_k`` keeps all three
flat. :func:`scaling_sweep` measures the three curves (the Jacobian is
:func:`attn_course.core.softmax.softmax_jacobian`).

A small Jacobian is not yet a small gradient at the parameters: ``∇_q L = c Σ_j (∇_z L)_j k_j``
(``c = 1`` or ``1/√d_k``) and unscaled keys grow like ``√d_k``. :func:`query_gradients`
measures ``‖∇_q L‖`` query by query — larger on average without scaling, but concentrated on
a few queries while most get almost none — and :func:`retrieval_training` trains the same
small retrieval model with and without the scaling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..core.scores import dot_score
from ..core.softmax import entropy, softmax, softmax_jacobian, softmax_jacobian_norm
from ..tools.threads import torch_threads

__all__ = [
    "QueryGradients",
    "RetrievalRun",
    "ScalingSweep",
    "dot_product_variance",
    "query_gradient_norms",
    "query_gradients",
    "random_queries_keys",
    "retrieval_training",
    "scaling_sweep",
    "steps_to",
]


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


def query_gradient_norms(q: np.ndarray, k: np.ndarray, upstream: np.ndarray, *,
                         scaled: bool) -> np.ndarray:
    """``‖∇_q L‖`` for every query, given the upstream gradient ``∇_p L`` of its weights.

    Args:
        q: queries ``(..., n_q, d_k)``; k: keys ``(..., n_k, d_k)``.
        upstream: ``∇_p L`` ``(..., n_q, n_k)``, one row per query.
        scaled: scores ``q·k / √d_k`` (True) or ``q·k`` (False).

    Returns:
        ``(..., n_q)``: ``‖c Σ_j (Jᵀ ∇_p L)_j k_j‖`` with ``J`` the softmax Jacobian and
        ``c`` the scale.
    """
    c = 1 / math.sqrt(q.shape[-1]) if scaled else 1.0
    p = softmax(c * dot_score(q, k))  # (..., n_q, n_k)
    g_z = np.einsum("...qij,...qi->...qj", softmax_jacobian(p), upstream)  # Jᵀ ∇_p L
    g_q = c * np.einsum("...qj,...jd->...qd", g_z, k)  # (..., n_q, d_k)
    return np.linalg.norm(g_q, axis=-1)


@dataclass(frozen=True)
class QueryGradients:
    """Per ``d_k`` (arrays ``(len(d_ks),)`` in dicts keyed ``"unscaled"`` / ``"scaled"``):
    the mean softmax-Jacobian norm ``jac`` and, over all ``n_queries`` queries, the
    ``mean``, ``median``, share below ``dead_below`` (``dead``) and 99th percentile
    (``p99``) of ``‖∇_q L‖``; ``ce_grad``: the mean ``‖p − e_y‖``, the score gradient of a
    cross-entropy taken on the weights themselves (a random target key ``y`` per query)."""

    d_ks: np.ndarray
    jac: dict[str, np.ndarray]
    mean: dict[str, np.ndarray]
    median: dict[str, np.ndarray]
    dead: dict[str, np.ndarray]
    p99: dict[str, np.ndarray]
    ce_grad: dict[str, np.ndarray]
    dead_below: float
    n_queries: int


def query_gradients(
    d_ks: Sequence[int], *, n_keys: int = 16, n_q: int = 16, n_trials: int = 64, seed: int = 0,
    dead_below: float = 1e-3,
) -> QueryGradients:
    """Measure ``‖∇_q L‖`` on the draws of :func:`scaling_sweep` (same ``seed``, same queries
    and keys), for an upstream gradient ``∇_p L`` with standard-normal entries."""
    if not d_ks or min(d_ks) < 1:
        raise ValueError(f"d_ks must be a non-empty list of positive integers, got {d_ks}")
    keys = ("jac", "mean", "median", "dead", "p99", "ce")
    out: dict[str, dict[str, list[float]]] = {k: {"unscaled": [], "scaled": []} for k in keys}
    with torch_threads(1, blas=True):
        for d_k in d_ks:
            q, k = random_queries_keys(int(d_k), n_trials=n_trials, n_q=n_q, n_k=n_keys, seed=seed)
            rng = np.random.default_rng([seed, int(d_k), 1])
            upstream = rng.standard_normal((n_trials, n_q, n_keys))  # ∇_p L
            y = rng.integers(0, n_keys, size=(n_trials, n_q))  # a target key per query
            for name, scaled in (("unscaled", False), ("scaled", True)):
                n = query_gradient_norms(q, k, upstream, scaled=scaled).ravel()
                c = 1 / math.sqrt(d_k) if scaled else 1.0
                p = softmax(c * dot_score(q, k))  # (n_trials, n_q, n_keys)
                ce = np.linalg.norm(p - np.eye(n_keys)[y], axis=-1)  # ∇_z of −log p_y
                for key, v in (("jac", softmax_jacobian_norm(p).mean()), ("mean", n.mean()),
                               ("median", np.median(n)), ("dead", np.mean(n < dead_below)),
                               ("p99", np.quantile(n, 0.99)), ("ce", ce.mean())):
                    out[key][name].append(float(v))
    a = {key: {n: np.asarray(v) for n, v in d.items()} for key, d in out.items()}
    return QueryGradients(np.asarray(d_ks), a["jac"], a["mean"], a["median"], a["dead"],
                          a["p99"], a["ce"], dead_below, n_trials * n_q)


@dataclass(frozen=True)
class RetrievalRun:
    """Histories of :func:`retrieval_training`: ``loss`` and ``accuracy`` map ``"scaled"`` /
    ``"unscaled"`` to ``(n_seeds, steps)`` arrays, one row per seed; the settings."""

    steps: np.ndarray
    loss: dict[str, np.ndarray]
    accuracy: dict[str, np.ndarray]
    seeds: tuple[int, ...]
    d_k: int
    d_model: int
    n_keys: int
    optimizer: str
    lr: float


class _ScaledUnscaled(torch.nn.Module):
    """``2 · n_seeds`` independent retrieval models in one tensor: the first half scaled,
    the second half unscaled, each pair starting from the same weights."""

    def __init__(self, d_model: int, d_k: int, seeds: Sequence[int]) -> None:
        super().__init__()
        init_q = torch.stack([torch.randn(d_model, d_k, generator=torch.Generator().manual_seed(s))
                              for s in seeds])  # (S, d_model, d_k)
        init_k = torch.stack([torch.randn(d_model, d_k,
                                          generator=torch.Generator().manual_seed(10_000 + s))
                              for s in seeds])
        # entries of variance 1/d_model: queries and keys of unit-variance inputs have
        # entries of variance 1, as in chapter 4's measurements
        self.W_q = torch.nn.Parameter(torch.cat([init_q, init_q]) / math.sqrt(d_model))
        self.W_k = torch.nn.Parameter(torch.cat([init_k, init_k]) / math.sqrt(d_model))
        S = len(seeds)
        self.register_buffer("scale", torch.tensor([1 / math.sqrt(d_k)] * S + [1.0] * S))

    def forward(self, X: torch.Tensor, x_q: torch.Tensor) -> torch.Tensor:
        """Weights ``(2S, B, n_k)`` of the query inputs ``x_q (B, d_model)`` over the key
        inputs ``X (B, n_k, d_model)``."""
        # z_j = (x_q W_q)·(x_j W_k) = x_jᵀ (W_k W_qᵀ) x_q: the (d_model × d_model) product is
        # far cheaper than forming the d_k-dimensional queries and keys
        A = self.W_k @ self.W_q.transpose(1, 2)  # (2S, d_model, d_model)
        z = torch.einsum("bnd,mde,be->mbn", X, A, x_q)  # (2S, B, n_k)
        return torch.softmax(z * self.scale[:, None, None], dim=-1)


def retrieval_training(
    *, d_k: int = 256, d_model: int = 16, n_keys: int = 16, batch: int = 64, steps: int = 600,
    lr: float = 1e-3, optimizer: str = "adamw", noise: float = 0.5,
    seeds: Sequence[int] = (0, 1, 2), progress: bool = True,
) -> RetrievalRun:
    """Train a scaled and an unscaled retrieval model side by side, one pair per seed.

    Each example: ``n_keys`` random vectors ``x_j ∈ R^{d_model}`` and a query input, a noisy
    copy of one of them; queries and keys of size ``d_k`` come from learned ``W_q, W_k``;
    the loss is the squared error between the attention output ``Σ_j p_j x_j`` and the
    copied vector. Both models see the same fresh batches (one generator) and start from the
    same weights; ``accuracy`` is the share of queries whose largest weight is on the copied
    vector, per step. Trained with :func:`attn_course.tools.training.train` (``optimizer``
    ``"adamw"``, here without weight decay = Adam, or ``"sgd"``).
    """
    from ..tools.training import train

    S = len(seeds)
    model = _ScaledUnscaled(d_model, d_k, seeds)
    g = torch.Generator().manual_seed(1234)
    rows = torch.arange(batch)

    def batches(step: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        X = torch.randn(batch, n_keys, d_model, generator=g)  # (B, n_k, d_model)
        j = torch.randint(0, n_keys, (batch,), generator=g)  # (B,) the copied vector
        x_q = X[rows, j] + noise * torch.randn(batch, d_model, generator=g)  # (B, d_model)
        return X, j, x_q

    losses: list[np.ndarray] = []
    accs: list[np.ndarray] = []

    def loss_fn(m: _ScaledUnscaled, b: tuple[torch.Tensor, ...]) -> torch.Tensor:
        X, j, x_q = b
        p = m(X, x_q)  # (2S, B, n_k)
        out = torch.einsum("mbn,bnd->mbd", p, X)  # (2S, B, d_model)
        per_model = ((out - X[rows, j]) ** 2).sum(-1).mean(-1) / d_model  # (2S,)
        losses.append(per_model.detach().numpy())
        accs.append((p.argmax(-1) == j).float().mean(-1).numpy())
        return per_model.sum()  # independent models: each gets only its own gradient

    train(model, batches, loss_fn, steps, lr, seed=None, progress=progress, optimizer=optimizer,
          desc=f"scaled and unscaled, {optimizer}")
    L, A_ = np.array(losses).T, np.array(accs).T  # (2S, steps)
    return RetrievalRun(np.arange(1, steps + 1), {"scaled": L[:S], "unscaled": L[S:]},
                        {"scaled": A_[:S], "unscaled": A_[S:]}, tuple(seeds), d_k, d_model,
                        n_keys, optimizer, lr)


def steps_to(accuracy: np.ndarray, level: float = 0.9, *, window: int = 20) -> np.ndarray:
    """The first step at which the moving average of ``accuracy (..., steps)`` over ``window``
    steps reaches ``level``; ``-1`` where it never does. Returns ``(...)`` ints."""
    a = np.asarray(accuracy, dtype=float)
    if a.shape[-1] < window:
        raise ValueError(f"need at least window={window} steps, got {a.shape[-1]}")
    c = np.cumsum(np.pad(a, [(0, 0)] * (a.ndim - 1) + [(1, 0)]), axis=-1)
    smooth = (c[..., window:] - c[..., :-window]) / window  # (..., steps - window + 1)
    hit = smooth >= level
    return np.where(hit.any(-1), hit.argmax(-1) + window, -1)
