"""Chapter 8: the toy language pair, the encoder–decoders and their evaluation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.core.scores import additive_score, dot_score, general_score
from attn_course.core.softmax import softmax
from attn_course.data.translation import (
    encode_batch,
    make_pairs,
    make_split,
    possible_lengths,
    random_sentence,
    source_vocab,
    target_vocab,
    translate,
)
from attn_course.experiments.bahdanau import accuracy_by_length, sentence_scores, train_seq2seq
from attn_course.layers.additive import ScoreAttention
from attn_course.models.seq2seq import ATTENTION_KINDS, Seq2Seq

SV, TV = source_vocab(), target_vocab()


def test_translation_rules() -> None:
    assert translate(["the", "red", "car"]) == ["la", "voiture", "rouge"]
    assert translate(["a", "green", "dog", "and", "the", "moon"]) == [
        "un", "chien", "vert", "et", "la", "lune"]
    assert translate(["a", "small", "apple"]) == ["une", "pomme", "petite"]
    with pytest.raises(ValueError, match="determiner"):
        translate(["red", "car"])


def test_pairs_are_deterministic_and_hit_the_lengths() -> None:
    a, b = make_pairs(50, 2, 15, seed=3), make_pairs(50, 2, 15, seed=3)
    assert a == b
    assert a != make_pairs(50, 2, 15, seed=4)
    assert {len(s) for s, _ in a} <= set(possible_lengths(2, 15))
    assert all(len(s) == len(t) for s, t in a)  # word-for-word with reordering
    assert 4 not in possible_lengths(2, 10) and 5 in possible_lengths(2, 10)
    with pytest.raises(ValueError, match="length 4"):
        random_sentence(4, np.random.default_rng(0))


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 40).filter(lambda n: n != 4), st.integers(0, 10_000))
def test_random_sentence_has_the_requested_length(length: int, seed: int) -> None:
    src = random_sentence(length, np.random.default_rng(seed))
    assert len(src) == length
    tgt = translate(src)
    assert len(tgt) == length and SV.decode(SV.encode(src)) == src
    assert TV.decode(TV.encode(tgt)) == tgt


def test_split_keeps_test_sentences_unseen() -> None:
    train, test = make_split(300, 10, (2, 8), (2, 12), seed=0)
    seen = {" ".join(s) for s, _ in train}
    assert all(" ".join(s) not in seen for pairs in test.values() for s, _ in pairs)
    assert max(test) == 12 and 4 not in test


def test_encode_batch_pads_with_zero() -> None:
    ids, lengths = encode_batch([["the", "cat"], ["a", "red", "car"]], SV, add_eos=True)
    assert ids.shape == (2, 4) and lengths.tolist() == [3, 4]
    assert ids[0, 3] == 0 and ids[0, 2] == SV.stoi["<eos>"]


@pytest.mark.parametrize("kind", ["dot", "general", "additive"])
def test_score_attention_uses_the_package_scores(kind: str) -> None:
    torch.manual_seed(0)
    att = ScoreAttention(kind, 6)
    q, k = torch.randn(2, 3, 6), torch.randn(2, 5, 6)
    mask = torch.tensor([[[True] * 5], [[True] * 2 + [False] * 3]])
    ctx, w = att(q, k, mask=mask)
    if kind == "dot":
        s = dot_score(q, k)
    elif kind == "general":
        s = general_score(q, k, att.W)
    else:
        s = additive_score(q, k, att.W_q, att.W_k, att.w_v)
    ref = softmax(s, mask=mask)
    torch.testing.assert_close(w, ref)
    torch.testing.assert_close(ctx, ref @ k)
    assert float(w[1, :, 2:].detach().abs().sum()) == 0.0


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


def test_sentence_scores() -> None:
    assert sentence_scores(["a", "b"], ["a", "b"]) == (1.0, True)
    assert sentence_scores(["a", "x", "c", "d"], ["a", "b", "c"]) == (0.5, False)
    assert sentence_scores([], ["a"]) == (0.0, False)


def test_training_learns_something_fast() -> None:
    torch.manual_seed(0)
    train, test = make_split(200, 8, (2, 6), (2, 6), seed=0)
    model = Seq2Seq(len(SV), len(TV), "dot", d_emb=16, d_hidden=32)
    losses = train_seq2seq(model, train, steps=60, batch_size=16, progress=False)
    assert np.mean(losses[-10:]) < 0.6 * np.mean(losses[:5])
    report = accuracy_by_length(model, test)
    assert report.lengths == sorted(test) and 0 <= report.mean_word_acc <= 1


def test_plot_helpers_return_labelled_figures() -> None:
    from matplotlib.figure import Figure

    from attn_course.plots.bahdanau import (
        plot_accuracy_by_length,
        plot_alignment,
        plot_score_comparison,
        plot_training_losses,
    )

    figs = [
        plot_accuracy_by_length({"a": [2, 3, 5]}, {"a": [1.0, 0.9, 0.5]}, train_max=3),
        plot_alignment(np.eye(3), ["the", "red", "car"], ["la", "voiture", "rouge"]),
        plot_score_comparison(["dot", "general"], [0.9, 0.8], [0.7, 0.6]),
        plot_training_losses({"a": list(np.linspace(2, 0.1, 50))}),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
