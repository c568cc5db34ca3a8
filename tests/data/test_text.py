"""Tests of ``attn_course.data.text``: the Python documentation as a corpus."""

from __future__ import annotations

import pytest
import torch

from attn_course.data.text import (
    CharTokenizer,
    corpus_fingerprint,
    lm_batch,
    load_corpus,
    prose_paragraphs,
)


def test_corpus_is_prose_split_by_topic():
    c = load_corpus()
    assert len(c.train) > 100_000 and len(c.val) > 10_000
    assert not set(c.train_topics) & set(c.val_topics)
    assert set(c.train + c.val) <= set(CharTokenizer.ascii().alphabet)
    assert ">>>" not in c.train and "::=" not in c.train
    assert corpus_fingerprint(c) == corpus_fingerprint(load_corpus())
    assert len(corpus_fingerprint(c)) == 12


def test_prose_paragraphs_drop_code_tables_and_headings():
    text = ("Title\n*****\n\nThe first paragraph is wrapped\nover two lines, and it is prose.\n\n"
            "   indented_code = literal_block(1)\n\n+---+---+\n| a | b |\n\n"
            ">>> print('an example that is long enough')\n\n"
            "Curly \u201cquotes\u201d and a dash \u2014 become ASCII in this sentence.\n")
    paras = prose_paragraphs(text)
    assert paras == ["The first paragraph is wrapped over two lines, and it is prose.",
                     'Curly "quotes" and a dash -- become ASCII in this sentence.']


def test_tokenizer_round_trip_and_errors():
    tok = CharTokenizer.ascii()
    assert tok.vocab_size == 96
    s = "Hello, world!\n~"
    ids = tok.encode(s)
    assert ids.dtype == torch.long and ids.shape == (len(s),)
    assert tok.decode(ids) == s and tok.decode(ids.tolist()) == s
    with pytest.raises(ValueError, match="outside the alphabet"):
        tok.encode("caf\u00e9")
    with pytest.raises(ValueError, match="alphabet"):
        CharTokenizer("aa")
    assert CharTokenizer.from_text("cab", "b").alphabet == "abc"


def test_lm_batch_targets_are_the_next_tokens():
    data = torch.arange(100)
    g = torch.Generator().manual_seed(0)
    x, y = lm_batch(data, 5, 10, g)
    assert x.shape == y.shape == (5, 10)
    assert torch.equal(y, x + 1)
    assert torch.equal(x[:, 1:], x[:, :-1] + 1)
    with pytest.raises(ValueError, match="data"):
        lm_batch(torch.arange(5), 2, 10, g)
