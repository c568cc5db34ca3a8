"""Tests of ``attn_course.experiments.complexity``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.data.tasks import recall_batch
from attn_course.experiments.complexity import (
    FLOP_KINDS,
    crossover_n,
    fit_exponent,
    layer_flops,
    max_path_length,
    recurrent_mixing_flops,
    sequential_ops,
    steps_to_accuracy,
    window_pairs,
)
from attn_course.layers.multihead import MultiHeadAttention
from attn_course.models.mixers import (
    MIXER_KINDS,
    ConvStack,
    LastTokenClassifier,
    RecurrentLayer,
    SelfAttentionLayer,
    TorchRecurrentLayer,
    WindowedAttentionLayer,
    make_layer,
)
from attn_course.tools.measure import count_flops, time_call


def _mixing(kind: str, n: int, d: int, k: int, r: int) -> int:
    """The counted FLOPs of the part of a real layer that mixes positions."""
    x = torch.randn(1, n, d)
    if kind == "self-attention":
        return count_flops(SelfAttentionLayer(d, projections=False), x)
    if kind == "restricted":
        return count_flops(WindowedAttentionLayer(d, r, projections=False, block_size=1), x)
    if kind in ("recurrent", "gru"):
        cls = torch.nn.RNN if kind == "recurrent" else torch.nn.GRU
        return recurrent_mixing_flops(lambda d_in: cls(d_in, d, batch_first=True), n, d)["mixing"]
    return count_flops(ConvStack(d, k, 1), x)


@pytest.mark.parametrize("kind", FLOP_KINDS)
@pytest.mark.parametrize(("n", "d", "k", "r"), [(1, 1, 2, 0), (3, 2, 2, 1), (7, 5, 3, 2),
                                                (16, 8, 5, 4)])
def test_mixing_formula_equals_counted_flops(kind: str, n: int, d: int, k: int, r: int) -> None:
    torch.manual_seed(0)
    assert _mixing(kind, n, d, k, r) == layer_flops(kind, n, d, k, r=r)


@pytest.mark.parametrize(("n", "d"), [(1, 2), (6, 4), (13, 8)])
def test_whole_layer_formula_equals_counted_flops(n: int, d: int) -> None:
    x = torch.randn(1, n, d)
    mha = MultiHeadAttention(d, 1)
    assert count_flops(lambda x: mha(x, x, x), x) == layer_flops("self-attention", n, d,
                                                                 accounting="layer")
    for kind, cell in (("recurrent", "rnn"), ("gru", "gru")):
        got = count_flops(TorchRecurrentLayer(d, cell), x)
        assert got == layer_flops(kind, n, d, accounting="layer") == 2 * layer_flops(kind, n, d)
    split = recurrent_mixing_flops(lambda d_in: torch.nn.GRU(d_in, d, batch_first=True), n, d)
    assert split["input"] + split["mixing"] == split["layer"]


def test_window_pairs() -> None:
    assert window_pairs(5, 0) == 5 and window_pairs(5, 10) == 15 and window_pairs(6, 2) == 15


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
        assert crossover_n(d) == d // 2  # 4n²d ≤ 2nd² (only h U mixes positions)
        assert crossover_n(d, "gru") == 3 * d // 2
        assert crossover_n(d, "gru", accounting="layer") == d  # 8nd² + 4n²d ≤ 12nd²
        assert crossover_n(d, accounting="layer") == 0  # never, against a whole Elman layer
        assert crossover_n(d, k=3, versus="convolutional") == 3 * d // 2
    assert [max_path_length("convolutional", n, 3) for n in (1, 3, 4, 9, 10, 27, 28)] == [
        1, 1, 2, 2, 3, 3, 4]
    assert [max_path_length("contiguous", n, 3) for n in (1, 2, 3, 4, 9)] == [1, 1, 1, 2, 4]
    assert [max_path_length("restricted", n, r=4) for n in (1, 5, 6, 64)] == [1, 1, 2, 16]
    with pytest.raises(ValueError, match="window"):
        max_path_length("restricted", 8)
    with pytest.raises(ValueError, match="accounting"):
        layer_flops("recurrent", 4, 4, accounting="all")
    assert max_path_length("recurrent", 50) == 50 == sequential_ops("recurrent", 50)
    assert max_path_length("self-attention", 50) == 1 == sequential_ops("convolutional", 50)
    with pytest.raises(ValueError, match="kind"):
        layer_flops("lstm", 4, 4)
    with pytest.raises(ValueError, match="n ≥ 1"):
        layer_flops("recurrent", 0, 4)


def test_time_call_and_layers() -> None:
    layer = make_layer("convolutional", 8, 30)
    assert len(layer.convs) == max_path_length("convolutional", 30, 3)
    t = time_call(layer, torch.randn(2, 30, 8), repeats=3, warmup=1)
    assert 0 < t < 5
    with pytest.raises(ValueError, match="repeats"):
        time_call(layer, torch.randn(2, 30, 8), repeats=0)
    for kind in MIXER_KINDS:
        assert make_layer(kind, 8, 16)(torch.randn(2, 16, 8)).shape == (2, 16, 8)
    with pytest.raises(ValueError, match="kind"):
        make_layer("lstm", 8, 16)
    with pytest.raises(ValueError, match="cell"):
        TorchRecurrentLayer(8, "elman")
    x = torch.randn(2, 10, 8)
    rnn = RecurrentLayer(8)
    torch.testing.assert_close(rnn(x)[:, 3], rnn.states(x)[3])
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


def test_time_by_threads_shape_and_bad_arguments() -> None:
    from attn_course.experiments.complexity import time_by_threads
    from attn_course.models.mixers import SelfAttentionLayer, TorchRecurrentLayer

    layers = {"a": SelfAttentionLayer(8, projections=False), "g": TorchRecurrentLayer(8, "gru")}
    t = time_by_threads(layers, [4, 16], 8, threads=(1, 2), rounds=2)
    assert set(t) == {"a", "g"} and all(v.shape == (2, 2) and (v > 0).all() for v in t.values())
    with pytest.raises(ValueError, match="rounds"):
        time_by_threads(layers, [4], 8, rounds=0)
