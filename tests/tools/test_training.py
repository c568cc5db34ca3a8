"""Tests of ``attn_course.tools.training``."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from attn_course.tools.training import (
    IGNORE_INDEX,
    masked_accuracy,
    minibatches,
    train,
)


def _regression_setup():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 3, generator=g)
    y = x @ torch.tensor([1.0, -2.0, 0.5]) + 0.3
    return x, y


def _mse(model, batch):
    x, y = batch
    return F.mse_loss(model(x).squeeze(-1), y)


def test_train_reduces_loss_and_is_reproducible():
    x, y = _regression_setup()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Linear(3, 1)
        h = train(model, minibatches(x, y, batch_size=16, seed=0), _mse, 150, 0.05, seed=0,
                  progress=False)
        runs.append((h, model.weight.detach().clone()))
    (h1, w1), (h2, w2) = runs
    assert h1["loss"] == h2["loss"] and torch.equal(w1, w2)
    assert h1["loss"][-1] < 0.05 * h1["loss"][0]
    assert len(h1["grad_norm"]) == len(h1["lr"]) == 150
    assert not model.training, "train() leaves the model in eval mode"


def test_sgd_steps_are_plain_gradient_descent():
    x, y = _regression_setup()
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    w0 = model.weight.detach().clone()
    g = torch.autograd.grad(_mse(model, (x, y)), model.weight)[0]
    train(model, lambda step: (x, y), _mse, 1, 0.1, seed=None, progress=False, optimizer="sgd")
    torch.testing.assert_close(model.weight.detach(), w0 - 0.1 * g)
    with pytest.raises(ValueError, match="optimizer"):
        train(model, lambda step: (x, y), _mse, 1, 0.1, seed=None, optimizer="adam")


def test_warmup_and_cosine_schedule():
    x, y = _regression_setup()
    h = train(nn.Linear(3, 1), lambda step: (x, y), _mse, 20, 1.0, seed=0, progress=False,
              warmup=4, schedule="cosine")
    assert h["lr"][:4] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert all(a > b for a, b in zip(h["lr"][3:], h["lr"][4:])), "cosine decays after warm-up"
    assert h["lr"][-1] == pytest.approx(0.0, abs=1e-12)


def test_on_step_can_stop_early_and_sees_every_step():
    x, y = _regression_setup()
    seen = []

    def on_step(step, loss):
        seen.append((step, loss))
        return step == 6

    h = train(nn.Linear(3, 1), lambda s: (x, y), _mse, 50, 0.05, seed=0, progress=False,
              on_step=on_step)
    assert [s for s, _ in seen] == list(range(7)) and len(h["loss"]) == 7
    assert [loss for _, loss in seen] == h["loss"]


def test_seed_none_leaves_the_generators_alone():
    x, y = _regression_setup()
    model = nn.Linear(3, 1)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train(model, lambda s: (x, y), _mse, 3, 0.05, seed=None, progress=False)
    assert torch.equal(torch.rand(3), expected)


def test_diverged_run_stops():
    def loss_fn(model, batch):
        return model.weight.sum() * float("nan")
    h = train(nn.Linear(2, 1), lambda s: None, loss_fn, 10, 0.1, seed=0, progress=False)
    assert len(h["loss"]) == 1


def test_minibatches_cover_an_epoch():
    x = torch.arange(10)
    it = minibatches(x, batch_size=5, seed=0)
    seen = torch.cat([next(it)[0], next(it)[0]])
    assert sorted(seen.tolist()) == list(range(10))
    again = minibatches(x, batch_size=5, seed=0)
    assert torch.equal(next(again)[0], seen[:5])
    with pytest.raises(ValueError, match="first axis"):
        next(minibatches(x, torch.zeros(3), batch_size=2, seed=0))
    with pytest.raises(ValueError, match="batch_size"):
        next(minibatches(x, batch_size=11, seed=0))


def test_masked_accuracy():
    logits = torch.tensor([[[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]])
    targets = torch.tensor([[1, 1, IGNORE_INDEX]])
    assert masked_accuracy(logits, targets) == 0.5
    with pytest.raises(ValueError, match="disagree"):
        masked_accuracy(logits, targets[:, :2])
    with pytest.raises(ValueError, match="no labelled"):
        masked_accuracy(logits, torch.full((1, 3), IGNORE_INDEX))


def test_token_cross_entropy_ignores_unlabelled_positions_and_checks_shapes():
    import pytest
    import torch

    from attn_course.tools.training import IGNORE_INDEX, token_cross_entropy

    logits = torch.randn(2, 3, 5)

    class Fixed(torch.nn.Module):
        def forward(self, tokens):
            return logits, None

    targets = torch.tensor([[1, IGNORE_INDEX, 4], [0, 2, IGNORE_INDEX]])
    keep = targets != IGNORE_INDEX
    expected = torch.nn.functional.cross_entropy(logits[keep], targets[keep])
    torch.testing.assert_close(token_cross_entropy(Fixed(), (torch.zeros(2, 3), targets)), expected)
    with pytest.raises(ValueError, match=r"logits.*\(2, 3, 5\).*targets.*\(2, 4\)"):
        token_cross_entropy(Fixed(), (torch.zeros(2, 4), torch.zeros(2, 4, dtype=torch.long)))
