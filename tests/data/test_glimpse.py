"""Tests of ``attn_course.data.glimpse``."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.data.digits import load_digit_images
from attn_course.data.glimpse import crop, make_scenes


@pytest.fixture(scope="module")
def digits():
    return load_digit_images()


def test_digits_and_scenes(digits):
    images, labels = digits
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert 0 <= images.min() and images.max() <= 1
    s = make_scenes(images[:20], labels[:20], size=40, seed=1)
    s2 = make_scenes(images[:20], labels[:20], size=40, seed=1)
    np.testing.assert_array_equal(s.scenes, s2.scenes)
    assert s.scenes.shape == (20, 40, 40) and s.positions.shape == (20, 2)
    # the digit sits where the positions say, drawn over the clutter
    np.testing.assert_allclose(crop(s.ink, s.positions), images[:20], atol=1e-6)
    assert np.all(s.scenes >= s.ink)
    with pytest.raises(ValueError, match="digits must have shape"):
        make_scenes(np.zeros((2, 5, 5)), np.zeros(2))
