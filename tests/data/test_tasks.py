"""Tests of ``attn_course.data.tasks``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attn_course.data.tasks import (
    associative_recall,
    make_repeat_task,
    marker_task,
    marker_vocab,
    recall_batches,
    recall_vocab,
    split_marker_targets,
)
from attn_course.tools.training import IGNORE_INDEX


def test_repeat_task_labels():
    tokens, labels = make_repeat_task(50, 30, vocab=5, window=3, seed=0)
    t2, l2 = make_repeat_task(50, 30, vocab=5, window=3, seed=0)
    assert torch.equal(tokens, t2) and torch.equal(labels, l2)
    for b in range(5):
        for i in range(30):
            want = int(any(tokens[b, j] == tokens[b, i] for j in range(max(0, i - 3), i)))
            assert labels[b, i] == want


@pytest.mark.parametrize("make", [
    lambda s: marker_task(16, 9, seed=s),
    lambda s: associative_recall(16, 6, n_queries=3, seed=s),
])
def test_deterministic_under_seed(make):
    a, b, c = make(3), make(3), make(4)
    for x, y in zip(a, b):
        assert torch.equal(x, y)
    assert not torch.equal(a[0], c[0])
    assert a[0].dtype == torch.int64 and a[1].dtype == torch.int64


def test_marker_task_labels():
    n_tokens, n_markers = 6, 3
    tokens, targets = marker_task(200, 10, n_tokens=n_tokens, n_markers=n_markers, seed=0)
    assert tokens.shape == targets.shape == (200, 10)
    is_marker = tokens >= n_tokens
    assert torch.all(is_marker.sum(1) == 1), "exactly one marker per sequence"
    assert torch.all(targets[:, 0] == IGNORE_INDEX)
    prev, kind = split_marker_targets(targets[:, 1:], n_markers)
    assert torch.equal(prev, tokens[:, :-1])
    marker_kind = (tokens * is_marker).sum(1) - n_tokens  # (n,)
    assert torch.equal(kind, marker_kind[:, None].expand_as(kind))
    assert int(targets.max()) < (n_tokens + n_markers) * n_markers
    assert len(marker_vocab(n_tokens, n_markers)) == n_tokens + n_markers


def test_associative_recall_labels():
    nk, nv, P, Q = 8, 5, 6, 3
    tokens, targets = associative_recall(100, P, n_keys=nk, n_values=nv, n_queries=Q, seed=1)
    assert tokens.shape == (100, P + Q)
    facts, questions = tokens[:, :P], tokens[:, P:]
    assert torch.all(facts < nk * nv) and torch.all(questions >= nk * nv)
    assert torch.all(targets[:, :P] == IGNORE_INDEX)
    names = recall_vocab(nk, nv)
    assert len(names) == nk * (nv + 1)
    for b in range(100):
        keys = (facts[b] // nv).tolist()
        assert len(set(keys)) == P, "keys in a list are distinct"
        table = dict(zip(keys, (facts[b] % nv).tolist()))
        asked = (questions[b] - nk * nv).tolist()
        assert len(set(asked)) == Q
        for j, k in enumerate(asked):
            assert targets[b, P + j] == table[k]
            assert names[int(questions[b, j])] == names[k * nv + table[k]][0] + "?"


def test_recall_batches_reproducible_and_varied():
    f, g = recall_batches(8, (2, 6), seed=5, n_keys=8), recall_batches(8, (2, 6), seed=5, n_keys=8)
    lengths = set()
    for step in range(12):
        a, b = f(step), g(step)
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
        lengths.add(a[0].shape[1])
    assert len(lengths) > 1, "lengths should vary from step to step"
    assert not torch.equal(f(0)[0], f(1)[0]) or f(0)[0].shape != f(1)[0].shape


@pytest.mark.parametrize("bad", [
    lambda: marker_task(4, 1, seed=0),
    lambda: marker_task(4, 5, n_markers=99, seed=0),
    lambda: associative_recall(4, 9, n_keys=8, seed=0),
    lambda: associative_recall(4, 3, n_queries=4, seed=0),
    lambda: associative_recall(4, 3, seed=-1),
    lambda: recall_batches(4, (5, 2), seed=0),
])
def test_bad_arguments(bad):
    with pytest.raises(ValueError):
        bad()


def test_marker_positions_cover_the_sequence():
    tokens, _ = marker_task(2000, 8, seed=0)
    pos = (tokens >= 8).float().argmax(1).numpy()
    counts = np.bincount(pos, minlength=8)
    assert counts.min() > 150, "marker position should be uniform"


def test_recall_answer_positions():
    from attn_course.data.tasks import recall_answer_positions

    nk, nv, P = 8, 5, 6
    tokens, targets = associative_recall(50, P, n_keys=nk, n_values=nv, n_queries=3, seed=2)
    pos = recall_answer_positions(tokens, P, n_keys=nk, n_values=nv)
    assert pos.shape == (50, 3)
    facts = torch.gather(tokens[:, :P], 1, pos)  # (n, Q)
    assert torch.equal(facts // nv, tokens[:, P:] - nk * nv), "the fact has the asked key"
    assert torch.equal(facts % nv, targets[:, P:]), "and its value is the label"
    with pytest.raises(ValueError, match="n_keys"):
        recall_answer_positions(tokens, P, n_keys=nk, n_values=nv + 1)
