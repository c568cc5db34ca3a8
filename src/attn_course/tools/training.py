"""The one training loop of the package, seeded and with a progress bar.

:func:`train` runs ``steps`` optimisation steps of AdamW on whatever
``loss_fn(model, batch)`` returns and records the loss and the gradient norm of
every step; every chapter that trains something calls it (the bandwidth of chapter 2,
the token models of chapters 7 and 10, the translators of chapter 8, the mixers of
chapter 9, the digit classifiers of chapters 11–12, the position models of chapter 14).
:func:`minibatches` cycles over tensors in a seeded random order;
:func:`token_cross_entropy`, :func:`masked_accuracy` and :func:`accuracy` score the results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import torch
from torch import Tensor, nn

from .progress import progress as progress_bar
from .seed import set_seed
from .threads import torch_threads

__all__ = [
    "IGNORE_INDEX",
    "accuracy",
    "count_parameters",
    "masked_accuracy",
    "minibatches",
    "token_cross_entropy",
    "train",
]

IGNORE_INDEX = -100
"""Target value of positions that carry no label (as ``torch.nn.functional.cross_entropy``)."""


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def minibatches(*tensors: Tensor, batch_size: int, seed: int) -> Iterator[tuple[Tensor, ...]]:
    """Endless minibatches of ``tensors`` (all ``(n, ...)``), reshuffled every epoch.

    The order depends only on ``seed``. Each item is a tuple of ``(batch_size, ...)`` slices.

    Raises:
        ValueError: if the tensors differ in length or ``batch_size`` is not in ``[1, n]``.
    """
    if not tensors:
        raise ValueError("minibatches needs at least one tensor")
    n = tensors[0].shape[0]
    for i, t in enumerate(tensors):
        if t.shape[0] != n:
            raise ValueError(f"tensors must share their first axis: tensor 0 has shape "
                             f"{tuple(tensors[0].shape)}, tensor {i} has {tuple(t.shape)}")
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must lie in [1, n={n}], got {batch_size}")
    g = torch.Generator().manual_seed(seed)
    while True:
        order = torch.randperm(n, generator=g)
        for start in range(0, n - batch_size + 1, batch_size):
            idx = order[start : start + batch_size]
            yield tuple(t[idx] for t in tensors)


def token_cross_entropy(model: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
    """The loss of a sequence model that labels positions: ``train``'s ``loss_fn`` for
    ``batch = (tokens (B, N), targets (B, N))`` and a model returning ``(logits, weights)``
    with ``logits (B, N, n_classes)``. Positions whose target is ``IGNORE_INDEX`` don't count.
    """
    tokens, targets = batch
    logits, _ = model(tokens)  # (B, N, n_classes)
    if tuple(logits.shape[:-1]) != tuple(targets.shape):
        raise ValueError(f"logits (B, N, n_classes) and targets (B, N) disagree: logits "
                         f"{tuple(logits.shape)}, targets {tuple(targets.shape)}")
    return torch.nn.functional.cross_entropy(
        logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX
    )  # logits (B·N, n_classes), targets (B·N,)


def masked_accuracy(logits: Tensor, targets: Tensor, *, ignore_index: int = IGNORE_INDEX) -> float:
    """Share of labelled positions where ``argmax(logits)`` equals ``targets``.

    Args:
        logits: ``(..., n_classes)``.
        targets: ``(...)`` integer labels; ``ignore_index`` marks positions without a label.
    """
    if tuple(logits.shape[:-1]) != tuple(targets.shape):
        raise ValueError(f"logits (..., n_classes) and targets (...) disagree: logits "
                         f"{tuple(logits.shape)}, targets {tuple(targets.shape)}")
    keep = targets != ignore_index
    if not bool(keep.any()):
        raise ValueError("targets has no labelled position")
    pred = logits.argmax(-1)
    return float((pred[keep] == targets[keep]).float().mean())


@torch.no_grad()
def accuracy(model: nn.Module, x: Tensor, y: Tensor, *, batch_size: int = 512) -> float:
    """Share of ``x`` ``(n, ...)`` that ``model`` classifies as ``y`` ``(n,)`` (eval mode)."""
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"x and y must have the same length: x {tuple(x.shape)}, y {tuple(y.shape)}"
        )
    was_training = model.training
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], batch_size):
        logits = model(x[i : i + batch_size])  # (b, n_classes)
        correct += int((logits.argmax(-1) == y[i : i + batch_size]).sum())
    model.train(was_training)
    return correct / max(1, x.shape[0])


def _lr_factor(step: int, warmup: int, steps: int, schedule: str) -> float:
    w = min(1.0, (step + 1) / warmup) if warmup > 0 else 1.0
    if schedule == "constant":
        return w
    start = max(warmup - 1, 0)  # cosine decay starts once the warm-up has reached lr
    progress = min(1.0, max(0, step - start) / max(1, steps - 1 - start))
    return w * 0.5 * (1.0 + math.cos(math.pi * progress))


def train(
    model: nn.Module,
    batches: Iterable[Any] | Callable[[int], Any],
    loss_fn: Callable[[nn.Module, Any], Tensor],
    steps: int,
    lr: float,
    *,
    seed: int | None,
    progress: bool = True,
    weight_decay: float = 0.0,
    warmup: int = 0,
    schedule: str = "constant",
    clip: float | None = None,
    desc: str = "training",
    threads: int | None = 1,
    on_step: Callable[[int, float], bool | None] | None = None,
    optimizer: str = "adamw",
) -> dict[str, list[float]]:
    """Train ``model`` for ``steps`` steps of AdamW (or plain SGD); return the history.

    Args:
        model: any ``nn.Module``; it is put in train mode, and left in eval mode at the end.
        batches: an iterable of batches (e.g. :func:`minibatches`) or a function
            ``step → batch``.
        loss_fn: ``loss_fn(model, batch) → scalar loss``.
        steps: number of optimisation steps; lr: peak learning rate.
        seed: seeds Python, NumPy and torch first (dropout, any sampling in ``loss_fn``);
            ``None`` leaves the random generators alone (batches drawn from an explicit
            generator, a model with nothing random in it).
        progress: show a progress bar (:func:`attn_course.tools.progress.progress`) with
            the running loss.
        weight_decay: AdamW's decoupled weight decay.
        warmup: linear warm-up steps; schedule: ``"constant"`` or ``"cosine"`` after warm-up.
        clip: clip the global gradient norm to this value (None = no clipping).
        desc: the progress bar's label.
        threads: torch threads used while training (see
            :func:`attn_course.tools.threads.torch_threads`; the old setting is restored);
            ``None`` leaves torch's setting alone.
        on_step: called as ``on_step(step, loss)`` after each optimiser step (``step``
            counts from 0); returning True stops the training there (early stopping on a
            held-out score, a progress bar shared by several runs).
        optimizer: ``"adamw"`` (the default) or ``"sgd"`` (plain gradient descent, no
            momentum; chapter 4 compares how the two react to the size of a gradient).

    Returns:
        ``{"loss": [...], "grad_norm": [...], "lr": [...]}``, one entry per step. A step whose
        loss is not finite is recorded and training stops there (a diverged run).
    """
    if steps < 1 or not lr > 0:
        raise ValueError(f"steps must be ≥ 1 and lr > 0, got steps={steps}, lr={lr}")
    if schedule not in ("constant", "cosine"):
        raise ValueError(f"schedule must be 'constant' or 'cosine', got {schedule!r}")
    if optimizer not in ("adamw", "sgd"):
        raise ValueError(f"optimizer must be 'adamw' or 'sgd', got {optimizer!r}")
    with torch_threads(threads):
        return _run(model, batches, loss_fn, steps, lr, seed, progress, weight_decay,
                    warmup, schedule, clip, desc, on_step, optimizer)


def _run(model: nn.Module, batches: Any, loss_fn: Callable[[nn.Module, Any], Tensor], steps: int,
         lr: float, seed: int | None, progress: bool, weight_decay: float, warmup: int,
         schedule: str, clip: float | None, desc: str,
         on_step: Callable[[int, float], bool | None] | None,
         optimizer: str = "adamw") -> dict[str, list[float]]:
    if seed is not None:
        set_seed(seed)
    if optimizer == "sgd":
        opt: torch.optim.Optimizer = torch.optim.SGD(model.parameters(), lr=lr,
                                                     weight_decay=weight_decay)
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    if callable(batches):
        fetch = batches
    else:
        it = iter(batches)

        def fetch(step: int) -> Any:
            return next(it)

    history: dict[str, list[float]] = {"loss": [], "grad_norm": [], "lr": []}
    model.train()
    bar = progress_bar(range(steps), desc=desc, disable=not progress)
    for step in bar:
        batch = fetch(step)
        lr_now = lr * _lr_factor(step, warmup, steps, schedule)
        for group in opt.param_groups:
            group["lr"] = lr_now
        loss = loss_fn(model, batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        max_norm = clip if clip is not None else float("inf")
        gn = float(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm))
        history["loss"].append(float(loss.detach()))
        history["grad_norm"].append(gn)
        history["lr"].append(lr_now)
        if not math.isfinite(history["loss"][-1]):
            break
        opt.step()
        if step % 10 == 0:
            bar.set_postfix(loss=f"{history['loss'][-1]:.3f}")
        if on_step is not None and on_step(step, history["loss"][-1]):
            break
    bar.close()
    model.eval()
    return history
