"""Tests of ``attn_course.data.repeats`` and ``attn_course.data.sentiment``."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.data.repeats import periodic_sequences, repeated_segments
from attn_course.data.sentiment import N_NEG, N_POS, sentiment_task


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 8), st.integers(0, 100))
def test_periodic_sequences_repeat_with_their_period(lo, seed):
    g = torch.Generator().manual_seed(seed)
    tokens, period = periodic_sequences(6, 30, 7, min_period=lo, max_period=lo + 5, generator=g)
    assert tokens.shape == (6, 30) and period.shape == (6,)
    assert bool(((period >= lo) & (period <= lo + 5)).all())
    for row, p in zip(tokens, period.tolist()):
        assert torch.equal(row[p:], row[:-p])
    assert int(tokens.max()) < 7


def test_repeated_segments_and_errors():
    t = repeated_segments(4, 9, 20, seed=3)
    assert t.shape == (4, 18) and torch.equal(t[:, :9], t[:, 9:])
    assert torch.equal(t, repeated_segments(4, 9, 20, seed=3))
    with pytest.raises(ValueError, match="max_period"):
        periodic_sequences(2, 10, 5, min_period=3, max_period=11,
                           generator=torch.Generator())
    with pytest.raises(ValueError, match="segment"):
        repeated_segments(2, 0, 5, seed=0)


def test_sentiment_labels_follow_the_important_words():
    task = sentiment_task(200, 12, seed=1)
    assert task.tokens.shape == (200, 13) and task.important.shape == (200, 12)
    assert bool((task.tokens[:, 0] == task.cls).all())
    words = task.tokens[:, 1:]
    value = (words < N_POS).long() - ((words >= N_POS) & (words < N_POS + N_NEG)).long()
    assert torch.equal(task.important, value != 0)
    assert torch.equal(task.labels, (value.sum(1) > 0).long())
    assert bool((value.sum(1) != 0).all())  # no ties
    counts = task.important.sum(1)
    assert int(counts.min()) >= 1 and int(counts.max()) <= 5
    assert 0.2 < float(task.labels.float().mean()) < 0.8
    with pytest.raises(ValueError, match="max_sentiment"):
        sentiment_task(3, 4, seed=0, max_sentiment=5)
