"""Measuring Vaswani et al.'s Table 1 (chapter 9): cost, sequential operations, path length.

The paper's table, for a sequence of ``n`` vectors of width ``d``, kernel size ``k`` and a
neighbourhood of ``r`` positions:

===========================  ===============  =====================  ====================
layer                        FLOPs per layer  sequential operations  maximum path length
===========================  ===============  =====================  ====================
self-attention               O(n²·d)          O(1)                   O(1)
recurrent                    O(n·d²)          O(n)                   O(n)
convolutional                O(k·n·d²)        O(1)                   O(log_k n) (dilated)
restricted self-attention    O(r·n·d)         O(1)                   O(n/r)
===========================  ===============  =====================  ====================

This module holds the exact formulas (:func:`layer_flops` under two accountings,
:func:`max_path_length`, :func:`crossover_n`), the split of a real recurrent layer's counted
FLOPs into input projections and recurrence (:func:`recurrent_mixing_flops`), a log-log
slope (:func:`fit_exponent`) and the training steps each layer needs to learn the
long-range task (:func:`steps_to_accuracy`, with the layers of
:mod:`attn_course.models.mixers`). Path lengths and dependency chains measured in the
autograd graph are in :mod:`attn_course.experiments.paths`. A multiply–add counts as 2
FLOPs; element-wise operations (softmax, tanh) are not counted, as in the table.
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
from ..tools.measure import count_flops, time_calls
from ..tools.training import train

__all__ = [
    "ACCOUNTINGS",
    "FLOP_KINDS",
    "LAYER_KINDS",
    "crossover_n",
    "fit_exponent",
    "layer_flops",
    "max_path_length",
    "recurrent_mixing_flops",
    "sequential_ops",
    "steps_to_accuracy",
    "time_by_threads",
    "window_pairs",
]

LAYER_KINDS = ("self-attention", "recurrent", "convolutional")
FLOP_KINDS = ("self-attention", "restricted", "recurrent", "gru", "convolutional")
ACCOUNTINGS = ("mixing", "layer")


def _check(kind: str, n: int, d: int, k: int, kinds: tuple[str, ...] = LAYER_KINDS) -> None:
    if kind not in kinds:
        raise ValueError(f"kind must be one of {kinds}, got {kind!r}")
    if n < 1 or d < 1 or k < 2:
        raise ValueError(f"need n ≥ 1, d ≥ 1, k ≥ 2; got n={n}, d={d}, k={k}")


def window_pairs(n: int, r: int) -> int:
    """Query–key pairs of causal restricted attention: query ``i`` sees ``min(i, r) + 1`` keys."""
    return sum(min(i, r) + 1 for i in range(n))


def layer_flops(kind: str, n: int, d: int, k: int = 3, *, r: int | None = None,
                accounting: str = "mixing") -> int:
    """Exact FLOPs of one layer (batch of one; a multiply–add is 2 FLOPs).

    ``accounting="mixing"`` counts only the products that combine different positions:

    - self-attention: ``Q Kᵀ`` and ``weights · V`` → ``4·n²·d``;
    - restricted self-attention (query ``i`` sees ``i − r … i``): ``4·d·(pairs)`` with
      :func:`window_pairs`, about ``4·n·(r+1)·d``;
    - recurrent (Elman): ``h_{t-1} U`` at each step → ``2·n·d²``; ``"gru"``: three such
      products (reset, update, candidate) → ``6·n·d²``;
    - convolutional: ``d → d`` channels, kernel ``k`` → ``2·k·n·d²``.

    ``accounting="layer"`` counts whole layers: attention adds its four projections
    ``W_q, W_k, W_v, W_o`` (``8·n·d²``); a recurrent layer adds its input projections
    (``x_t W``: Elman ``4·n·d²`` in all, GRU ``12·n·d²``); a convolution is unchanged.
    """
    _check(kind, n, d, k, FLOP_KINDS)
    if accounting not in ACCOUNTINGS:
        raise ValueError(f"accounting must be one of {ACCOUNTINGS}, got {accounting!r}")
    whole = accounting == "layer"
    if kind == "self-attention":
        return 4 * n * n * d + (8 * n * d * d if whole else 0)
    if kind == "restricted":
        if r is None or r < 0:
            raise ValueError(f"restricted attention needs a window r ≥ 0, got r={r}")
        return 4 * d * window_pairs(n, r) + (8 * n * d * d if whole else 0)
    if kind in ("recurrent", "gru"):
        gates = 1 if kind == "recurrent" else 3
        return 2 * gates * n * d * d * (2 if whole else 1)
    return 2 * k * n * d * d


def sequential_ops(kind: str, n: int, k: int = 3) -> int:
    """Operations that must run one after another, up to a constant: 1, ``n`` or 1."""
    _check(kind, n, 1, k)
    return n if kind == "recurrent" else 1


def max_path_length(kind: str, n: int, k: int = 3, *, r: int | None = None) -> int:
    """Layer applications (recurrence steps) between the first and last of ``n`` positions.

    Self-attention connects every pair in 1; restricted attention reaching ``r`` back needs
    ``⌈(n−1)/r⌉`` layers; a recurrent layer ``n`` steps; contiguous convolutions of kernel
    ``k`` ``⌈(n−1)/(k−1)⌉`` layers (``"contiguous"``); dilated ones (``"convolutional"``,
    dilations ``1, k, k², …``) ``⌈log_k n⌉``. At least 1.
    """
    kinds = LAYER_KINDS + ("restricted", "contiguous")
    _check(kind, n, 1, k, kinds)
    if kind == "self-attention":
        return 1
    if kind == "recurrent":
        return n
    if kind == "restricted":
        if r is None or r < 1:
            raise ValueError(f"restricted attention needs a window r ≥ 1, got r={r}")
        return max(1, -(-(n - 1) // r))
    if kind == "contiguous":
        return max(1, -(-(n - 1) // (k - 1)))
    return dilated_depth(n, k)


def crossover_n(d: int, versus: str = "recurrent", *, accounting: str = "mixing",
                k: int = 3, n_max: int = 1 << 20) -> int:
    """Largest ``n`` at which self-attention costs no more FLOPs than ``versus`` under
    ``accounting`` (0 if it never does).

    Mixing only: ``n ≤ d/2`` against an Elman layer, ``n ≤ 3d/2`` against a GRU,
    ``n ≤ k·d/2`` against a convolution. Whole layers: never against an Elman layer,
    ``n ≤ d`` against a GRU.
    """
    n = 0
    while n < n_max and layer_flops("self-attention", n + 1, d, k, accounting=accounting) <= \
            layer_flops(versus, n + 1, d, k, accounting=accounting):
        n += 1
    return n


def recurrent_mixing_flops(layer_fn: Callable[[int], nn.Module], n: int, d: int) -> dict[str, int]:
    """Split a recurrent layer's counted FLOPs into input projections and recurrence.

    ``layer_fn(d_in)`` builds the layer with input width ``d_in`` and state width ``d``.
    Its FLOPs are ``a·d_in + b``: the input projections grow with ``d_in``, the recurrence
    ``b`` does not. Counting at ``d_in = d`` and ``2d`` gives both exactly:
    ``{"layer": f(d), "mixing": 2 f(d) − f(2d), "input": f(2d) − f(d)}``.
    """
    f1 = count_flops(layer_fn(d), torch.randn(1, n, d))
    f2 = count_flops(layer_fn(2 * d), torch.randn(1, n, 2 * d))
    return {"layer": f1, "mixing": 2 * f1 - f2, "input": f2 - f1}


def fit_exponent(x: Any, y: Any) -> float:
    """Slope ``p`` of the least-squares line ``log y = p·log x + c`` (``y ∝ x^p``)."""
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xa.shape != ya.shape or xa.ndim != 1 or xa.size < 2:
        raise ValueError(f"x and y need the same shape (m,) with m ≥ 2, got {xa.shape}, {ya.shape}")
    if not (np.all(xa > 0) and np.all(ya > 0)):
        raise ValueError(f"x and y must be positive, got x={xa.tolist()}, y={ya.tolist()}")
    lx, ly = np.log(xa), np.log(ya)
    return float(np.polyfit(lx, ly, 1)[0])


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


def time_by_threads(layers: dict[str, nn.Module], ns: list[int], d: int, *,
                    threads: tuple[int, ...] = (1, 2), rounds: int = 5,
                    seed: int = 0) -> dict[str, np.ndarray]:
    """Wall time of one forward pass of each layer on ``(1, n, d)`` at each thread count.

    The thread counts take turns, round after round (so a burst of load on a shared machine
    hits all of them alike), and each entry is the minimum over ``rounds`` (the run least
    disturbed by other work). Returns ``name → (len(threads), len(ns))`` seconds.
    """
    if rounds < 1 or not threads or min(threads) < 1:
        raise ValueError(f"need rounds ≥ 1 and thread counts ≥ 1, got rounds={rounds}, "
                         f"threads={threads}")
    g = torch.Generator().manual_seed(seed)
    out = {name: np.full((len(threads), len(ns)), np.inf) for name in layers}
    for c, n in enumerate(ns):
        x = torch.randn(1, n, d, generator=g)  # (1, n, d)
        fns = {name: (lambda layer=layer, x=x: layer(x)) for name, layer in layers.items()}
        for r in range(rounds):
            for a, t in enumerate(threads):
                got = time_calls(fns, repeats=1, warmup=int(r == 0), threads=t, stat="min")
                for name, sec in got.items():
                    out[name][a, c] = min(out[name][a, c], sec)
    return out
