"""Tests of ``attn_course.data.digits``."""

from __future__ import annotations

import pytest
import torch

from attn_course.data.digits import load_digits


def test_shapes_range_and_split_sizes():
    d = load_digits()
    assert d.x_train.shape[1:] == (1, 8, 8) and d.x_test.shape[1:] == (1, 8, 8)
    assert d.x_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    assert d.x_train.shape[0] + d.x_test.shape[0] == 1797
    assert float(d.x_train.min()) >= 0.0 and float(d.x_train.max()) <= 1.0
    assert 0.2 < d.x_test.shape[0] / 1797 < 0.3


def test_split_is_deterministic_disjoint_and_stratified():
    a, b, c = load_digits(seed=0), load_digits(seed=0), load_digits(seed=1)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.y_train, c.y_train)
    train = {tuple(x.flatten().tolist()) for x in a.x_train}
    test = [tuple(x.flatten().tolist()) for x in a.x_test]
    overlap = sum(t in train for t in test)
    assert overlap < 5  # the dataset has a handful of exact duplicate images, no more
    counts = torch.bincount(a.y_test, minlength=10)
    assert int(counts.min()) >= 40 and int(counts.max()) <= 50


def test_bad_fraction_raises():
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits(test_fraction=1.5)
