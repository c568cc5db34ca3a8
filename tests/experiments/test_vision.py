"""Tests of ``attn_course.experiments.vision``."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from attn_course.core.attention import scaled_dot_product_attention
from attn_course.data.digits import load_digits
from attn_course.experiments.vision import (
    attention_cost,
    conv_cost,
    measure_pixel_costs,
    train_classifier,
)
from attn_course.tools.training import accuracy


def test_accuracy_and_training_wrapper():
    d = load_digits()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    before = accuracy(model, d.x_test, d.y_test)
    r = train_classifier(model, d, epochs=3, lr=1e-2, progress=False)
    assert r.test_accuracy > 0.85 > before
    assert r.losses[-1] < r.losses[0]
    with pytest.raises(ValueError, match="same length"):
        accuracy(model, d.x_test, d.y_test[:3])


@pytest.mark.parametrize("threads", [1, 2])
def test_train_classifier_honours_threads(threads):
    """The thread count asked for is the one the training runs on (it used to be
    overridden by the loop's own default of one thread), and it is restored afterwards."""
    seen = []

    class Probe(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(64, 10)

        def forward(self, x):
            if self.training:
                seen.append(torch.get_num_threads())
            return self.linear(x.flatten(1))

    d = load_digits()
    before = torch.get_num_threads()
    train_classifier(Probe(), d, epochs=1, batch_size=256, progress=False, threads=threads)
    assert seen and set(seen) == {threads}
    assert torch.get_num_threads() == before


def test_costs_count_and_scale():
    a8, a16 = attention_cost(8, 8, 32), attention_cost(16, 16, 32)
    assert a8["positions"] == 64 and a8["weight_bytes"] == 64 * 64 * 4
    assert a16["flops"] == 16 * a8["flops"]  # doubling the side: (2²)² = 16×
    assert conv_cost(16, 16, 4, 4)["flops"] == 4 * conv_cost(8, 8, 4, 4)["flops"]
    assert attention_cost(224, 224, 1)["weight_bytes"] == 50176**2 * 4
    with pytest.raises(ValueError, match="height"):
        attention_cost(0, 8, 4)
    # the FLOP count matches the matrices the core function builds
    q = torch.randn(1, 64, 32)
    _, w = scaled_dot_product_attention(q, q, q)
    assert w.numel() * 4 == a8["weight_bytes"]


def test_measure_pixel_costs_times_only_small_sizes():
    rows = measure_pixel_costs([4, 8, 300], max_measured=8, repeats=1, channels=4, d_k=4)
    assert [r.size for r in rows] == [4, 8, 300]
    assert rows[0].attn_seconds > 0 and rows[1].conv_seconds > 0
    assert rows[2].attn_seconds is None and rows[2].positions == 90_000
