"""The 8×8 digits (chapters 1, 11 and 12): one loader, and the seeded split Part III trains on.

The images are scikit-learn's bundled handwritten digits (1,797 grey 8×8 images of
the digits 0–9, read from files shipped inside scikit-learn: nothing downloads).
Pixel values 0–16 are scaled to ``[0, 1]``. :func:`load_digit_images` is the loader;
:func:`load_digits` splits its images into a stratified train/test :class:`Digits` of
tensors ``(B, 1, 8, 8)`` (batch, channel, height, width) with labels ``(B,)`` int64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

__all__ = ["Digits", "load_digit_images", "load_digits", "random_shift", "subset"]


def load_digit_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 digits as images ``(n, 8, 8)`` float64 in ``[0, 1]`` and labels
    ``(n,)`` int64."""
    from sklearn.datasets import load_digits as _sk_load

    d = _sk_load()
    return (d.images / 16.0).astype(np.float64), d.target.astype(np.int64)


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
    images, labels = load_digit_images()  # (1797, 8, 8), (1797,)
    images = images.astype(np.float32)  # exact: every pixel is k/16
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


def subset(x: Tensor, y: Tensor, n: int, seed: int) -> tuple[Tensor, Tensor]:
    """``n`` examples of ``(x (M, ...), y (M,))`` drawn without replacement under ``seed``."""
    if not 1 <= n <= x.shape[0] or x.shape[0] != y.shape[0]:
        raise ValueError(f"need 1 ≤ n ≤ M and as many labels as images, got n={n}, "
                         f"x {tuple(x.shape)}, y {tuple(y.shape)}")
    idx = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(seed))[:n]
    return x[idx], y[idx]


def random_shift(x: Tensor, max_shift: int, generator: torch.Generator) -> Tensor:
    """Move each image by a random whole number of pixels in ``[-max_shift, max_shift]``
    along each axis, filling with zeros: ``(B, C, H, W) → (B, C, H, W)``.

    Pixels moved past the border are lost, as in a random crop of a zero-padded image.
    """
    if x.dim() != 4 or max_shift < 0:
        raise ValueError(f"x must have shape (B, C, H, W) and max_shift ≥ 0, got "
                         f"{tuple(x.shape)}, max_shift={max_shift}")
    if max_shift == 0:
        return x
    B, _, H, W = x.shape
    s = max_shift
    padded = torch.nn.functional.pad(x, (s, s, s, s))  # (B, C, H + 2s, W + 2s)
    dr = torch.randint(0, 2 * s + 1, (B,), generator=generator)  # (B,)
    dc = torch.randint(0, 2 * s + 1, (B,), generator=generator)  # (B,)
    rows = (dr[:, None] + torch.arange(H))[:, None, :, None]  # (B, 1, H, 1)
    cols = (dc[:, None] + torch.arange(W))[:, None, None, :]  # (B, 1, 1, W)
    batch = torch.arange(B)[:, None, None, None]  # (B, 1, 1, 1)
    chan = torch.arange(x.shape[1])[None, :, None, None]  # (1, C, 1, 1)
    return padded[batch, chan, rows, cols]  # (B, C, H, W)
