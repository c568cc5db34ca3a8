"""Tests of ``attn_course.models.seq2seq``."""

from __future__ import annotations

import pytest
import torch

from attn_course.data.translation import (
    encode_batch,
    make_pairs,
    source_vocab,
    target_vocab,
)
from attn_course.layers.additive import ScoreAttention
from attn_course.models.seq2seq import ATTENTION_KINDS, Seq2Seq

SV, TV = source_vocab(), target_vocab()


@pytest.mark.parametrize("kind", ATTENTION_KINDS)
def test_seq2seq_shapes_and_padding(kind: str) -> None:
    torch.manual_seed(0)
    model = Seq2Seq(len(SV), len(TV), kind, d_emb=8, d_hidden=12).eval()
    src, src_len = encode_batch([["the", "red", "car", "and", "a", "dog"], ["a", "cat"]], SV)
    tgt_in = torch.ones(2, 4, dtype=torch.long)
    with torch.no_grad():
        logits, w = model(src, src_len, tgt_in)
    assert logits.shape == (2, 4, len(TV))
    if kind == "none":
        assert w is None
    else:
        assert w.shape == (2, 4, 6)
        torch.testing.assert_close(w.sum(-1), torch.ones(2, 4))
        assert float(w[1, :, 2:].abs().sum()) == 0.0  # padding gets no weight
    # the short sentence alone gives the same output as inside the padded batch
    with torch.no_grad():
        alone, _ = model(src[1:, :2], src_len[1:], tgt_in[1:])
    torch.testing.assert_close(alone, logits[1:], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", ATTENTION_KINDS)
def test_greedy_agrees_with_teacher_forcing_on_its_own_output(kind: str) -> None:
    torch.manual_seed(1)
    model = Seq2Seq(len(SV), len(TV), kind, d_emb=8, d_hidden=12).eval()
    src, src_len = encode_batch([["the", "red", "car"], ["a", "cat", "and", "a", "dog"]], SV)
    ids, w = model.greedy(src, src_len, max_len=6)
    tgt_in = torch.cat([torch.ones(2, 1, dtype=torch.long), ids[:, :-1]], 1)
    with torch.no_grad():
        logits, w_tf = model(src, src_len, tgt_in)
    assert torch.equal(logits.argmax(-1), ids)
    if w is not None:
        torch.testing.assert_close(w, w_tf, atol=1e-5, rtol=1e-5)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="attention"):
        Seq2Seq(10, 10, "luong")
    with pytest.raises(ValueError, match="kind"):
        ScoreAttention("cosine", 4)
    with pytest.raises(ValueError, match="min_len"):
        make_pairs(3, 5, 2, seed=0)
