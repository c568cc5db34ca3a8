"""The BPE view (chapter 15): its readout is the package tokenizer's encoding; bad input."""

from __future__ import annotations

import pytest

from attn_course.data.bpe import BPETokenizer
from attn_course.views.bpe import BpeView

TEXT = "The value of the values is the value of the last value."


def test_readout_is_the_tokenizers_encoding():
    tok = BPETokenizer.train(TEXT * 2, 30)
    n = len(tok.merges)  # fewer than 30: merges stay inside words
    assert n > 12
    view = BpeView(tok.merges, [TEXT, "values"], n_merges=12, text=0)
    r = view.readout()
    assert r["ids"] == tok.truncated(12).encode(TEXT).tolist()
    assert r["n_chars"] == len(TEXT) and r["n_tokens"] == len(r["ids"])
    view.n_merges = 0
    assert view.readout()["ids"] == list(TEXT.encode())  # bytes: one id per character
    view.n_merges, view.text = n, 1
    assert view.readout()["tokens_per_char"] == len(tok.encode("values")) / 6
    assert BpeView(tok.merges, [TEXT]).n_merges == n  # all merges by default
    assert BpeView.from_state({**view.state, **view.params}).readout() == view.readout()
    assert view.state_bytes() < 20_000  # the 8 kB script included


def test_bad_input():
    merges = BPETokenizer.train(TEXT, 10).merges
    with pytest.raises(ValueError, match="texts"):
        BpeView(merges, [])
    with pytest.raises(ValueError, match=r"texts\[1\]"):
        BpeView(merges, ["fine", "caf\u00e9"])
    with pytest.raises(ValueError, match="n_merges"):
        BpeView(merges, [TEXT], n_merges=11)
    with pytest.raises(ValueError, match="text"):
        BpeView(merges, [TEXT], text=1)
    with pytest.raises(ValueError, match="merges"):
        BpeView([(97, 300)], [TEXT])
