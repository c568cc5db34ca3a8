"""Looking inside attention heads (chapter 7): what each head attends to, and what it costs.

- :func:`mha_flops` — the multiply-adds of multi-head attention, term by term: the same
  for ``n_heads`` heads of size ``d_model / n_heads`` as for one head of size ``d_model``.
- :func:`previous_token_score` and :func:`attention_to` — how much of a head's weight
  goes one step back, or to a chosen set of keys (e.g. a marker token).
- :func:`head_sweep` — the same one-layer model with 1, 2 or 4 heads of the same
  ``d_model`` (the same parameters) trained on :func:`attn_course.data.tasks.marker_task`
  over several seeds; :func:`continue_training` trains some of them further.
- :func:`ablate_head` and :func:`record_heads` — replace one head's output before ``W_o``
  (zero or mean ablation) and record what goes into ``W_o``. Since
  ``MultiHead(X) = Σ_h head_h W_o^(h) + b``, ablating a head swaps out one term.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from .._backend import array_namespace, shape_of
from ..data.tasks import marker_accuracy
from ..layers.multihead import MultiHeadAttention
from ..models.token_models import TokenTransformer
from ..tools.training import count_parameters, minibatches, token_cross_entropy, train

__all__ = [
    "HeadSweep",
    "MoreTraining",
    "ablate_head",
    "attention_to",
    "continue_training",
    "head_sweep",
    "marker_model",
    "mha_flops",
    "previous_token_score",
    "record_heads",
]

Array = Any


def mha_flops(n_q: int, n_k: int, d_model: int, n_heads: int) -> dict[str, int]:
    """FLOPs (2 per multiply-add) of one multi-head attention call, batch size 1.

    Terms: ``projections`` (``W_q`` on the queries, ``W_k, W_v`` on the keys, ``W_o`` on the
    output: ``2·(2·n_q + 2·n_k)·d_model²``), ``scores`` (``Q Kᵀ``: ``2·n_q·n_k·d_model``)
    and ``weighted_sum`` (``A V``: ``2·n_q·n_k·d_model``), and their ``total``. Each head
    does ``1/n_heads`` of the score and sum work, so ``n_heads`` cancels out; the softmax
    (``≈ n_heads·n_q·n_k`` exponentials) is not counted.

    Raises:
        ValueError: if a size is not positive or ``n_heads`` does not divide ``d_model``.
    """
    if min(n_q, n_k, d_model, n_heads) < 1 or d_model % n_heads:
        raise ValueError(f"need positive sizes and n_heads | d_model, got n_q={n_q}, n_k={n_k}, "
                         f"d_model={d_model}, n_heads={n_heads}")
    d_k = d_model // n_heads
    proj = 2 * (2 * n_q + 2 * n_k) * d_model * d_model
    scores = n_heads * 2 * n_q * n_k * d_k
    weighted = n_heads * 2 * n_q * n_k * d_k
    return {"projections": proj, "scores": scores, "weighted_sum": weighted,
            "total": proj + scores + weighted}


def _check_square(weights: Array) -> tuple[int, ...]:
    s = shape_of(weights)
    if len(s) < 2 or s[-1] != s[-2] or s[-1] < 2:
        raise ValueError(f"weights must have shape (..., N, N) with N ≥ 2, got {s}")
    return s


def previous_token_score(weights: Array) -> Array:
    """Mean weight that a query puts on the token just before it.

    Args:
        weights: ``(..., N, N)`` self-attention weights (rows = queries).

    Returns:
        ``(...)``: the mean over queries ``i = 1 … N-1`` of ``weights[..., i, i-1]``; 1 for a
        perfect previous-token head, about ``1/N`` for a uniform one.
    """
    _check_square(weights)
    xp = array_namespace(weights)
    n = shape_of(weights)[-1]
    rows = xp.arange(1, n)
    sub = weights[..., rows, rows - 1]  # (..., N-1)
    return xp.mean(sub, axis=-1)


def attention_to(weights: Array, key_mask: Array) -> Array:
    """Total weight each query puts on the keys selected by ``key_mask``.

    Args:
        weights: ``(..., n_q, n_k)``.
        key_mask: boolean ``(..., n_k)`` broadcastable against the weights' leading axes,
            True = a key of interest (e.g. the marker token).

    Returns:
        ``(..., n_q)``: the sum of each query's weights over the selected keys.
    """
    ws, ms = shape_of(weights), shape_of(key_mask)
    if len(ms) < 1 or ms[-1] != ws[-1]:
        raise ValueError(f"key_mask must have shape (..., n_k={ws[-1]}), got {ms} for "
                         f"weights {ws}")
    xp = array_namespace(weights)
    m = xp.astype(key_mask, weights.dtype)[..., None, :]  # (..., 1, n_k)
    return xp.sum(weights * m, axis=-1)


def marker_model(n_heads: int, *, n_tokens: int = 8, n_markers: int = 4, seq_len: int = 12,
                 d_model: int = 32, d_ff: int = 64) -> TokenTransformer:
    """Chapter 7's model for :func:`attn_course.data.tasks.marker_task`: embeddings, sinusoidal
    positions, one Transformer layer with ``n_heads`` heads, a linear read-out of the
    ``(n_tokens + n_markers) · n_markers`` labels. The parameters do not depend on ``n_heads``."""
    vocab = n_tokens + n_markers
    return TokenTransformer(vocab, vocab * n_markers, d_model=d_model, n_heads=n_heads, d_ff=d_ff,
                            n_layers=1, max_len=seq_len, positional="sinusoidal")


@dataclass
class HeadSweep:
    """Results of :func:`head_sweep`: ``acc_prev`` and ``acc_marker`` ``(n_heads, n_seeds)`` —
    test accuracy of the two jobs —, ``loss (n_heads, n_seeds, steps)``, the parameter count
    per number of heads, the trained ``models[(H, seed)]`` and the data they used."""

    n_heads: tuple[int, ...]
    seeds: tuple[int, ...]
    params: dict[int, int]
    acc_prev: np.ndarray
    acc_marker: np.ndarray
    loss: np.ndarray
    models: dict[tuple[int, int], TokenTransformer]
    steps: int
    data: tuple[Tensor, Tensor, Tensor, Tensor]
    n_markers: int


def head_sweep(
    tokens: Tensor, targets: Tensor, test_tokens: Tensor, test_targets: Tensor, *,
    n_heads: Sequence[int] = (1, 2, 4), seeds: Sequence[int] = (0, 1, 2), steps: int = 500,
    lr: float = 1e-2, batch_size: int = 64, n_tokens: int = 8, n_markers: int = 4,
    seq_len: int = 12,
) -> HeadSweep:
    """Train :func:`marker_model` with each number of heads and seed for ``steps`` steps of
    the one training loop, and test both jobs (:func:`attn_course.data.tasks.marker_accuracy`)."""
    acc_prev = np.zeros((len(n_heads), len(seeds)))
    acc_marker = np.zeros_like(acc_prev)
    loss = np.zeros((len(n_heads), len(seeds), steps))
    models: dict[tuple[int, int], TokenTransformer] = {}
    params: dict[int, int] = {}
    for i, H in enumerate(n_heads):
        for j, seed in enumerate(seeds):
            torch.manual_seed(seed)
            m = marker_model(H, n_tokens=n_tokens, n_markers=n_markers, seq_len=seq_len)
            params[H] = count_parameters(m)
            h = train(m, minibatches(tokens, targets, batch_size=batch_size, seed=seed),
                      token_cross_entropy, steps=steps, lr=lr, seed=seed,
                      desc=f"{H} head{'s' if H > 1 else ''}, seed {seed}")
            with torch.no_grad():
                logits, _ = m(test_tokens)
            acc_prev[i, j], acc_marker[i, j] = marker_accuracy(logits, test_targets, n_markers)
            loss[i, j, : len(h["loss"])] = h["loss"]
            models[(H, seed)] = m
    return HeadSweep(tuple(n_heads), tuple(seeds), params, acc_prev, acc_marker, loss, models,
                     steps, (tokens, targets, test_tokens, test_targets), n_markers)


@dataclass
class MoreTraining:
    """Test accuracy of both jobs ``(n_seeds,)`` and the loss ``(n_seeds, steps)`` after
    :func:`continue_training`."""

    acc_prev: np.ndarray
    acc_marker: np.ndarray
    loss: np.ndarray


def continue_training(sweep: HeadSweep, *, n_heads: int, steps: int, lr: float = 1e-2,
                      batch_size: int = 64) -> MoreTraining:
    """Train the sweep's ``n_heads`` models ``steps`` steps more (a fresh optimiser, the same
    training data in a new order) and test them again. The models are changed in place."""
    tokens, targets, test_tokens, test_targets = sweep.data
    accp, accm, losses = [], [], []
    for seed in sweep.seeds:
        m = sweep.models[(n_heads, seed)]
        h = train(m, minibatches(tokens, targets, batch_size=batch_size, seed=seed + 1000),
                  token_cross_entropy, steps=steps, lr=lr, seed=seed,
                  desc=f"{n_heads} head(s), seed {seed}, {steps} more steps")
        with torch.no_grad():
            logits, _ = m(test_tokens)
        p, k = marker_accuracy(logits, test_targets, sweep.n_markers)
        accp.append(p)
        accm.append(k)
        losses.append(h["loss"])
    return MoreTraining(np.array(accp), np.array(accm), np.array(losses))


@contextmanager
def record_heads(mha: MultiHeadAttention) -> Iterator[list[Tensor]]:
    """Within the block, every call of ``mha`` appends the concatenated head outputs
    ``(B, n_q, d_model)`` — the input of ``W_o`` — to the yielded list."""
    seen: list[Tensor] = []
    hook = mha.W_o.register_forward_pre_hook(lambda _m, args: seen.append(args[0].detach()))
    try:
        yield seen
    finally:
        hook.remove()


@contextmanager
def ablate_head(mha: MultiHeadAttention, head: int, kind: str = "zero",
                mean: Tensor | None = None) -> Iterator[None]:
    """Within the block, replace head ``head``'s output (its ``d_k`` columns of ``W_o``'s input).

    Args:
        mha: the layer; head: which head (from 0).
        kind: ``"zero"`` (the same as ``head_mask``) or ``"mean"``: the head's average output,
            ``mean`` ``(n_q, d_model)`` or ``(n_q, d_k)`` (e.g. the average of
            :func:`record_heads` over a data set, position by position), broadcast over the batch.
    """
    if kind not in ("zero", "mean"):
        raise ValueError(f"kind must be 'zero' or 'mean', got {kind!r}")
    if not 0 <= head < mha.num_heads:
        raise ValueError(f"head must lie in [0, {mha.num_heads}), got {head}")
    if kind == "mean" and mean is None:
        raise ValueError("kind='mean' needs the head's mean output, mean=(n_q, d_model)")
    cols = slice(head * mha.d_k, (head + 1) * mha.d_k)

    def replace(_module: Any, args: tuple[Tensor, ...]) -> tuple[Tensor]:
        x = args[0].clone()  # (B, n_q, d_model): the heads side by side
        if kind == "zero":
            x[..., cols] = 0.0
        else:
            m = mean[..., cols] if mean.shape[-1] == x.shape[-1] else mean  # (n_q, d_k)
            x[..., cols] = m
        return (x,)

    hook = mha.W_o.register_forward_pre_hook(replace)
    try:
        yield
    finally:
        hook.remove()
