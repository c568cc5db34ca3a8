"""Tests of ``attn_course.experiments.bahdanau``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attn_course.data.translation import (
    make_split,
    source_vocab,
    target_vocab,
)
from attn_course.experiments.bahdanau import (
    LengthReport,
    accuracy_by_length,
    bucket_accuracy,
    sentence_scores,
    train_seq2seq,
)
from attn_course.models.seq2seq import Seq2Seq


def test_sentence_scores() -> None:
    assert sentence_scores(["a", "b"], ["a", "b"]) == (1.0, True)
    assert sentence_scores(["a", "x", "c", "d"], ["a", "b", "c"]) == (0.5, False)
    assert sentence_scores([], ["a"]) == (0.0, False)


def test_bucket_accuracy_weights_each_length_once() -> None:
    report = LengthReport([3, 5, 16], [1.0, 0.5, 0.2], [1.0, 0.0, 0.0])
    assert bucket_accuracy(report, 2, 6) == 0.75
    assert bucket_accuracy(report, 15, 18, exact=True) == 0.0
    with pytest.raises(ValueError, match="lo"):
        bucket_accuracy(report, 19, 30)


SV, TV = source_vocab(), target_vocab()


def test_training_learns_something_fast() -> None:
    torch.manual_seed(0)
    train, test = make_split(200, 8, (2, 6), (2, 6), seed=0)
    model = Seq2Seq(len(SV), len(TV), "dot", d_emb=16, d_hidden=32)
    losses = train_seq2seq(model, train, steps=60, batch_size=16, progress=False)
    assert np.mean(losses[-10:]) < 0.6 * np.mean(losses[:5])
    report = accuracy_by_length(model, test)
    assert report.lengths == sorted(test) and 0 <= report.mean_word_acc <= 1
