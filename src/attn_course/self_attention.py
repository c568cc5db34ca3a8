"""Self-attention and cross-attention from one projection each (chapter 6).

In *self*-attention one sequence ``X (N, d_model)`` supplies the queries, the keys and
the values, each through its own linear map::

    Q = X W_q,  K = X W_k,  V = X W_v,   out = softmax(Q Kᵀ / √d_k) V

In *cross*-attention the queries come from another sequence (``X_q``) than the keys
and values (``X_kv``). Both reuse :func:`attn_course.scaled_dot_product_attention`;
they work on NumPy arrays and torch tensors alike, with any leading batch axes.

:func:`toy_sentence` and :func:`toy_translation` hold the chapter's hand-made example:
eight named features per word and projections chosen so that the weights can be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._backend import shape_of
from .attention import scaled_dot_product_attention

__all__ = ["FEATURES", "ToySentence", "cross_attention", "self_attention", "toy_sentence",
           "toy_translation"]

Array = Any

FEATURES = ["determiner", "noun", "verb", "preposition", "animal", "object", "action", "place"]
"""Names of the 8 columns of the toy word vectors."""


def _check_proj(name: str, W: Array, d_in: int, x_name: str, x_shape: tuple[int, ...]) -> None:
    ws = shape_of(W)
    if len(ws) != 2 or ws[0] != d_in:
        raise ValueError(f"{name} must have shape (d_model={d_in}, d) to map {x_name} of shape "
                         f"{x_shape}, got {ws}")


def cross_attention(
    X_q: Array, X_kv: Array, W_q: Array, W_k: Array, W_v: Array, *, mask: Array | None = None
) -> tuple[Array, Array]:
    """Queries from ``X_q``, keys and values from ``X_kv``.

    Args:
        X_q: ``(..., n_q, d_model)``; X_kv: ``(..., n_k, d_model)``.
        W_q, W_k: ``(d_model, d_k)``; W_v: ``(d_model, d_v)``.
        mask: boolean, broadcastable to ``(..., n_q, n_k)``, True = may attend.

    Returns:
        ``(out (..., n_q, d_v), weights (..., n_q, n_k))``.

    Raises:
        ValueError: if a projection does not fit its input (names both shapes).
    """
    for name, W, X, xn in (("W_q", W_q, X_q, "X_q"), ("W_k", W_k, X_kv, "X_kv"),
                           ("W_v", W_v, X_kv, "X_kv")):
        if len(shape_of(X)) < 2:
            raise ValueError(f"{xn} must have shape (..., N, d_model), got {shape_of(X)}")
        _check_proj(name, W, shape_of(X)[-1], xn, shape_of(X))
    if shape_of(W_q)[1] != shape_of(W_k)[1]:
        raise ValueError(f"W_q and W_k must give the same d_k: W_q {shape_of(W_q)}, "
                         f"W_k {shape_of(W_k)}")
    Q = X_q @ W_q  # (..., n_q, d_k)
    K = X_kv @ W_k  # (..., n_k, d_k)
    V = X_kv @ W_v  # (..., n_k, d_v)
    return scaled_dot_product_attention(Q, K, V, mask=mask)


def self_attention(
    X: Array, W_q: Array, W_k: Array, W_v: Array, *, mask: Array | None = None
) -> tuple[Array, Array]:
    """Self-attention of ``X (..., N, d_model)``: the same sequence gives Q, K and V.

    Returns ``(out (..., N, d_v), weights (..., N, N))``; see :func:`cross_attention`.
    """
    return cross_attention(X, X, W_q, W_k, W_v, mask=mask)


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
