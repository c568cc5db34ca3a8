"""Tests of ``attn_course.experiments.intuition``."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.data.digits import load_digit_images
from attn_course.data.glimpse import make_scenes, uniform_pool
from attn_course.experiments.intuition import (
    RandomRNN,
    box_sums,
    context_recovery,
    glimpse_experiment,
    ink_budget_curve,
    pixel_saliency,
    random_tokens,
    recovery_accuracy,
    salient_windows,
    select_pixels,
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
    r = glimpse_experiment(size=96, seed=0)
    assert r.fraction_seen < 0.01 and r.n_test == 450
    assert r.acc_oracle > 0.9 and r.acc_saliency > 0.75 * r.acc_oracle
    assert max(r.acc_random, r.acc_uniform) < 0.25 and r.window_hit_rate > 0.9


def test_random_rnn_and_readout():
    rnn = RandomRNN.create(16, 4, seed=1)
    tok = random_tokens(50, 7, 4, seed=2)
    h = rnn.encode(tok)
    assert h.shape == (50, 7, 16) and np.all(np.abs(h) < 1)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(rnn.W)), 0.9)
    with pytest.raises(ValueError, match="tokens must lie"):
        rnn.encode(np.full((2, 3), 4))
    # perfectly separable features are recovered exactly
    y = np.arange(40) % 4
    x = np.eye(4)[y] * 3
    assert recovery_accuracy(x, y, x, y, 4) == 1.0


def test_context_recovery_falls_with_length():
    r = context_recovery([2, 8, 32], d_hidden=16, vocab=4, n_train=800, n_test=200, seed=0)
    assert r.final[0] > 0.95 and r.final[-1] < r.final[0] - 0.4
    assert np.all(r.per_state > 0.95)
    assert r.by_position.shape == (32,) and r.by_position[-1] > r.by_position[0]
    with pytest.raises(ValueError, match="lengths"):
        context_recovery([])
