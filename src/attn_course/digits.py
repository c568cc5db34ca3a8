"""The 8×8 digits task of Part III (chapters 11–12): data, a training loop, accuracy.

The images are scikit-learn's bundled handwritten digits (1,797 grey 8×8 images of
the digits 0–9, read from files shipped inside scikit-learn: nothing downloads).
Pixel values 0–16 are scaled to ``[0, 1]``. Shapes: images ``(B, 1, 8, 8)``
(batch, channel, height, width), labels ``(B,)`` int64.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

__all__ = ["Digits", "TrainResult", "load_digits", "train_classifier"]


@dataclass(frozen=True)
class Digits:
    """A seeded train/test split of the digits.

    Attributes:
        x_train: ``(n_train, 1, 8, 8)`` float32 in ``[0, 1]``.
        y_train: ``(n_train,)`` int64 labels 0–9.
        x_test: ``(n_test, 1, 8, 8)``.
        y_test: ``(n_test,)``.
    """

    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    y_test: Tensor

    @property
    def n_classes(self) -> int:
        return 10


def load_digits(*, test_fraction: float = 0.25, seed: int = 0) -> Digits:
    """Load the bundled 8×8 digits and split them, stratified by class, under ``seed``.

    Args:
        test_fraction: share of each class held out for testing, in ``(0, 1)``.
        seed: the split is a deterministic function of the seed.

    Returns:
        A :class:`Digits` with float32 images ``(n, 1, 8, 8)`` and int64 labels ``(n,)``.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    from sklearn.datasets import load_digits as _sk_load

    bunch = _sk_load()
    images = bunch.images.astype(np.float32) / 16.0  # (1797, 8, 8)
    labels = bunch.target.astype(np.int64)  # (1797,)
    rng = np.random.default_rng(seed)
    test_idx: list[np.ndarray] = []
    for c in range(10):  # stratified: the same share of every class
        idx = np.flatnonzero(labels == c)
        idx = rng.permutation(idx)
        test_idx.append(idx[: round(test_fraction * len(idx))])
    test = np.sort(np.concatenate(test_idx))
    train = np.setdiff1d(np.arange(len(labels)), test)
    train = rng.permutation(train)
    x = torch.from_numpy(images).unsqueeze(1)  # (1797, 1, 8, 8)
    y = torch.from_numpy(labels)
    return Digits(x[train], y[train], x[test], y[test])


@dataclass
class TrainResult:
    """What :func:`train_classifier` measured: per-step loss, final accuracies, seconds."""

    losses: list[float]
    train_accuracy: float
    test_accuracy: float
    seconds: float


def train_classifier(
    model: nn.Module,
    data: Digits,
    *,
    epochs: int = 10,
    lr: float = 3e-3,
    batch_size: int = 64,
    weight_decay: float = 1e-4,
    seed: int = 0,
    progress: bool = True,
    desc: str = "training",
    threads: int | None = 1,
) -> TrainResult:
    """Train ``model`` (images ``(B, 1, 8, 8)`` → logits ``(B, 10)``) with cross-entropy.

    A thin wrapper of the course's loop :func:`attn_course.tools.training.train`: AdamW,
    a linear warm-up over the first epoch then a cosine decay, minibatches in an order
    fixed by ``seed``, a ``tqdm`` progress bar. The model's initialisation is the
    caller's business (seed before building it).

    ``threads``: torch CPU threads while training (restored afterwards; None = leave as
    is), passed to the loop. Models this small train fastest on one thread; on a busy
    machine two threads that wait for each other were measured 10× slower.
    """
    if epochs <= 0 or batch_size <= 0:
        raise ValueError(f"epochs and batch_size must be positive, got {epochs}, {batch_size}")
    from .tools.training import minibatches, train

    steps_per_epoch = data.x_train.shape[0] // batch_size
    batches = minibatches(data.x_train, data.y_train, batch_size=batch_size, seed=seed)

    def loss_fn(m: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
        x, y = batch
        return nn.functional.cross_entropy(m(x), y)  # x (b, 1, 8, 8), y (b,)

    start = time.perf_counter()
    history = train(model, batches, loss_fn, epochs * steps_per_epoch, lr, seed=seed,
                    progress=progress, weight_decay=weight_decay, warmup=steps_per_epoch,
                    schedule="cosine", desc=desc, threads=threads)
    seconds = time.perf_counter() - start
    from .tools.training import accuracy

    return TrainResult(
        history["loss"],
        accuracy(model, data.x_train, data.y_train),
        accuracy(model, data.x_test, data.y_test),
        seconds,
    )
