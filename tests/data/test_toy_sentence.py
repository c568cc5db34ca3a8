"""Tests of ``attn_course.data.toy_sentence``."""

from __future__ import annotations

import numpy as np

from attn_course.core.attention import cross_attention, self_attention
from attn_course.data.toy_sentence import toy_sentence, toy_translation


def test_toy_data_reads_as_described():
    s = toy_sentence()
    _, w = self_attention(s.X, s.W_q, s.W_k, s.W_v)
    assert s.tokens[int(w[2].argmax())] == "cat"  # the verb finds its subject
    assert s.tokens[int(w[3].argmax())] == "mat"  # the preposition finds the place
    fr, X_fr, Wq = toy_translation()
    _, wc = cross_attention(X_fr, s.X, Wq, np.eye(8), s.W_v)
    assert wc.shape == (7, 6)
    assert [s.tokens[j] for j in wc.argmax(1)][1:5] == ["cat", "sat", "sat", "on"]
