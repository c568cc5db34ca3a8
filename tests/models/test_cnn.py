"""Tests of ``attn_course.models.cnn``."""

from __future__ import annotations

import pytest
import torch

from attn_course.layers.vision import NONLOCAL_FORMS
from attn_course.models.cnn import BLOCKS, AttentionCNN, SmallCNN
from attn_course.tools.training import count_parameters


@pytest.mark.parametrize("block", BLOCKS)
def test_small_cnn_logits_and_budget(block):
    torch.manual_seed(0)
    m = SmallCNN(block)
    assert m(torch.randn(5, 1, 8, 8)).shape == (5, 10)
    assert m.features(torch.randn(5, 1, 8, 8)).shape == (5, 32, 8, 8)
    assert 10_000 <= count_parameters(m) <= 30_000


@pytest.mark.parametrize("block", BLOCKS)
def test_attention_cnn_presets(block):
    torch.manual_seed(0)
    canvas = AttentionCNN.for_canvas(block)
    assert canvas(torch.randn(3, 1, 24, 24)).shape == (3, 10)
    assert canvas.features(torch.randn(3, 1, 24, 24)).shape == (3, 32, 12, 12)
    marks = AttentionCNN.for_marks(block)
    assert marks(torch.randn(3, 1, 16, 16)).shape == (3, 2)
    assert marks.features(torch.randn(3, 1, 16, 16)).shape == (3, 8, 8, 8)


@pytest.mark.parametrize("form", NONLOCAL_FORMS)
def test_attention_cnn_without_block_ignores_the_form_and_with_it_starts_equal(form):
    """γ = 0: a fresh network with the block computes what the same weights without it do."""
    torch.manual_seed(1)
    with_block = AttentionCNN.for_marks("nonlocal", form).eval()
    plain = AttentionCNN.for_marks("none").eval()
    plain.stem.load_state_dict(with_block.stem.state_dict())
    plain.head.load_state_dict(with_block.head.state_dict())
    x = torch.randn(4, 1, 16, 16)
    torch.testing.assert_close(with_block(x), plain(x))


def test_attention_cnn_bad_input():
    with pytest.raises(ValueError, match="form must be one of"):
        AttentionCNN("nonlocal", form="additive")
    with pytest.raises(ValueError, match=r"\(B, 1, H, W\)"):
        AttentionCNN.for_canvas()(torch.randn(2, 3, 24, 24))
