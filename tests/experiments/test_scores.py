"""Tests of ``attn_course.experiments.scores``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from attn_course.core.scores import SCORE_NAMES
from attn_course.data.alignment import alignment_task
from attn_course.experiments.scores import (
    additive_cost_split,
    all_scores,
    counted_matmul_flops,
    init_score_params,
    key_length_sweep,
    make_score_demo,
    score_cost_table,
    score_flops,
    score_param_count,
    time_score,
)


def _demo(seed=0):
    d = make_score_demo(seed=seed)
    return d.queries, d.keys, d.params


def test_demo_is_deterministic_and_shaped():
    q, k, p = _demo(seed=2)
    q2, k2, p2 = _demo(seed=2)
    np.testing.assert_array_equal(q, q2)
    np.testing.assert_array_equal(p["W_loc"], p2["W_loc"])
    assert q.shape == (4, 4) and k.shape == (6, 4)
    assert p["W"].shape == (4, 4) and p["W_q"].shape == (4, 16) and p["w_v"].shape == (16,)
    assert p["W_loc"].shape == (4, 6)
    np.testing.assert_allclose(sorted(np.linalg.norm(k, axis=1)), np.linspace(0.5, 2.5, 6))


def test_demo_targets_come_from_the_generator():
    demo = make_score_demo(n_q=4, n_k=6, seed=0)
    np.testing.assert_array_equal(demo.targets, [0, 2, 4, 0])
    task = alignment_task(4, seed=0, targets=demo.targets)
    np.testing.assert_array_equal(task.keys, demo.keys)
    np.testing.assert_array_equal(task.queries, demo.queries)
    # each query points at its target key's direction: cosine finds every one
    cos = demo.queries @ task.directions.T / np.linalg.norm(demo.queries, axis=1)[:, None]
    np.testing.assert_array_equal(cos.argmax(1), demo.targets)


def test_all_scores_numpy_and_torch_agree():
    q, k, p = _demo()
    s = all_scores(q, k, p)
    assert set(s) == set(SCORE_NAMES) and all(v.shape == (4, 6) for v in s.values())
    st = all_scores(torch.from_numpy(q), torch.from_numpy(k), {n: torch.from_numpy(v) for n, v in p.items()})
    for name in SCORE_NAMES:
        np.testing.assert_allclose(st[name].numpy(), s[name], atol=1e-12)
    np.testing.assert_allclose(s["scaled_dot"], s["dot"] / 2.0)
    np.testing.assert_allclose(s["general"], q @ p["W"] @ k.T)


def test_location_ignores_key_content():
    q, k, p = _demo()
    s1 = all_scores(q, k, p)
    s2 = all_scores(q, k[::-1], p)
    np.testing.assert_array_equal(s1["location"], s2["location"])
    np.testing.assert_allclose(s1["dot"][:, ::-1], s2["dot"])


def test_param_counts():
    assert score_param_count("dot", 8, 8, 5, 3) == 0
    assert score_param_count("general", 8, 6, 5, 3) == 48
    assert score_param_count("additive", 8, 6, 5, 3) == 8 * 3 + 6 * 3 + 3
    assert score_param_count("location", 8, 6, 5, 3) == 40
    p = init_score_params(8, 6, 5, 3)
    assert p["W"].size == 48 and p["W_q"].size + p["W_k"].size + p["w_v"].size == 45
    with pytest.raises(ValueError, match="score must be one of"):
        score_param_count("bilinear", 1, 1, 1, 1)


@pytest.mark.parametrize("name", SCORE_NAMES)
def test_formula_matches_torch_flop_counter(name):
    n_q, n_k, d, d_a = 5, 7, 4, 3
    q, k = torch.randn(n_q, d), torch.randn(n_k, d)
    p = {n: torch.from_numpy(v).float() for n, v in init_score_params(d, d, n_k, d_a).items()}
    counted = counted_matmul_flops(name, q, k, p)
    formula = score_flops(name, n_q, n_k, d, d, d_a, matmul_only=True)
    if name == "additive":  # the counter misses the final contraction with w_v (a matrix-vector product)
        assert counted == formula - 2 * n_q * n_k * d_a
    else:
        assert counted == formula
    assert score_flops(name, n_q, n_k, d, d, d_a) >= formula


def test_timing_and_table():
    q, k = torch.randn(16, 8), torch.randn(16, 8)
    assert time_score("dot", q, k, {}, repeats=3) > 0
    rows = score_cost_table(32, 32, 8, 8, repeats=2)
    assert [r["name"] for r in rows] == list(SCORE_NAMES)
    assert all(r["seconds"] > 0 and r["flops"] >= r["matmul_flops"] for r in rows)


def test_key_length_sweep():
    L = np.linspace(0.25, 4, 16)
    w = key_length_sweep(L, angle_deg=50, names=("dot", "cosine", "scaled_dot"))
    assert np.all(np.diff(w["dot"]) > 0)
    np.testing.assert_allclose(w["cosine"], w["cosine"][0])
    cross = 1 / math.cos(math.radians(50))
    assert np.all(w["dot"][L > cross] > 0.5) and np.all(w["dot"][L < cross] < 0.5)
    assert np.all(w["cosine"] < 0.5)
    with pytest.raises(ValueError, match="names"):
        key_length_sweep(L, names=("general",))


def test_distance_is_dot_product_with_a_key_norm_penalty():
    L = np.linspace(0.25, 4, 31)
    w = key_length_sweep(L, angle_deg=50, names=("distance",))["distance"]
    assert w.argmax() < len(L) - 1 and w[-1] < w.max() / 10  # long keys lose
    # −½‖q − k‖² = qᵀk − ½‖k‖² − ½‖q‖²: the last term is shared by all keys
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=(3, 5)), rng.normal(size=(7, 5))
    lhs = -0.5 * ((q[:, None] - k[None]) ** 2).sum(-1)
    rhs = q @ k.T - 0.5 * (k**2).sum(-1) - 0.5 * (q**2).sum(-1)[:, None]
    np.testing.assert_allclose(lhs, rhs, atol=1e-12)


def test_additive_cost_split():
    split = additive_cost_split(16, 12, 8, 4, repeats=2)
    assert list(split.seconds)[:4] == ["projections q W_q, k W_k", "broadcast add", "tanh",
                                       "matrix-vector product with w_v"]
    assert all(v > 0 for v in split.seconds.values())
    assert split.hidden_bytes == 16 * 12 * 4 * 4 and split.score_bytes == 16 * 12 * 4
