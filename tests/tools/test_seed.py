"""Tests of ``attn_course.tools.seed``."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import attn_course as ac


def test_set_seed_repeats_every_generator():
    def draw():
        g = ac.set_seed(7)
        return random.random(), np.random.rand(), torch.rand(1).item(), g.random()  # noqa: NPY002

    assert draw() == draw()
    a = draw()
    ac.set_seed(8)
    assert torch.rand(1).item() != a[2]


@pytest.mark.parametrize("bad", [-1, 1.5, "x"])
def test_bad_seed(bad):
    with pytest.raises((ValueError, TypeError)):
        ac.set_seed(bad)
