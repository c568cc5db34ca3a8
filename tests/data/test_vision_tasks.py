"""Tests of ``attn_course.data.vision_tasks``: the cluttered canvas and the opposite marks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attn_course.data.digits import load_digits
from attn_course.data.vision_tasks import cluttered_digits, mark_shapes, opposite_marks


@pytest.fixture(scope="module")
def digits():
    d = load_digits(seed=0)
    return d.x_train[:200, 0].numpy(), d.y_train[:200].numpy()


def test_cluttered_canvas_holds_its_digit_where_it_says(digits):
    images, labels = digits
    c = cluttered_digits(images, labels, 50, 0, noise=0.0)
    assert c.x.shape == (50, 1, 24, 24) and c.y.shape == (50,) and c.corner.shape == (50, 2)
    mask = c.digit_mask()
    assert mask.shape == (50, 24, 24) and bool((mask.sum((1, 2)) == 64).all())
    for i in range(50):
        r, col = c.corner[i].tolist()
        box = c.x[i, 0, r:r + 8, col:col + 8].numpy()
        # the digit is drawn last with a maximum: every pixel of the box is at least the
        # digit's own value, and some image of that label matches it there
        matches = [np.all(box >= images[j] - 1e-6) for j in np.flatnonzero(labels == c.y[i].item())]
        assert any(matches)


def test_cluttered_streaks_follow_the_orientation(digits):
    images, labels = digits
    c = cluttered_digits(images, labels, 40, 1, n_fragments=0, noise=0.0,
                         streak_length=(6, 6), side=24)
    for i in range(40):
        img = c.x[i, 0].clone()
        img[c.digit_mask()[i]] = 0  # streaks only
        rows, cols = torch.nonzero(img > 0, as_tuple=True)
        if len(rows) == 0:
            continue
        lines = cols if c.vertical[i] else rows  # a vertical streak keeps its column
        assert len(torch.unique(lines)) <= 3  # three streaks at most three lines


def test_cluttered_is_deterministic_and_checks_arguments(digits):
    images, labels = digits
    a, b = cluttered_digits(images, labels, 5, 7), cluttered_digits(images, labels, 5, 7)
    torch.testing.assert_close(a.x, b.x)
    with pytest.raises(ValueError, match=r"\(M, 8, 8\)"):
        cluttered_digits(images[:, :4], labels, 5, 0)
    with pytest.raises(ValueError, match="streak_length"):
        cluttered_digits(images, labels, 5, 0, streak_length=(8, 30))
    with pytest.raises(ValueError, match="side"):
        cluttered_digits(images, labels, 5, 0, side=6)


def test_mark_shapes_are_distinct_and_equally_bright():
    s = mark_shapes(6, 3, on=5)
    assert s.shape == (6, 3, 3) and bool((s.sum((1, 2)) == 5).all())
    assert len({x.tobytes() for x in s}) == 6
    with pytest.raises(ValueError, match="n_shapes"):
        mark_shapes(1)


def test_opposite_marks_labels_masks_and_corners():
    m = opposite_marks(400, 3, side=16, jitter=2)
    assert m.x.shape == (400, 1, 16, 16) and m.masks.shape == (400, 2, 16, 16)
    torch.testing.assert_close(m.y, (m.shapes[:, 0] == m.shapes[:, 1]).long())
    assert 0.4 < m.y.float().mean() < 0.6
    shapes = torch.as_tensor(mark_shapes(4))
    for i in range(400):
        for k in range(2):
            rows, cols = torch.nonzero(m.masks[i, k], as_tuple=True)
            assert len(rows) == 9  # a 3×3 square
            patch = m.x[i, 0, rows.min():rows.max() + 1, cols.min():cols.max() + 1]
            torch.testing.assert_close(patch, shapes[m.shapes[i, k]])
        r0, r1 = (torch.nonzero(m.masks[i, k])[:, 0].float().mean() for k in range(2))
        c0, c1 = (torch.nonzero(m.masks[i, k])[:, 1].float().mean() for k in range(2))
        assert r0 <= 3 and r1 >= 12 and abs(c0 - c1) >= 9  # opposite corners
    with pytest.raises(ValueError, match="side"):
        opposite_marks(3, 0, side=8, jitter=2)
