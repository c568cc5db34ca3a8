"""Tests of ``attn_course.experiments.context_vector``: the linear echo-state encoder, the
read-out and the capacity sweep."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.experiments.context_vector import (
    EchoStateEncoder,
    context_capacity,
    readout_accuracy,
)


def test_linear_encoder_is_a_sum_of_rotated_embeddings():
    enc = EchoStateEncoder.create(6, 5, seed=1)
    np.testing.assert_allclose(enc.W @ enc.W.T, np.eye(6), atol=1e-12)  # orthogonal: no fading
    tok = np.random.default_rng(2).integers(0, 5, size=(3, 4))
    h = enc.encode(tok)  # (3, 4, 6)
    T = tok.shape[1]
    want = sum(enc.E[tok[:, t]] @ np.linalg.matrix_power(enc.W, T - 1 - t) for t in range(T))
    np.testing.assert_allclose(h[:, -1], want, atol=1e-12)


def test_tanh_encoder_saturates_and_bad_input():
    enc = EchoStateEncoder.create(8, 4, activation="tanh", seed=0)
    h = enc.encode(np.random.default_rng(0).integers(0, 4, size=(20, 30)))
    assert np.all(np.abs(h) < 1)
    with pytest.raises(ValueError, match="tokens must lie"):
        enc.encode(np.full((2, 3), 4))
    with pytest.raises(ValueError, match="tokens must have shape"):
        enc.encode(np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="activation"):
        EchoStateEncoder.create(4, 4, activation="relu")


def test_readout_recovers_separable_features():
    y = np.random.default_rng(3).integers(0, 4, size=(60, 2))
    x = np.hstack([np.eye(4)[y[:, 0]], np.eye(4)[y[:, 1]]]) * 3  # (60, 8): both tokens visible
    np.testing.assert_allclose(readout_accuracy(x, y, x, y, 4), [1.0, 1.0])
    with pytest.raises(ValueError, match="disagree"):
        readout_accuracy(x[:10], y, x, y, 4)


def test_capacity_grows_with_the_state():
    r = context_capacity((8, 32), max_len=12, vocab=4, n_train=600, n_test=200, seeds=(0, 1))
    assert r.accuracy.shape == (2, 2, 12) and r.capacity.shape == (2, 2)
    assert np.all(r.accuracy[:, :, 0] == 1.0)  # one token always fits
    assert r.capacity[:, 1].min() > r.capacity[:, 0].max()  # 4× the state holds more tokens
    assert r.accuracy[:, 0, -1].max() < 0.9  # 12 tokens overflow 8 numbers
    assert r.chance == 0.25
    with pytest.raises(ValueError, match="max_len"):
        context_capacity((), 4)
    with pytest.raises(ValueError, match="threshold"):
        context_capacity((4,), 4, threshold=0.0)
