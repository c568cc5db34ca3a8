"""Tests of ``attn_course.experiments.complexity``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.data.tasks import recall_batch
from attn_course.experiments.complexity import (
    LAYER_KINDS,
    crossover_n,
    fit_exponent,
    gradient_by_distance,
    graph_depth,
    layer_flops,
    max_path_length,
    min_depth_to_connect,
    sequential_ops,
    steps_to_accuracy,
)
from attn_course.models.mixers import (
    DilatedConvStack,
    LastTokenClassifier,
    RecurrentLayer,
    SelfAttentionLayer,
    make_layer,
)
from attn_course.tools.measure import count_flops, time_call


def _bare(kind: str, d: int, k: int) -> torch.nn.Module:
    if kind == "self-attention":
        return SelfAttentionLayer(d, projections=False)
    if kind == "recurrent":
        return RecurrentLayer(d)
    return DilatedConvStack(d, k, 1)


@pytest.mark.parametrize("kind", LAYER_KINDS)
@pytest.mark.parametrize(("n", "d", "k"), [(1, 1, 2), (3, 2, 2), (7, 5, 3), (16, 8, 5)])
def test_formula_equals_counted_flops(kind: str, n: int, d: int, k: int) -> None:
    torch.manual_seed(0)
    layer = _bare(kind, d, k)
    assert count_flops(layer, torch.randn(1, n, d)) == layer_flops(kind, n, d, k)


def test_projections_add_six_n_d_squared() -> None:
    n, d = 6, 4
    got = count_flops(SelfAttentionLayer(d), torch.randn(1, n, d))
    assert got == layer_flops("self-attention", n, d) + 3 * 2 * n * d * d


@settings(max_examples=25, deadline=None)
@given(st.floats(0.5, 3.0), st.floats(0.1, 100.0), st.integers(0, 1000))
def test_fit_exponent_recovers_a_power_law(p: float, c: float, seed: int) -> None:
    x = np.array([8, 16, 32, 64, 128, 256], dtype=float)
    noise = np.exp(np.random.default_rng(seed).normal(0, 0.05, x.size))
    assert abs(fit_exponent(x, c * x**p * noise) - p) < 0.1


def test_fit_exponent_on_synthetic_cost_curves() -> None:
    n = np.array([32, 64, 128, 256, 512])
    assert fit_exponent(n, [layer_flops("self-attention", m, 64) for m in n]) == pytest.approx(2)
    assert fit_exponent(n, [layer_flops("recurrent", 64, m) for m in n]) == pytest.approx(2)
    assert fit_exponent(n, [layer_flops("convolutional", m, 64) for m in n]) == pytest.approx(1)
    with pytest.raises(ValueError, match="positive"):
        fit_exponent([1, 2], [0.0, 1.0])


def test_crossover_and_table_formulas() -> None:
    for d in (8, 64, 100):
        assert crossover_n(d) == d
        assert crossover_n(d, k=3, versus="convolutional") == 3 * d // 2
    assert [max_path_length("convolutional", n, 3) for n in (1, 3, 4, 9, 10, 27, 28)] == [
        1, 1, 2, 2, 3, 3, 4]
    assert max_path_length("recurrent", 50) == 50 == sequential_ops("recurrent", 50)
    assert max_path_length("self-attention", 50) == 1 == sequential_ops("convolutional", 50)
    with pytest.raises(ValueError, match="kind"):
        layer_flops("lstm", 4, 4)
    with pytest.raises(ValueError, match="n ≥ 1"):
        layer_flops("recurrent", 0, 4)


@pytest.mark.parametrize("n", [3, 9, 20])
def test_measured_path_length_matches_the_table(n: int) -> None:
    d, k = 4, 3
    torch.manual_seed(0)
    rnn, sa = RecurrentLayer(d), SelfAttentionLayer(d)
    conv = DilatedConvStack(d, k, 6)
    assert min_depth_to_connect(lambda x, D: rnn(x, window=D), n, d, 40) == n
    assert min_depth_to_connect(lambda x, D: conv(x, D), n, d, 6) == max_path_length(
        "convolutional", n, k)
    assert min_depth_to_connect(lambda x, D: sa(x), n, d, 5) == 1


def test_graph_depth_grows_with_n_only_for_the_recurrence() -> None:
    d = 4
    torch.manual_seed(0)
    rnn, sa = RecurrentLayer(d), SelfAttentionLayer(d)
    depth = {n: (graph_depth(rnn(torch.randn(1, n, d, requires_grad=True))),
                 graph_depth(sa(torch.randn(1, n, d, requires_grad=True)))) for n in (4, 8, 16)}
    assert depth[16][0] - depth[8][0] == 2 * (depth[8][0] - depth[4][0]) > 0
    assert depth[4][1] == depth[8][1] == depth[16][1]
    with pytest.raises(ValueError, match="graph"):
        graph_depth(torch.zeros(2))


def test_gradient_by_distance() -> None:
    torch.manual_seed(0)
    n, d = 12, 4
    x = torch.randn(1, n, d)
    conv = DilatedConvStack(d, 3, 1)  # sees only the last 3 positions
    g = gradient_by_distance(conv, x)
    assert g.shape == (n,) and np.all(g[:3] > 0) and np.all(g[3:] == 0)
    g_sa = gradient_by_distance(SelfAttentionLayer(d), x)
    assert np.all(g_sa > 0)
    with pytest.raises(ValueError, match="shape"):
        gradient_by_distance(conv, torch.randn(n, d))


def test_time_call_and_layers() -> None:
    layer = make_layer("convolutional", 8, 30)
    assert len(layer.convs) == max_path_length("convolutional", 30, 3)
    t = time_call(layer, torch.randn(2, 30, 8), repeats=3, warmup=1)
    assert 0 < t < 5
    with pytest.raises(ValueError, match="repeats"):
        time_call(layer, torch.randn(2, 30, 8), repeats=0)
    for kind in LAYER_KINDS:
        assert make_layer(kind, 8, 16)(torch.randn(2, 16, 8)).shape == (2, 16, 8)
    with pytest.raises(ValueError, match="shape"):
        RecurrentLayer(8)(torch.randn(2, 16, 7))


def test_recall_task_and_a_short_training_run() -> None:
    gen = torch.Generator().manual_seed(0)
    tokens, labels = recall_batch(5, 10, 3, 7, gen)
    assert torch.equal(labels, tokens[:, 6])
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    assert torch.equal(recall_batch(4, 6, 0, 5, g1)[0], recall_batch(4, 6, 0, 5, g2)[0])
    with pytest.raises(ValueError, match="distance"):
        recall_batch(2, 5, 5, 3, gen)
    torch.manual_seed(0)
    model = LastTokenClassifier(make_layer("self-attention", 16, 8), 4, 8, 16)
    steps, accs = steps_to_accuracy(model, 8, 2, 4, max_steps=200, eval_every=10)
    assert steps is not None and accs[-1] >= 0.9
