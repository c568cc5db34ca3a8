"""Tests of ``attn_course.models.positions``."""

from __future__ import annotations

import pytest
import torch

from attn_course.models.positions import PositionModel


@pytest.mark.parametrize("method", ["none", "sinusoidal", "learned", "rope", "alibi"])
def test_model_shapes_and_causality(method):
    torch.manual_seed(0)
    model = PositionModel(6, 2, method, d_model=16, n_heads=2, n_layers=1, max_len=40)
    tokens = torch.randint(6, (3, 20))
    out = model(tokens)
    assert out.shape == (3, 20, 2)
    changed = tokens.clone()
    changed[:, -1] = (changed[:, -1] + 1) % 6
    torch.testing.assert_close(model(changed)[:, :-1], out[:, :-1])  # no peeking ahead
