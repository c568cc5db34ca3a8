"""Why attention (chapter 1): a glimpse needs a choice; a fixed-length summary loses things.

**The attention bottleneck.** A scene of :mod:`attn_course.data.glimpse` holds one digit
in clutter; an observer may look at one 8×8 window, under 1% of a 96×96 scene.
:func:`glimpse_experiment` compares three ways to spend that budget: the most **salient**
window (the largest box sum of :func:`pixel_saliency`, via an integral image), a
**random** window, and the **uniform** 8×8 average of the whole scene;
:func:`ink_budget_curve` asks, pixel by pixel, how much of the digit's ink the top-``k``
salient pixels capture against ``k`` random or evenly spaced ones.

**The fixed-length context vector.** An RNN encoder–decoder without attention
{Sutskever et al. 2014; Cho et al. 2014} decodes from its final hidden state alone. A
random tanh RNN (:class:`RandomRNN`) reads ``T`` tokens; a ridge-regression read-out tries
to recover every token from the **final state** ``h_T`` or from the **state at that
position** ``h_t`` (what attention can look at); :func:`context_recovery` measures both on
held-out sequences (chance is ``1 / vocab``).

Shapes: scenes ``(n, size, size)``, positions ``(n, 2)``; tokens ``(n, T)``, states
``(n, T, d_hidden)``. Everything is NumPy and deterministic under ``seed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..data.digits import load_digit_images
from ..data.glimpse import GLIMPSE, Scenes, crop, make_scenes, uniform_pool
from ..tools.threads import torch_threads

__all__ = [
    "ContextRecovery",
    "GlimpseResult",
    "RandomRNN",
    "box_sums",
    "context_recovery",
    "glimpse_experiment",
    "ink_budget_curve",
    "ink_recovered",
    "pixel_saliency",
    "random_tokens",
    "recovery_accuracy",
    "salient_windows",
    "select_pixels",
]

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


@dataclass(frozen=True)
class RandomRNN:
    """``h_t = tanh(h_{t−1} W + E[x_t])`` with random ``W (d, d)`` (spectral radius ``rho``)
    and random token embeddings ``E (vocab, d)``; ``h_0 = 0``."""

    W: np.ndarray
    E: np.ndarray

    @classmethod
    def create(cls, d_hidden: int = 32, vocab: int = 8, *, rho: float = 0.9,
               seed: int = 0) -> RandomRNN:
        rng = np.random.default_rng(seed)
        q, _ = np.linalg.qr(rng.standard_normal((d_hidden, d_hidden)))
        return cls(W=rho * q, E=rng.standard_normal((vocab, d_hidden)))

    def encode(self, tokens: np.ndarray) -> np.ndarray:
        """All hidden states ``(n, T, d_hidden)`` for tokens ``(n, T)``."""
        tokens = np.asarray(tokens)
        if tokens.ndim != 2:
            raise ValueError(f"tokens must have shape (n, T), got {tokens.shape}")
        if tokens.size and (tokens.min() < 0 or tokens.max() >= self.E.shape[0]):
            raise ValueError(f"tokens must lie in [0, {self.E.shape[0]}), got values "
                             f"{tokens.min()}…{tokens.max()}")
        n, T = tokens.shape
        h = np.zeros((n, self.W.shape[0]))
        states = np.empty((n, T, self.W.shape[0]))
        for t in range(T):
            h = np.tanh(h @ self.W + self.E[tokens[:, t]])
            states[:, t] = h
        return states


def random_tokens(n: int, T: int, vocab: int, *, seed: int = 0) -> np.ndarray:
    """Uniformly random token sequences ``(n, T)``."""
    return np.random.default_rng(seed).integers(0, vocab, size=(n, T))


def recovery_accuracy(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
    vocab: int, *, ridge: float = 1e-3,
) -> float:
    """Fit a linear read-out ``[x, 1] → one-hot(y)`` by ridge regression; test accuracy.

    Args:
        train_x: features ``(n, d)``; train_y: tokens ``(n,)``; likewise the test set.
    """
    A = np.hstack([train_x, np.ones((len(train_x), 1))])  # (n, d + 1)
    Y = np.eye(vocab)[train_y]  # (n, vocab)
    W = np.linalg.solve(A.T @ A + ridge * np.eye(A.shape[1]), A.T @ Y)  # (d + 1, vocab)
    B = np.hstack([test_x, np.ones((len(test_x), 1))])
    return float(np.mean((B @ W).argmax(1) == test_y))


@dataclass(frozen=True)
class ContextRecovery:
    """Per length ``T`` (``lengths``): mean accuracy over positions from the final state
    (``final``) and from each position's own state (``per_state``); ``by_position`` maps the
    longest ``T`` to the final-state accuracy at each position ``(T,)``."""

    lengths: np.ndarray
    final: np.ndarray
    per_state: np.ndarray
    by_position: np.ndarray
    chance: float
    d_hidden: int
    vocab: int


def context_recovery(
    lengths: Sequence[int], *, d_hidden: int = 32, vocab: int = 8, n_train: int = 2000,
    n_test: int = 500, seed: int = 0,
) -> ContextRecovery:
    """Measure how much of a length-``T`` sequence a linear read-out recovers, for each ``T``."""
    # One BLAS thread: these small products run fastest unthreaded, and on a shared CPU far faster.
    with torch_threads(1, blas=True):
        if not lengths or min(lengths) < 1:
            raise ValueError(
                f"lengths must be a non-empty list of positive integers, got {lengths}"
            )
        rnn = RandomRNN.create(d_hidden, vocab, seed=seed)
        final, per_state = [], []
        by_position = np.zeros(0)
        for T in lengths:
            tok = random_tokens(n_train + n_test, T, vocab, seed=seed + T)
            h = rnn.encode(tok)  # (n, T, d_hidden)
            tr, te = slice(0, n_train), slice(n_train, None)
            acc_final = np.array([
                recovery_accuracy(h[tr, -1], tok[tr, t], h[te, -1], tok[te, t], vocab)
                for t in range(T)
            ])
            acc_state = np.array([
                recovery_accuracy(h[tr, t], tok[tr, t], h[te, t], tok[te, t], vocab)
                for t in range(T)
            ])
            final.append(acc_final.mean())
            per_state.append(acc_state.mean())
            if T == max(lengths):
                by_position = acc_final
        return ContextRecovery(np.asarray(lengths), np.asarray(final), np.asarray(per_state),
                               by_position, 1.0 / vocab, d_hidden, vocab)
