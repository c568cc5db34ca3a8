"""Why attention (chapter 1): a glimpse needs a choice, and the choice can be soft.

A scene of :mod:`attn_course.data.glimpse` holds one digit in clutter; an observer may
look at one 8×8 window, under 1% of a 96×96 scene. :func:`glimpse_experiment` compares
ways to spend that budget: the most **salient** window (the largest box sum of
:func:`pixel_saliency`, via an integral image), a **random** window, the **uniform** 8×8
average of the whole scene, and **soft glimpses** (:func:`soft_glimpse`): the average of
every window weighted by ``softmax(s / τ)`` of the window scores ``s``
(:func:`window_scores`) — the hard glimpse as ``τ → 0``, the mean of all windows as
``τ → ∞``. :func:`ink_budget_curve` asks, pixel by pixel, how much of the digit's ink the
top-``k`` salient pixels capture against ``k`` random or evenly spaced ones.

The fixed-length context vector is measured in :mod:`attn_course.experiments.context_vector`.

Shapes: scenes ``(n, size, size)``, positions ``(n, 2)``, window scores and soft-glimpse
weights ``(n, size − 7, size − 7)``. Everything is deterministic under ``seed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core.softmax import softmax
from ..data.digits import load_digit_images
from ..data.glimpse import GLIMPSE, Scenes, crop, make_scenes, uniform_pool
from ..tools.threads import torch_threads

__all__ = [
    "GlimpseResult",
    "box_sums",
    "glimpse_experiment",
    "ink_budget_curve",
    "ink_recovered",
    "pixel_saliency",
    "salient_windows",
    "select_pixels",
    "soft_glimpse",
    "window_scores",
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
    return _argmax_windows(window_scores(scenes, window))


def window_scores(scenes: np.ndarray, window: int = GLIMPSE) -> np.ndarray:
    """The score ``s_p`` of every window position: its summed :func:`pixel_saliency`.

    ``(n, H, W) → (n, H − w + 1, W − w + 1)``; the salient glimpse is the argmax, the soft
    glimpse a softmax over all of them.
    """
    return box_sums(pixel_saliency(scenes), window)


def _argmax_windows(s: np.ndarray) -> np.ndarray:
    flat = s.reshape(s.shape[0], -1).argmax(1)  # (n,)
    return np.stack(np.unravel_index(flat, s.shape[1:]), axis=1)  # (n, 2)


def soft_glimpse(
    scenes: np.ndarray, temperature: float, *, scores: np.ndarray | None = None,
    window: int = GLIMPSE, dtype: type = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """The soft glimpse ``g = Σ_p α_p x_p`` with ``α = softmax(s / τ)`` over every window ``p``.

    Args:
        scenes: ``(n, H, W)``; ``x_p`` is the ``window × window`` crop at position ``p``.
        temperature: ``τ > 0``; small → the salient (hard) glimpse, large → the mean window.
        scores: the window scores ``(n, P_1, P_2)`` if already computed
            (default :func:`window_scores`).
        dtype: the precision of the computation (float32 is about twice as fast).

    Returns:
        ``(glimpses (n, window, window), weights (n, P_1, P_2))`` in ``dtype``; every
        ``weights[i]`` sums to one.

    The weighted sum of all crops is a cross-correlation of the scene with ``α``, computed
    with SciPy's FFTs (no wrap-around: position ``p`` plus an offset below ``window`` stays
    inside the scene).
    """
    x = np.asarray(scenes, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(f"scenes must have shape (n, H, W), got {x.shape}")
    s = np.asarray(window_scores(x, window) if scores is None else scores, dtype=dtype)
    n, H, W = x.shape
    if s.shape != (n, H - window + 1, W - window + 1):
        raise ValueError(f"scores must have shape {(n, H - window + 1, W - window + 1)} for "
                         f"scenes {x.shape}, got {s.shape}")
    from scipy import fft

    alpha = softmax(s.reshape(n, -1), temperature=temperature).reshape(s.shape)  # (n, P1, P2)
    fx = fft.rfft2(x, workers=1)  # (n, H, W // 2 + 1)
    fa = fft.rfft2(alpha, s=(H, W), workers=1)
    corr = fft.irfft2(fx * np.conj(fa), s=(H, W), workers=1)  # [i, j] = Σ_p α_p x[p + (i, j)]
    return corr[:, :window, :window], alpha


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
    """Accuracies of a digit classifier given an 8×8 budget, for each way of spending it.

    ``acc_*``: test accuracy of the observer's own classifier (``acc_soft`` one per
    ``temperatures``); ``fraction_seen``: the budget's share of the scene; ``ink_share``:
    the mean share of a test scene's pixels that hold the digit's ink; ``exact_hit_rate``
    and ``window_hit_rate``: share of test scenes whose salient window is exactly on the
    digit, or within one pixel; ``acc_saliency_exact`` / ``acc_saliency_shifted``: the
    salient glimpse's accuracy on those exactly hit scenes / on the others;
    ``acc_soft_shifted``: each soft glimpse's accuracy on those same other scenes.
    """

    fraction_seen: float
    ink_share: float
    acc_oracle: float
    acc_saliency: float
    acc_random: float
    acc_uniform: float
    temperatures: tuple[float, ...]
    acc_soft: np.ndarray
    exact_hit_rate: float
    window_hit_rate: float
    acc_saliency_exact: float
    acc_saliency_shifted: float
    acc_soft_shifted: np.ndarray
    n_train: int
    n_test: int


def glimpse_experiment(
    *, size: int = 96, clutter: float = 0.03, seed: int = 0,
    temperatures: Sequence[float] = (),
) -> GlimpseResult:
    """Train on 75% of the digits, test on scenes built from the other 25%.

    Each way of spending the 8×8 budget gets its own logistic-regression classifier,
    trained on what that observer sees in the training scenes: the oracle window (where
    the digit really is), the most salient window, a random window, the uniform 8×8
    summary of the whole scene, and one soft glimpse per temperature in ``temperatures``.
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
        scores = {"train": window_scores(train.scenes), "test": window_scores(test.scenes)}

        def views(s: Scenes, split: str) -> dict[str, np.ndarray]:
            rand = rng.integers(0, size - GLIMPSE + 1, size=(len(s.labels), 2))  # (n, 2)
            seen = {
                "oracle": crop(s.scenes, s.positions),
                "saliency": crop(s.scenes, _argmax_windows(scores[split])),
                "random": crop(s.scenes, rand),
                "uniform": uniform_pool(s.scenes, GLIMPSE),
            }
            for t in temperatures:
                seen[f"soft {t}"] = soft_glimpse(s.scenes, t, scores=scores[split],
                                                 dtype=np.float32)[0]
            return seen

        seen_train, seen_test = views(train, "train"), views(test, "test")
        accs, correct = {}, {}
        for name, x in seen_train.items():
            model = LogisticRegression(max_iter=1000).fit(x.reshape(len(x), -1), train.labels)
            xt = seen_test[name]
            correct[name] = model.predict(xt.reshape(len(xt), -1)) == test.labels  # (n_test,)
            accs[name] = float(np.mean(correct[name]))
        off = np.abs(_argmax_windows(scores["test"]) - test.positions).max(1)  # (n_test,)
        exact = off == 0
        return GlimpseResult(
            fraction_seen=GLIMPSE**2 / size**2,
            ink_share=float(np.mean((test.ink > 0).sum((1, 2)))) / size**2,
            acc_oracle=accs["oracle"],
            acc_saliency=accs["saliency"],
            acc_random=accs["random"],
            acc_uniform=accs["uniform"],
            temperatures=tuple(float(t) for t in temperatures),
            acc_soft=np.array([accs[f"soft {t}"] for t in temperatures]),
            exact_hit_rate=float(np.mean(exact)),
            window_hit_rate=float(np.mean(off <= 1)),
            acc_saliency_exact=float(correct["saliency"][exact].mean()) if exact.any() else 0.0,
            acc_saliency_shifted=(float(correct["saliency"][~exact].mean())
                                  if (~exact).any() else 0.0),
            acc_soft_shifted=np.array([float(correct[f"soft {t}"][~exact].mean())
                                       if (~exact).any() else 0.0 for t in temperatures]),
            n_train=len(tr),
            n_test=len(te),
        )
