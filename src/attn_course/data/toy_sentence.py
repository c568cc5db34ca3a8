"""The hand-made sentences of chapter 6 (self- and cross-attention you can read).

:func:`toy_sentence` and :func:`toy_translation` hold eight named features per word and
projections chosen so that the attention weights of
:func:`attn_course.self_attention` and :func:`attn_course.cross_attention` can be read
word by word.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FEATURES", "ToySentence", "toy_sentence", "toy_translation"]

FEATURES = ["determiner", "noun", "verb", "preposition", "animal", "object", "action", "place"]
"""Names of the 8 columns of the toy word vectors."""


@dataclass(frozen=True)
class ToySentence:
    """A sentence of hand-made word vectors and the projections of one attention head.

    Attributes:
        tokens: the ``N`` words.
        X: ``(N, 8)`` word vectors, columns named by :data:`FEATURES`.
        W_q, W_k: ``(8, d_k)`` query and key maps; W_v: ``(8, d_v)`` value map.
        key_dims: names of the ``d_k`` query/key dimensions.
    """

    tokens: list[str]
    X: np.ndarray
    W_q: np.ndarray
    W_k: np.ndarray
    W_v: np.ndarray
    key_dims: list[str]


_WORDS = {
    "the": {"determiner": 1.0},
    "cat": {"noun": 1.0, "animal": 1.0},
    "sat": {"verb": 1.0, "action": 1.0},
    "on": {"preposition": 1.0, "place": 0.5},
    "mat": {"noun": 1.0, "object": 1.0, "place": 1.0},
    "le": {"determiner": 1.0},
    "chat": {"noun": 1.0, "animal": 1.0},
    "était": {"verb": 1.0},
    "assis": {"action": 1.0, "verb": 0.3},
    "sur": {"preposition": 1.0, "place": 0.5},
    "tapis": {"noun": 1.0, "object": 1.0, "place": 1.0},
}


def _vectors(words: list[str]) -> np.ndarray:
    X = np.zeros((len(words), len(FEATURES)))
    for i, w in enumerate(words):
        for f, v in _WORDS[w].items():
            X[i, FEATURES.index(f)] = v
    return X  # (N, 8)


def toy_sentence(strength: float = 3.0) -> ToySentence:
    """``"the cat sat on the mat"`` with a head whose queries ask for grammatical partners.

    Keys say what a word *is* (``d_k = 5``: determiner, noun, verb, preposition, place);
    queries say what a word *looks for*: a determiner looks for a noun, a noun for a
    determiner and a verb, the verb for a noun (an animal most), the preposition for a
    place. Values are the word vectors themselves (``W_v`` = identity), so an output row
    is a readable mix of features. ``strength`` scales the queries (a sharper softmax).
    """
    key_dims = ["determiner", "noun", "verb", "preposition", "place"]
    F_ = {f: i for i, f in enumerate(FEATURES)}
    Kd = {k: i for i, k in enumerate(key_dims)}
    W_k = np.zeros((len(FEATURES), len(key_dims)))
    for k in ("determiner", "noun", "verb", "preposition", "place"):
        W_k[F_[k], Kd[k]] = 1.0
    W_k[F_["animal"], Kd["noun"]] = 0.5  # animals are nouns that make good subjects
    W_q = np.zeros_like(W_k)
    W_q[F_["determiner"], Kd["noun"]] = 1.0
    W_q[F_["noun"], Kd["determiner"]] = 0.8
    W_q[F_["noun"], Kd["verb"]] = 1.0
    W_q[F_["verb"], Kd["noun"]] = 1.0
    W_q[F_["preposition"], Kd["place"]] = 1.5
    tokens = ["the", "cat", "sat", "on", "the", "mat"]
    return ToySentence(tokens, _vectors(tokens), strength * W_q, W_k, np.eye(len(FEATURES)),
                       key_dims)


def toy_translation(strength: float = 3.0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A French sentence and a cross-attention query map that looks for the same meaning.

    Returns ``(tokens, X_fr (7, 8), W_q (8, 8))``: ``"le chat était assis sur le tapis"``
    (seven words for six: ``était assis`` = *sat*; each word has the features of its English
    partner, with ``était`` a verb and ``assis`` mostly an action) and ``W_q = strength · I``.
    Use it with
    ``W_k = I`` and the English :func:`toy_sentence` as keys and values: each French
    word then attends to the English word with the most similar features.
    """
    tokens = ["le", "chat", "était", "assis", "sur", "le", "tapis"]
    return tokens, _vectors(tokens), strength * np.eye(len(FEATURES))
