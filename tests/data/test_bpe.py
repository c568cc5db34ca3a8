"""Tests of ``attn_course.data.bpe``: byte-level BPE against a hand-worked example and a
naive reference that recounts every pair after every merge."""

from __future__ import annotations

from collections import Counter

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.data.bpe import BPETokenizer, bpe_merges, pre_split


def _naive_merges(pieces: list[bytes], n_merges: int) -> list[tuple[int, int]]:
    """The textbook loop: recount all adjacent pairs of all pieces, merge the best."""
    seqs = [list(p) for p in pieces]
    merges = []
    for i in range(n_merges):
        counts = Counter(p for s in seqs for p in zip(s, s[1:]))
        if not counts:
            break
        best = max(counts.values())
        a, b = min(p for p, c in counts.items() if c == best)
        merges.append((a, b))
        new = []
        for s in seqs:
            out, j = [], 0
            while j < len(s):
                if j + 1 < len(s) and s[j] == a and s[j + 1] == b:
                    out.append(256 + i)
                    j += 2
                else:
                    out.append(s[j])
                    j += 1
            new.append(out)
        seqs = new
    return merges


def test_hand_worked_example():
    # aaabdaaabac: (a,a) occurs 4 times (overlapping) -> Z; then (Z,a) and (a,b) tie at 2 and
    # the smaller ids (97, 98) win -> Y; then (Z,Y) twice -> X = "aaab".
    tok = BPETokenizer.train("aaabdaaabac", 3, split=False)
    assert tok.merges == [(97, 97), (97, 98), (256, 257)]
    assert tok.vocab_size == 259
    assert [tok.token_bytes(i) for i in (256, 257, 258)] == [b"aa", b"ab", b"aaab"]
    assert tok.encode("aaabdaaabac").tolist() == [258, 100, 258, 97, 99]
    assert tok.tokens("aaabdaaabac") == ["aaab", "d", "aaab", "a", "c"]
    # a fourth merge: every remaining pair occurs once, the smallest (a, c) = (97, 99) wins
    assert BPETokenizer.train("aaabdaaabac", 4, split=False).merges[3] == (97, 99)


def test_runs_and_ties():
    assert bpe_merges([b"aaaa"], 5) == [(97, 97), (256, 256)]  # then no pair is left
    assert bpe_merges([b"aaa"], 5) == [(97, 97), (256, 97)]
    assert bpe_merges([b"dcba"], 1) == [(98, 97)]  # all tie: the smallest pair of ids
    assert bpe_merges([b"ab", b"ab", b"cd"], 1) == [(97, 98)]  # repeats count


def test_merges_stay_inside_pieces():
    assert pre_split("Hi, you  2") == ["Hi", ",", " you", " ", " 2"]
    assert pre_split("snake_case x\n\ny") == ["snake", "_", "case", " x", "\n", "\n", "y"]
    tok = BPETokenizer.train("ab ab ab", 10)  # pieces "ab", " ab", " ab": no " a b" across
    assert all(b" " not in tok.token_bytes(256 + i)[1:] for i in range(len(tok.merges)))
    assert BPETokenizer.train("ab ab ab", 10, split=False).token_bytes(258).count(b" ") >= 1


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_pre_split_covers_the_text(s):
    assert "".join(pre_split(s)) == s


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab c\n", max_size=60), st.integers(0, 12), st.booleans())
def test_incremental_training_equals_recounting(text, n, split):
    pieces = [p.encode() for p in pre_split(text)] if split else [text.encode()]
    assert bpe_merges(pieces, n) == _naive_merges(pieces, n)
    tok = BPETokenizer(_naive_merges(pieces, n), split=split)
    # encoding applies the merges in the order learned: the same as replaying them all
    assert tok.encode(text).tolist() == [i for p in pieces for i in _replay(p, tok.merges)]


def _replay(piece: bytes, merges: list[tuple[int, int]]) -> list[int]:
    seq = list(piece)
    for i, (a, b) in enumerate(merges):
        seq = _naive_merge_one(seq, a, b, 256 + i)
    return seq


def _naive_merge_one(seq, a, b, new):
    out, j = [], 0
    while j < len(seq):
        if seq[j:j + 2] == [a, b]:
            out.append(new)
            j += 2
        else:
            out.append(seq[j])
            j += 1
    return out


TRAIN = ("The value of the expression is the value of the last item; the values of the "
         "earlier items are discarded. Caf\u00e9 na\u00efve \u65e5\u672c\u8a9e \U0001F600 x_1 = 42.\n")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_round_trip_any_unicode(s):
    for tok in (BPETokenizer.train(TRAIN, 60), BPETokenizer.train(TRAIN, 60, split=False)):
        ids = tok.encode(s)
        assert ids.dtype == torch.long and ids.shape == (ids.numel(),)
        assert ids.numel() <= len(s.encode("utf-8"))
        assert tok.decode(ids) == s and tok.decode(ids.tolist()) == s


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=80), st.integers(0, 30))
def test_round_trip_trained_on_itself(s, n):
    tok = BPETokenizer.train(s, n)
    assert tok.decode(tok.encode(s)) == s
    # every merge learned from s replaces at least one pair of s
    assert len(tok.encode(s)) <= len(s.encode("utf-8")) - len(tok.merges)


def test_deterministic_and_truncation_is_shorter_training():
    a, b = BPETokenizer.train(TRAIN * 3, 40), BPETokenizer.train(TRAIN * 3, 40)
    assert a.merges == b.merges and len(a.merges) == 40
    for k in (0, 7, 25):
        assert a.truncated(k).merges == BPETokenizer.train(TRAIN * 3, k).merges


def test_empty_string():
    tok = BPETokenizer.train(TRAIN, 20)
    ids = tok.encode("")
    assert ids.shape == (0,) and ids.dtype == torch.long
    assert tok.decode(ids) == "" and tok.decode([]) == ""
    assert BPETokenizer.train("", 10).merges == [] and pre_split("") == []
    assert BPETokenizer.train("x", 10).vocab_size == 256  # no pair to merge


def test_cut_character_decodes_as_replacement():
    tok = BPETokenizer([], split=False)
    ids = tok.encode("\u00e9")  # two bytes
    assert ids.tolist() == [0xC3, 0xA9] and tok.decode(ids[:1]) == "\ufffd"


def test_bad_input():
    tok = BPETokenizer.train(TRAIN, 20)
    with pytest.raises(ValueError, match="text"):
        tok.encode(b"bytes")
    with pytest.raises(ValueError, match="text.*index 1"):
        tok.encode("a\ud800")  # a lone surrogate
    with pytest.raises(ValueError, match="n_merges"):
        BPETokenizer.train(TRAIN, -1)
    with pytest.raises(ValueError, match="n_merges"):
        BPETokenizer.train(TRAIN, 2.5)
    with pytest.raises(ValueError, match="pieces.*str"):
        bpe_merges(["ab"], 3)
    with pytest.raises(ValueError, match="n_merges"):
        tok.truncated(21)
    with pytest.raises(ValueError, match="ids.*275"):
        tok.decode([5, 276])
    with pytest.raises(ValueError, match=r"ids.*\(2, 2\)"):
        tok.decode(torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="ids.*float"):
        tok.decode(torch.zeros(3))
    with pytest.raises(ValueError, match="id"):
        tok.token_bytes(-1)
    with pytest.raises(ValueError, match=r"merges\[1\]"):
        BPETokenizer([(97, 98), (97, 300)])
    with pytest.raises(ValueError, match=r"merges\[1\]"):
        BPETokenizer([(97, 98), (97, 98)])
