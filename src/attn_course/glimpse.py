"""The attention bottleneck (chapter 1): look at under 1% of a scene and still read it.

A *scene* is a large dark canvas ``(size, size)`` with one handwritten 8×8 digit
(scikit-learn's bundled digits, nothing downloads) pasted at a random place and
sparse bright clutter elsewhere. A *glimpse* is an 8×8 window — 64 pixels, under
1% of a 96×96 scene. We compare three ways to spend that budget:

- **saliency**: the window with the most locally smoothed ink (the largest box sum of
  :func:`pixel_saliency`, found with an integral image);
- **random**: a window at a random place;
- **uniform**: the whole scene averaged down to 8×8 — every pixel seen, at low resolution.

and, pixel by pixel, how much of the digit's ink the top-``k`` most salient pixels
capture compared with ``k`` random or evenly spaced ones.

Shapes: scenes ``(n, size, size)``, digits ``(n, 8, 8)``, positions ``(n, 2)`` (row, col
of a window's top-left corner), labels ``(n,)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .tools.threads import torch_threads

__all__ = [
    "GLIMPSE",
    "GlimpseResult",
    "Scenes",
    "box_sums",
    "crop",
    "glimpse_experiment",
    "ink_budget_curve",
    "ink_recovered",
    "load_digit_images",
    "make_scenes",
    "pixel_saliency",
    "salient_windows",
    "select_pixels",
    "uniform_pool",
]

GLIMPSE = 8  # side of a glimpse window, the size of one digit


def load_digit_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 digits as images ``(n, 8, 8)`` in ``[0, 1]`` and labels ``(n,)``."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.images / 16.0).astype(np.float64), d.target.astype(np.int64)


@dataclass(frozen=True)
class Scenes:
    """Scenes ``(n, size, size)``, the digit's ink alone ``(n, size, size)``, labels, positions."""

    scenes: np.ndarray
    ink: np.ndarray
    labels: np.ndarray
    positions: np.ndarray


def make_scenes(
    digits: np.ndarray, labels: np.ndarray, *, size: int = 96, clutter: float = 0.03, seed: int = 0
) -> Scenes:
    """Paste each digit ``(n, 8, 8)`` at a random place of a ``size × size`` scene with clutter.

    About a fraction ``clutter`` of the pixels (``clutter · size²`` random places per scene)
    get a random brightness in ``[0.3, 1]``; the digit is drawn over them. Arrays are
    float32. Deterministic under ``seed``.
    """
    digits = np.asarray(digits, dtype=np.float64)
    if digits.ndim != 3 or digits.shape[1:] != (GLIMPSE, GLIMPSE):
        raise ValueError(f"digits must have shape (n, {GLIMPSE}, {GLIMPSE}), got {digits.shape}")
    if size < GLIMPSE:
        raise ValueError(f"size must be at least {GLIMPSE}, got {size}")
    rng = np.random.default_rng(seed)
    n = digits.shape[0]
    n_specks = int(round(clutter * size * size))
    noise = np.zeros((n, size * size), dtype=np.float32)
    where = rng.integers(0, size * size, size=(n, n_specks))  # (n, n_specks) flat pixel indices
    noise[np.arange(n)[:, None], where] = rng.uniform(0.3, 1.0, size=(n, n_specks))
    noise = noise.reshape(n, size, size)  # (n, size, size)
    pos = rng.integers(0, size - GLIMPSE + 1, size=(n, 2))  # (n, 2)
    ink = np.zeros((n, size, size), dtype=np.float32)
    rows = pos[:, 0, None, None] + np.arange(GLIMPSE)[None, :, None]  # (n, 8, 1)
    cols = pos[:, 1, None, None] + np.arange(GLIMPSE)[None, None, :]  # (n, 1, 8)
    ink[np.arange(n)[:, None, None], rows, cols] = digits
    scenes = np.maximum(noise, ink)
    return Scenes(scenes, ink, np.asarray(labels), pos)


def box_sums(scenes: np.ndarray, window: int = GLIMPSE) -> np.ndarray:
    """Sum of every ``w × w`` window: ``(n, H, W) → (n, H−w+1, W−w+1)``, via an integral image."""
    if scenes.ndim != 3:
        raise ValueError(f"scenes must have shape (n, H, W), got {scenes.shape}")
    c = np.pad(scenes, ((0, 0), (1, 0), (1, 0))).cumsum(1).cumsum(2)  # (n, H+1, W+1)
    w = window
    return c[:, w:, w:] - c[:, :-w, w:] - c[:, w:, :-w] + c[:, :-w, :-w]


def salient_windows(scenes: np.ndarray, window: int = GLIMPSE) -> np.ndarray:
    """Top-left corners ``(n, 2)`` of the window with the most saliency in each scene.

    Saliency is :func:`pixel_saliency` (brightness smoothed over 3×3), which discounts
    isolated specks of clutter; the window sums come from an integral image.
    """
    s = box_sums(pixel_saliency(scenes), window)
    flat = s.reshape(s.shape[0], -1).argmax(1)  # (n,)
    return np.stack(np.unravel_index(flat, s.shape[1:]), axis=1)


def crop(scenes: np.ndarray, positions: np.ndarray, window: int = GLIMPSE) -> np.ndarray:
    """The windows ``(n, window, window)`` at ``positions`` ``(n, 2)``."""
    n = scenes.shape[0]
    rows = positions[:, 0, None, None] + np.arange(window)[None, :, None]  # (n, w, 1)
    cols = positions[:, 1, None, None] + np.arange(window)[None, None, :]  # (n, 1, w)
    return scenes[np.arange(n)[:, None, None], rows, cols]


def uniform_pool(scenes: np.ndarray, out: int = GLIMPSE) -> np.ndarray:
    """Average ``(n, size, size)`` down to ``(n, out, out)`` (``size`` divisible by ``out``)."""
    n, h, w = scenes.shape
    if h % out or w % out:
        raise ValueError(f"scene size {h}×{w} must be divisible by out={out}")
    return scenes.reshape(n, out, h // out, out, w // out).mean((2, 4))  # (n, out, out)


def pixel_saliency(scene: np.ndarray, radius: int = 1) -> np.ndarray:
    """A pixel's saliency: the mean brightness of its ``(2r+1)²`` neighbourhood.

    ``(H, W) → (H, W)`` or ``(n, H, W) → (n, H, W)``. Ink that comes in strokes (a digit)
    scores higher than isolated bright specks (clutter).
    """
    x = np.asarray(scene)
    if x.ndim not in (2, 3):
        raise ValueError(f"scene must have shape (H, W) or (n, H, W), got {x.shape}")
    batch = x if x.ndim == 3 else x[None]  # (n, H, W)
    k = 2 * radius + 1
    padded = np.pad(batch, ((0, 0), (radius, radius), (radius, radius)))
    out = box_sums(padded, k) / k**2  # (n, H, W)
    return out if x.ndim == 3 else out[0]


def select_pixels(saliency: np.ndarray, k: int, method: str, *, seed: int = 0) -> np.ndarray:
    """Flat indices ``(k,)`` of the ``k`` pixels a budget-``k`` observer looks at.

    ``method``: ``"saliency"`` (the ``k`` most salient, ties to the lower index),
    ``"random"`` (a random set, deterministic under ``seed``) or ``"grid"`` (evenly spaced).
    """
    n = saliency.size
    if not 0 <= k <= n:
        raise ValueError(f"k must lie in [0, {n}], got {k}")
    if method == "saliency":
        flat = saliency.ravel()
        return np.lexsort((np.arange(n), -flat))[:k]
    if method == "random":
        return np.random.default_rng(seed).permutation(n)[:k]
    if method == "grid":  # round(i (n−1)/(k−1)) in exact integer arithmetic (as the view's JS)
        if k <= 1:
            return np.zeros(k, dtype=np.int64)
        i = np.arange(k, dtype=np.int64)
        return (2 * i * (n - 1) + (k - 1)) // (2 * (k - 1))
    raise ValueError(f"method must be 'saliency', 'random' or 'grid', got {method!r}")


def ink_recovered(ink: np.ndarray, idx: np.ndarray) -> float:
    """Share of the digit's total ink ``(H, W)`` that lies in the pixels ``idx``."""
    total = float(ink.sum())
    return float(ink.ravel()[idx].sum()) / total if total > 0 else 0.0


def ink_budget_curve(
    scenes: Scenes, fractions: np.ndarray, *, seed: int = 0
) -> dict[str, np.ndarray]:
    """Mean share of the digit's ink seen with a budget of ``fraction · H · W`` pixels.

    Returns:
        ``{"saliency" | "random" | "grid": (len(fractions),)}``, averaged over the scenes.
    """
    fractions = np.asarray(fractions, dtype=float)
    if np.any((fractions < 0) | (fractions > 1)):
        raise ValueError(f"fractions must lie in [0, 1], got {fractions.tolist()}")
    n, h, w = scenes.scenes.shape
    budgets = np.round(fractions * h * w).astype(int)  # (m,)
    sal = pixel_saliency(scenes.scenes)  # (n, H, W)
    out = {m: np.zeros(len(budgets)) for m in ("saliency", "random", "grid")}
    for i in range(n):
        ink = scenes.ink[i]
        for j, k in enumerate(budgets):
            for m in out:
                idx = select_pixels(sal[i], int(k), m, seed=seed + i)
                out[m][j] += ink_recovered(ink, idx) / n
    return out


@dataclass(frozen=True)
class GlimpseResult:
    """Accuracies of a digit classifier given an 8×8 budget, and the budget's share of the scene."""

    fraction_seen: float
    acc_oracle: float
    acc_saliency: float
    acc_random: float
    acc_uniform: float
    window_hit_rate: float
    n_test: int


def glimpse_experiment(*, size: int = 96, clutter: float = 0.03, seed: int = 0) -> GlimpseResult:
    """Train on 75% of the digits, test on scenes built from the other 25%.

    Each way of spending the 8×8 budget gets its own logistic-regression classifier,
    trained on what that observer sees in the training scenes: the oracle window (where
    the digit really is), the most salient window, a random window, or the uniform 8×8
    summary of the whole scene. ``window_hit_rate`` is the share of test scenes whose
    salient window is within one pixel of the digit.
    """
    # One BLAS thread: these small products run fastest unthreaded, and on a shared CPU far faster.
    with torch_threads(1, blas=True):
        from sklearn.linear_model import LogisticRegression

        images, labels = load_digit_images()
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(labels))
        n_train = int(0.75 * len(labels))
        tr, te = order[:n_train], order[n_train:]
        train = make_scenes(images[tr], labels[tr], size=size, clutter=clutter, seed=seed + 1)
        test = make_scenes(images[te], labels[te], size=size, clutter=clutter, seed=seed + 2)

        def views(s: Scenes) -> dict[str, np.ndarray]:
            rand = rng.integers(0, size - GLIMPSE + 1, size=(len(s.labels), 2))  # (n, 2)
            return {
                "oracle": crop(s.scenes, s.positions),
                "saliency": crop(s.scenes, salient_windows(s.scenes)),
                "random": crop(s.scenes, rand),
                "uniform": uniform_pool(s.scenes, GLIMPSE),
            }

        seen_train, seen_test = views(train), views(test)
        accs = {}
        for name, x in seen_train.items():
            model = LogisticRegression(max_iter=1000).fit(x.reshape(len(x), -1), train.labels)
            xt = seen_test[name]
            accs[name] = float(np.mean(model.predict(xt.reshape(len(xt), -1)) == test.labels))
        sal = salient_windows(test.scenes)
        return GlimpseResult(
            fraction_seen=GLIMPSE**2 / size**2,
            acc_oracle=accs["oracle"],
            acc_saliency=accs["saliency"],
            acc_random=accs["random"],
            acc_uniform=accs["uniform"],
            window_hit_rate=float(np.mean(np.abs(sal - test.positions).max(1) <= 1)),
            n_test=len(te),
        )
