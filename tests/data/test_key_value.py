"""Tests of ``attn_course.data.key_value``."""

from __future__ import annotations

import numpy as np

from attn_course.data.key_value import make_regression_data


def test_data_is_deterministic():
    a = make_regression_data(10, seed=3)
    b = make_regression_data(10, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], make_regression_data(10, seed=4)[1])
