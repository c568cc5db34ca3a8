"""Two image tasks where an attention block must matter (chapter 11).

- :func:`cluttered_digits`: an 8×8 digit at a random place on a larger noisy canvas,
  among fragments of other digits and straight streaks (all horizontal or all vertical
  in one image). Finding *where* the digit is is most of the task.
- :func:`opposite_marks`: two small marks in opposite corners of an image; the label says
  whether they are the same shape. No local window sees both marks.

Both are deterministic functions of a NumPy generator (or a seed) and return tensors
``x (n, 1, side, side)`` float32 with labels ``y (n,)`` int64, plus what a plot or a
measurement needs to know about each image (where the digit is, where the marks are).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

__all__ = ["Cluttered", "Marks", "cluttered_digits", "mark_shapes", "opposite_marks"]

DIGIT = 8  # side of a digit of scikit-learn's set


def _rng(rng: np.random.Generator | int) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _check_images(images: np.ndarray, labels: np.ndarray) -> None:
    if images.ndim != 3 or images.shape[1:] != (DIGIT, DIGIT) or len(labels) != len(images):
        raise ValueError(f"images must have shape (M, 8, 8) and labels (M,), got "
                         f"{images.shape} and {np.shape(labels)}")


@dataclass(frozen=True)
class Cluttered:
    """A batch of cluttered canvases.

    Attributes:
        x: ``(n, 1, side, side)`` float32 canvases.
        y: ``(n,)`` int64 digit labels 0–9.
        corner: ``(n, 2)`` int64, the digit's top-left pixel ``(row, col)``; it covers
            ``corner … corner + 7`` on both axes.
        vertical: ``(n,)`` bool, True where the image's streaks are vertical.
    """

    x: Tensor
    y: Tensor
    corner: Tensor
    vertical: Tensor

    def digit_mask(self) -> Tensor:
        """``(n, side, side)`` bool: the 8×8 square the digit occupies."""
        n, _, side, _ = self.x.shape
        ar = torch.arange(side)
        r, c = self.corner[:, 0, None], self.corner[:, 1, None]  # (n, 1)
        rows = (ar >= r) & (ar < r + DIGIT)  # (n, side)
        cols = (ar >= c) & (ar < c + DIGIT)  # (n, side)
        return rows[:, :, None] & cols[:, None, :]  # (n, side, side)


def cluttered_digits(
    images: np.ndarray, labels: np.ndarray, n: int, rng: np.random.Generator | int, *,
    side: int = 24, n_fragments: int = 4, fragment: int = 4, n_streaks: int = 3,
    streak_length: tuple[int, int] = (5, 10), noise: float = 0.1,
) -> Cluttered:
    """``n`` canvases: one digit of ``images`` at a random place, clutter and noise.

    Each canvas of ``side × side`` pixels gets ``n_fragments`` random ``fragment ×
    fragment`` crops of random digits of ``images``, ``n_streaks`` straight streaks of a
    random length in ``streak_length`` (all horizontal or all vertical, a coin flip per
    image), then the digit itself at a uniformly random place; overlapping strokes keep
    the brighter value. Gaussian noise of standard deviation ``noise`` is added last.

    Args:
        images: ``(M, 8, 8)`` digits in ``[0, 1]``; labels: ``(M,)``.
        n: number of canvases; rng: a generator or a seed.

    Returns:
        A :class:`Cluttered` batch.
    """
    images, labels = np.asarray(images, dtype=np.float32), np.asarray(labels)
    _check_images(images, labels)
    if side < DIGIT or not 1 <= fragment <= DIGIT or n < 0 or noise < 0:
        raise ValueError(f"need side ≥ 8, 1 ≤ fragment ≤ 8, n ≥ 0 and noise ≥ 0, got "
                         f"side={side}, fragment={fragment}, n={n}, noise={noise}")
    lo, hi = streak_length
    if not 1 <= lo <= hi <= side:
        raise ValueError(f"streak_length must satisfy 1 ≤ low ≤ high ≤ side={side}, "
                         f"got {streak_length}")
    g = _rng(rng)
    M = len(images)
    x = np.zeros((n, side, side), np.float32)
    which = g.integers(0, M, n)
    vertical = g.integers(0, 2, n).astype(bool)
    for i in range(n):
        for _ in range(n_fragments):
            src = images[g.integers(0, M)]
            r, c = g.integers(0, DIGIT - fragment + 1, 2)
            pr, pc = g.integers(0, side - fragment + 1, 2)
            patch = x[i, pr:pr + fragment, pc:pc + fragment]
            np.maximum(patch, src[r:r + fragment, c:c + fragment], out=patch)
        for _ in range(n_streaks):
            length = g.integers(lo, hi + 1)
            a, b = g.integers(0, side), g.integers(0, side - length + 1)
            line = x[i, b:b + length, a] if vertical[i] else x[i, a, b:b + length]
            np.maximum(line, g.uniform(0.5, 1.0), out=line)
    corner = g.integers(0, side - DIGIT + 1, (n, 2))
    for i in range(n):
        r, c = corner[i]
        box = x[i, r:r + DIGIT, c:c + DIGIT]
        np.maximum(box, images[which[i]], out=box)
    x += noise * g.standard_normal(x.shape, dtype=np.float32)
    return Cluttered(torch.from_numpy(x[:, None]), torch.from_numpy(labels[which]).long(),
                     torch.from_numpy(corner).long(), torch.from_numpy(vertical))


def mark_shapes(n_shapes: int = 4, size: int = 3, *, on: int = 5, seed: int = 0) -> np.ndarray:
    """``n_shapes`` distinct binary ``size × size`` marks with ``on`` pixels each: ``(K, s, s)``.

    Every mark has the same number of lit pixels, so no brightness statistic tells them
    apart.
    """
    if not 1 <= on < size * size or n_shapes < 2:
        raise ValueError(f"need n_shapes ≥ 2 and 1 ≤ on < size², got n_shapes={n_shapes}, "
                         f"size={size}, on={on}")
    g = np.random.default_rng(seed)
    seen: set[bytes] = set()
    shapes = []
    while len(shapes) < n_shapes:
        s = np.zeros(size * size, np.float32)
        s[g.choice(size * size, on, replace=False)] = 1.0
        if s.tobytes() not in seen:
            seen.add(s.tobytes())
            shapes.append(s.reshape(size, size))
    return np.stack(shapes)  # (K, size, size)


@dataclass(frozen=True)
class Marks:
    """A batch of the opposite-marks task.

    Attributes:
        x: ``(n, 1, side, side)`` float32 images.
        y: ``(n,)`` int64, 1 if the two marks are the same shape, else 0.
        masks: ``(n, 2, side, side)`` bool, the pixels of the first mark (the one in the
            top row of the image) and of the second.
        shapes: ``(n, 2)`` int64, the index of each mark's shape.
    """

    x: Tensor
    y: Tensor
    masks: Tensor
    shapes: Tensor


def opposite_marks(
    n: int, rng: np.random.Generator | int, *, side: int = 16, n_shapes: int = 4,
    jitter: int = 2, noise: float = 0.0, shape_seed: int = 0,
) -> Marks:
    """``n`` images with one mark near each of two opposite corners; label: same shape?

    The first mark sits within ``jitter`` pixels of the top-left corner, the second within
    ``jitter`` of the bottom-right one, or (a coin flip per image) top-right and
    bottom-left. Half the images, at random, hold two copies of one shape; the others two
    different shapes of :func:`mark_shapes`. A small CNN whose receptive field is narrower
    than the gap between the corners never sees both marks at once.

    Returns:
        A :class:`Marks` batch.
    """
    shapes = mark_shapes(n_shapes, seed=shape_seed)
    s = shapes.shape[1]
    if n < 0 or jitter < 0 or side < 2 * (s + jitter) or noise < 0:
        raise ValueError(f"need n ≥ 0, jitter ≥ 0, noise ≥ 0 and side ≥ 2·(3 + jitter), got "
                         f"n={n}, side={side}, jitter={jitter}, noise={noise}")
    g = _rng(rng)
    same = g.integers(0, 2, n)
    a = g.integers(0, n_shapes, n)
    b = np.where(same == 1, a, (a + g.integers(1, n_shapes, n)) % n_shapes)
    flip = g.integers(0, 2, n).astype(bool)
    x = np.zeros((n, 1, side, side), np.float32)
    masks = np.zeros((n, 2, side, side), bool)
    for i in range(n):
        r1, c1 = g.integers(0, jitter + 1, 2)
        r2, c2 = side - s - g.integers(0, jitter + 1, 2)
        if flip[i]:  # the other diagonal: top-right and bottom-left
            c1, c2 = side - s - c1, side - s - c2
        for m, (r, c, k) in enumerate(((r1, c1, a[i]), (r2, c2, b[i]))):
            x[i, 0, r:r + s, c:c + s] = shapes[k]
            masks[i, m, r:r + s, c:c + s] = True
    if noise:
        x += noise * g.standard_normal(x.shape, dtype=np.float32)
    return Marks(torch.from_numpy(x), torch.from_numpy(same).long(), torch.from_numpy(masks),
                 torch.from_numpy(np.stack([a, b], 1)).long())
