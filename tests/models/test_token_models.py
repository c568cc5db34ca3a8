"""Tests of ``attn_course.models.token_models``."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from attn_course.data.tasks import marker_task
from attn_course.models.token_models import RecurrentBaseline, TokenTransformer
from attn_course.tools.training import (
    IGNORE_INDEX,
    count_parameters,
    masked_accuracy,
    minibatches,
    train,
)


def test_models_shapes_and_param_counts():
    tokens, _ = marker_task(4, 9, seed=0)
    tf = TokenTransformer(12, 48, d_model=16, n_heads=2, d_ff=32, n_layers=2, max_len=16)
    logits, w = tf(tokens, need_weights=True)
    assert logits.shape == (4, 9, 48) and w.shape == (4, 2, 2, 9, 9)
    gru = RecurrentBaseline(12, 48, d_embed=16, hidden=24)
    assert gru(tokens)[0].shape == (4, 9, 48)
    assert count_parameters(nn.Linear(3, 2)) == 8
    with pytest.raises(ValueError, match="vocab_size"):
        tf(tokens + 20)
    with pytest.raises(ValueError, match="positional"):
        TokenTransformer(12, 4, positional="rotary")


def test_causal_model_ignores_the_future():
    torch.manual_seed(0)
    tf = TokenTransformer(12, 5, d_model=16, n_heads=2, d_ff=32, n_layers=2, causal=True)
    tokens, _ = marker_task(2, 8, seed=0)
    changed = tokens.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % 12
    torch.testing.assert_close(tf(tokens)[0][:, :5], tf(changed)[0][:, :5])


def test_marker_task_is_learnable():
    tokens, targets = marker_task(512, 8, n_tokens=4, n_markers=2, seed=0)
    torch.manual_seed(0)
    model = TokenTransformer(6, 12, d_model=32, n_heads=2, d_ff=64, n_layers=1, max_len=8,
                             positional="learned")

    def loss_fn(m, batch):
        x, y = batch
        return F.cross_entropy(m(x)[0].flatten(0, 1), y.flatten(), ignore_index=IGNORE_INDEX)

    train(model, minibatches(tokens, targets, batch_size=64, seed=0), loss_fn, 150, 1e-2,
          seed=0, progress=False)
    assert masked_accuracy(model(tokens)[0], targets) > 0.9
