"""Tests of ``attn_course.experiments.intuition``."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.data.digits import load_digit_images
from attn_course.data.glimpse import crop, make_scenes, uniform_pool
from attn_course.experiments.intuition import (
    box_sums,
    glimpse_experiment,
    ink_budget_curve,
    pixel_saliency,
    salient_windows,
    select_pixels,
    soft_glimpse,
    window_scores,
)


def test_box_sums_and_windows():
    rng = np.random.default_rng(0)
    x = rng.random((3, 10, 12))
    s = box_sums(x, 4)
    assert s.shape == (3, 7, 9)
    np.testing.assert_allclose(s[1, 2, 5], x[1, 2:6, 5:9].sum())
    x[0, 5:9, 1:5] += 5
    assert tuple(salient_windows(x, 4)[0]) == (5, 1)
    assert uniform_pool(np.ones((2, 16, 16)), 8).shape == (2, 8, 8)
    with pytest.raises(ValueError, match="divisible"):
        uniform_pool(np.ones((1, 10, 10)), 8)


def test_pixel_saliency_prefers_strokes():
    img = np.zeros((9, 9))
    img[2:5, 2:5] = 0.5  # a blob
    img[7, 7] = 1.0  # a brighter isolated speck
    sal = pixel_saliency(img)
    assert sal.shape == (9, 9) and sal[3, 3] > sal[7, 7]
    np.testing.assert_allclose(pixel_saliency(img[None])[0], sal)


@pytest.mark.parametrize("method", ["saliency", "random", "grid"])
def test_select_pixels(method):
    sal = np.random.default_rng(2).random((8, 8))
    idx = select_pixels(sal, 10, method, seed=3)
    assert len(idx) == 10 and len(set(idx.tolist())) == 10 and idx.max() < 64
    if method == "saliency":
        assert sal.ravel()[idx].min() >= np.delete(sal.ravel(), idx).max()
    assert len(select_pixels(sal, 0, method)) == 0
    assert len(set(select_pixels(sal, 64, method).tolist())) == 64
    with pytest.raises(ValueError):
        select_pixels(sal, 65, method)


@pytest.fixture(scope="module")
def digits():
    return load_digit_images()


def test_ink_budget_curve(digits):
    images, labels = digits
    s = make_scenes(images[:10], labels[:10], size=64, seed=0)
    curves = ink_budget_curve(s, np.array([0.01, 0.05]))
    assert curves["saliency"][0] > 0.9 and curves["random"][0] < 0.1
    assert np.all(np.diff(curves["saliency"]) >= 0)


def test_glimpse_experiment_shows_the_bottleneck():
    r = glimpse_experiment(size=96, seed=0, temperatures=(0.3, 100.0))
    assert r.fraction_seen < 0.01 and r.n_test == 450 and r.n_train == 1347
    assert r.acc_oracle > 0.9 and r.acc_saliency > 0.75 * r.acc_oracle
    assert max(r.acc_random, r.acc_uniform) < 0.25 and r.window_hit_rate > 0.9
    assert 0 < r.exact_hit_rate <= r.window_hit_rate
    assert r.acc_saliency_exact > r.acc_saliency_shifted
    assert 0.002 < r.ink_share < 0.005  # about 33 ink pixels of 9,216
    assert r.acc_soft.shape == (2,) and r.temperatures == (0.3, 100.0)
    assert r.acc_soft[0] > 0.75 and r.acc_soft[1] < 0.25  # a hot glimpse averages clutter
    assert r.acc_soft_shifted.shape == (2,)


def test_soft_glimpse_is_a_weighted_sum_of_windows(digits):
    images, labels = digits
    scenes = make_scenes(images[:3], labels[:3], size=24, seed=5).scenes
    g, alpha = soft_glimpse(scenes, 1.0)
    P = scenes.shape[1] - 8 + 1
    assert g.shape == (3, 8, 8) and alpha.shape == (3, P, P)
    np.testing.assert_allclose(alpha.sum((1, 2)), 1.0)
    direct = np.zeros((3, 8, 8))
    for r in range(P):
        for c in range(P):
            direct += alpha[:, r, c, None, None] * scenes[:, r:r + 8, c:c + 8]
    np.testing.assert_allclose(g, direct, atol=1e-12)


def test_soft_glimpse_limits(digits):
    images, labels = digits
    scenes = make_scenes(images[:4], labels[:4], size=32, seed=6).scenes.astype(np.float64)
    cold, _ = soft_glimpse(scenes, 1e-4)  # τ → 0: the salient (hard) glimpse
    np.testing.assert_allclose(cold, crop(scenes, salient_windows(scenes)), atol=1e-6)
    hot, alpha = soft_glimpse(scenes, 1e9)  # τ → ∞: the mean of all windows
    P = scenes.shape[1] - 8 + 1
    mean = np.mean([scenes[:, r:r + 8, c:c + 8] for r in range(P) for c in range(P)], axis=0)
    np.testing.assert_allclose(hot, mean, atol=1e-6)
    np.testing.assert_allclose(alpha, 1 / P**2, rtol=1e-6)
    s = window_scores(scenes)
    np.testing.assert_allclose(soft_glimpse(scenes, 2.0, scores=s)[0], soft_glimpse(scenes, 2.0)[0])
    with pytest.raises(ValueError, match="scores must have shape"):
        soft_glimpse(scenes, 1.0, scores=s[:, 1:])
    with pytest.raises(ValueError, match="scenes must have shape"):
        soft_glimpse(scenes[0], 1.0)
    with pytest.raises(ValueError, match="temperature"):
        soft_glimpse(scenes, 0.0)
