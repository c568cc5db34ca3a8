"""Tests of ``attn_course.models.cnn``."""

from __future__ import annotations

import pytest
import torch

from attn_course.models.cnn import BLOCKS, SmallCNN
from attn_course.tools.training import count_parameters


@pytest.mark.parametrize("block", BLOCKS)
def test_small_cnn_logits_and_budget(block):
    torch.manual_seed(0)
    m = SmallCNN(block)
    assert m(torch.randn(5, 1, 8, 8)).shape == (5, 10)
    assert m.features(torch.randn(5, 1, 8, 8)).shape == (5, 32, 8, 8)
    assert 10_000 <= count_parameters(m) <= 30_000
