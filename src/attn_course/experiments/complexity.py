"""Measuring Vaswani et al.'s Table 1 (chapter 9): cost, sequential operations, path length.

The paper's table, for a sequence of ``n`` vectors of width ``d`` and kernel size ``k``:

==============  ===============  =====================  ====================
layer           FLOPs per layer  sequential operations  maximum path length
==============  ===============  =====================  ====================
self-attention  O(n²·d)          O(1)                   O(1)
recurrent       O(n·d²)          O(n)                   O(n)
convolutional   O(k·n·d²)        O(1)                   O(log_k n) (dilated)
==============  ===============  =====================  ====================

This module holds the exact formulas (:func:`layer_flops`, :func:`max_path_length`) and
the tools that *measure* the same quantities on a real layer (with the FLOP counter and the
timer of :mod:`attn_course.tools.measure`): the longest chain of
dependent operations in the autograd graph (:func:`graph_depth`), the gradient that
reaches each earlier position (:func:`gradient_by_distance`), the smallest depth that
connects the first and last positions (:func:`min_depth_to_connect`), a log-log slope
(:func:`fit_exponent`) and the training steps each layer needs to learn the long-range task
(:func:`steps_to_accuracy`, with the layers of :mod:`attn_course.models.mixers`).
A multiply–add counts as 2 FLOPs; element-wise operations (softmax, tanh) are not
counted, as in the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..data.tasks import recall_batch
from ..models.mixers import dilated_depth
from ..tools.training import train

__all__ = [
    "LAYER_KINDS",
    "crossover_n",
    "fit_exponent",
    "gradient_by_distance",
    "graph_depth",
    "layer_flops",
    "max_path_length",
    "min_depth_to_connect",
    "sequential_ops",
    "steps_to_accuracy",
]

LAYER_KINDS = ("self-attention", "recurrent", "convolutional")


def _check(kind: str, n: int, d: int, k: int) -> None:
    if kind not in LAYER_KINDS:
        raise ValueError(f"kind must be one of {LAYER_KINDS}, got {kind!r}")
    if n < 1 or d < 1 or k < 2:
        raise ValueError(f"need n ≥ 1, d ≥ 1, k ≥ 2; got n={n}, d={d}, k={k}")


def layer_flops(kind: str, n: int, d: int, k: int = 3) -> int:
    """Exact FLOPs of one layer's sequence-mixing matrix products (batch of one).

    - self-attention: ``Q Kᵀ`` and ``weights · V`` → ``2·n²·d + 2·n²·d = 4·n²·d``;
    - recurrent: ``x_t W`` and ``h_{t-1} U`` for each of ``n`` steps → ``4·n·d²``;
    - convolutional: ``d → d`` channels, kernel ``k``, ``n`` outputs → ``2·k·n·d²``.
    """
    _check(kind, n, d, k)
    if kind == "self-attention":
        return 4 * n * n * d
    if kind == "recurrent":
        return 4 * n * d * d
    return 2 * k * n * d * d


def sequential_ops(kind: str, n: int, k: int = 3) -> int:
    """Operations that must run one after another, up to a constant: 1, ``n`` or 1."""
    _check(kind, n, 1, k)
    return n if kind == "recurrent" else 1


def max_path_length(kind: str, n: int, k: int = 3) -> int:
    """Layer applications between the first and last of ``n`` positions.

    Self-attention connects every pair in 1; a recurrent layer needs ``n`` steps;
    dilated convolutions with kernel ``k`` (dilations ``1, k, k², …``) need
    ``⌈log_k n⌉`` layers to cover ``n`` positions.
    """
    _check(kind, n, 1, k)
    if kind == "self-attention":
        return 1
    if kind == "recurrent":
        return n
    return dilated_depth(n, k)


def crossover_n(d: int, k: int = 3, versus: str = "recurrent") -> int:
    """Largest ``n`` at which self-attention costs no more FLOPs than ``versus``.

    ``4n²d ≤ 4nd²`` ⇔ ``n ≤ d`` for a recurrent layer; ``n ≤ k·d/2`` for a convolution.
    """
    n = 1
    while layer_flops("self-attention", n + 1, d, k) <= layer_flops(versus, n + 1, d, k):
        n += 1
    return n


def fit_exponent(x: Any, y: Any) -> float:
    """Slope ``p`` of the least-squares line ``log y = p·log x + c`` (``y ∝ x^p``)."""
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xa.shape != ya.shape or xa.ndim != 1 or xa.size < 2:
        raise ValueError(f"x and y need the same shape (m,) with m ≥ 2, got {xa.shape}, {ya.shape}")
    if not (np.all(xa > 0) and np.all(ya > 0)):
        raise ValueError(f"x and y must be positive, got x={xa.tolist()}, y={ya.tolist()}")
    lx, ly = np.log(xa), np.log(ya)
    return float(np.polyfit(lx, ly, 1)[0])


def graph_depth(output: Tensor) -> int:
    """Longest chain of dependent operations behind ``output`` in the autograd graph.

    This is the number of steps that must run one after another: it grows with
    ``n`` for a recurrent loop and stays constant for self-attention.
    """
    if output.grad_fn is None:
        raise ValueError("output has no autograd graph: compute it from inputs that require grad")
    depth: dict[Any, int] = {}
    order, stack = [], [(output.grad_fn, False)]
    while stack:  # iterative post-order DFS (a recurrent graph is too deep for recursion)
        node, done = stack.pop()
        if done:
            kids = [c for c, _ in node.next_functions if c is not None]
            depth[node] = 1 + max((depth[c] for c in kids), default=0)
            continue
        if node in depth or node in order:
            continue
        order.append(node)
        stack.append((node, True))
        stack.extend((c, False) for c, _ in node.next_functions if c is not None and c not in depth)
    return depth[output.grad_fn]


def gradient_by_distance(layer: Callable[[Tensor], Tensor], x: Tensor) -> np.ndarray:
    """``‖∂y_last / ∂x_{n-1-t}‖`` (Frobenius) for ``t = 0 … n-1``.

    Args:
        layer: maps ``(1, n, d_in)`` to ``(1, n, d_out)``.
        x: ``(1, n, d_in)``, one input sequence.

    Returns:
        ``(n,)`` array; entry ``t`` is the gradient reaching the input ``t`` positions
        before the last one.
    """
    if x.dim() != 3 or x.shape[0] != 1:
        raise ValueError(f"x must have shape (1, n, d), got {tuple(x.shape)}")
    x = x.detach().clone().requires_grad_(True)
    y_last = layer(x)[0, -1]  # (d_out,)
    sq = torch.zeros(x.shape[1])
    for j in range(y_last.shape[0]):
        (g,) = torch.autograd.grad(y_last[j], x, retain_graph=True)
        sq += (g[0] ** 2).sum(-1)  # (n,)
    return sq.sqrt().flip(0).numpy()


def min_depth_to_connect(forward: Callable[[Tensor, int], Tensor], n: int, d: int,
                         max_depth: int, *, seed: int = 0) -> int:
    """Smallest ``depth`` at which the last output depends on the first input.

    ``forward(x, depth)`` runs a model built with ``depth`` sequential applications
    (layers, or time steps of a recurrence) on ``x (1, n, d)``. The dependence is
    tested with the gradient ``∂y_last/∂x_0`` (nonzero ⇔ connected). Returns
    ``max_depth + 1`` if even ``max_depth`` does not connect them.
    """
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(1, n, d, generator=gen)
    for depth in range(1, max_depth + 1):
        xr = x.clone().requires_grad_(True)
        y = forward(xr, depth)[0, -1].sum()
        (g,) = torch.autograd.grad(y, xr, allow_unused=True)
        if g is not None and float(g[0, 0].abs().sum()) > 0:
            return depth
    return max_depth + 1


def steps_to_accuracy(model: nn.Module, n: int, distance: int, vocab: int, *,
                      target: float = 0.9, max_steps: int = 300, batch_size: int = 32,
                      lr: float = 3e-3, eval_every: int = 10, seed: int = 0,
                      progress: Any = None, threads: int | None = 1
                      ) -> tuple[int | None, list[float]]:
    """Train ``model`` on :func:`attn_course.data.tasks.recall_batch` until held-out
    accuracy ≥ ``target``.

    The course's loop (:func:`attn_course.tools.training.train`, Adam without weight decay)
    runs on batches drawn from a generator seeded with ``seed`` (512 held-out sequences
    first); every ``eval_every`` steps the held-out accuracy is checked and training stops
    once it reaches ``target``.

    Returns ``(steps, accuracies)``: the number of steps taken (``None`` if the
    target was not reached within ``max_steps``) and the accuracy at every check.
    ``progress``: an optional progress bar (e.g. one shared by several runs), advanced by
    one per step. ``threads``: torch threads while training (one is fastest for models
    this small).
    """
    gen = torch.Generator().manual_seed(seed)
    x_val, y_val = recall_batch(512, n, distance, vocab, gen)
    accs: list[float] = []

    def loss_fn(m: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
        x, y = batch
        return F.cross_entropy(m(x), y)  # logits (B, vocab), labels (B,)

    def on_step(step: int, loss: float) -> bool:
        if progress is not None:
            progress.update(1)
        if (step + 1) % eval_every:
            return False
        with torch.no_grad():
            accs.append(float((model(x_val).argmax(-1) == y_val).float().mean()))
        return accs[-1] >= target

    history = train(model, lambda step: recall_batch(batch_size, n, distance, vocab, gen),
                    loss_fn, max_steps, lr, seed=None, progress=False, threads=threads,
                    on_step=on_step)
    reached = bool(accs) and accs[-1] >= target
    return (len(history["loss"]) if reached else None), accs
