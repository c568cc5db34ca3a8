"""Tests of ``attn_course.experiments.learned_scores``."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.data.alignment import alignment_task
from attn_course.experiments.learned_scores import (
    fit_score,
    fit_score_convex,
    learned_scores_experiment,
    retrieve,
)
from attn_course.experiments.scores import init_score_params


def test_training_finds_the_targets():
    task = alignment_task(128, seed=0, query_seed=1)
    p0 = init_score_params(4, 4, 6, 8, seed=1)
    p, hist = fit_score("additive", task.queries, task.keys, task.targets, p0, steps=60)
    assert hist[-1] < 0.5 * hist[0]
    acc = np.mean(retrieve("additive", task.queries, task.keys, np.eye(6), p).argmax(1)
                  == task.targets)
    assert acc > 0.8
    pg = fit_score_convex("general", task.queries, task.keys, task.targets, p0)
    # at the optimum of a convex loss, more Adam steps cannot do better
    p_more, hist_more = fit_score("general", task.queries, task.keys, task.targets, pg, steps=20,
                                  lr=1e-3)
    assert hist_more.min() >= hist_more[0] - 1e-6
    with pytest.raises(ValueError, match="convex"):
        fit_score_convex("additive", task.queries, task.keys, task.targets, p0)


def test_shuffling_the_store_separates_content_from_location():
    r = learned_scores_experiment(seeds=(0,), n_train=128, n_test=128, steps=60)
    for name in ("dot", "cosine", "general", "additive"):
        assert r.max_change[name] < 1e-9  # the same value is retrieved
        assert r.accuracy[name][0, 1] == r.accuracy[name][0, 2]
    assert r.accuracy["location"][0, 1] > 0.8 > 0.2 > r.accuracy["location"][0, 2]
    for name in ("general", "additive", "location"):
        assert r.accuracy[name][0, 1] > r.accuracy[name][0, 0]
    np.testing.assert_array_equal(r.accuracy["dot"][0, 0], r.accuracy["dot"][0, 1])
