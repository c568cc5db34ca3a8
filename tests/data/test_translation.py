"""Tests of ``attn_course.data.translation``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.data.translation import (
    encode_batch,
    make_length_test,
    make_pairs,
    make_split,
    possible_lengths,
    random_sentence,
    source_vocab,
    target_vocab,
    translate,
)


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


SV, TV = source_vocab(), target_vocab()


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


def test_length_test_has_every_length_and_smaller_tests_are_subsets() -> None:
    big, small = make_length_test(6, 19, 30), make_length_test(3, 19, 30)
    assert sorted(big) == list(range(19, 31))
    assert all(len(s) == n for n, pairs in big.items() for s, _ in pairs)
    assert all(small[n] == big[n][:3] for n in big)


def test_encode_batch_pads_with_zero() -> None:
    ids, lengths = encode_batch([["the", "cat"], ["a", "red", "car"]], SV, add_eos=True)
    assert ids.shape == (2, 4) and lengths.tolist() == [3, 4]
    assert ids[0, 3] == 0 and ids[0, 2] == SV.stoi["<eos>"]
