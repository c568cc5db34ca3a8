"""The fixed-length context vector (chapter 1): how much of a sequence survives in one vector?

An RNN encoder–decoder without attention {Sutskever et al. 2014; Cho et al. 2014}
squeezes the whole input sentence into its final hidden state and decodes from that
alone. Here the encoder is a random (untrained) tanh RNN with ``d_hidden`` units that
reads a sequence of ``T`` tokens from a vocabulary of ``vocab`` symbols; a linear
read-out, fitted by ridge regression, tries to recover the token at every position from

- the **final state** ``h_T`` alone (the fixed-length context vector), or
- the **state at that position** ``h_t`` (what an attention decoder can look at: every
  encoder state is kept, and attention picks the one it needs).

Accuracy is measured on held-out sequences; chance is ``1 / vocab``. Everything is NumPy
and deterministic under ``seed``.

Shapes: tokens ``(n, T)`` ints, states ``(n, T, d_hidden)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .tools.threads import torch_threads

__all__ = [
    "ContextRecovery",
    "RandomRNN",
    "context_recovery",
    "random_tokens",
    "recovery_accuracy",
]


@dataclass(frozen=True)
class RandomRNN:
    """``h_t = tanh(h_{t−1} W + E[x_t])`` with random ``W (d, d)`` (spectral radius ``rho``)
    and random token embeddings ``E (vocab, d)``; ``h_0 = 0``."""

    W: np.ndarray
    E: np.ndarray

    @classmethod
    def create(cls, d_hidden: int = 32, vocab: int = 8, *, rho: float = 0.9,
               seed: int = 0) -> RandomRNN:
        rng = np.random.default_rng(seed)
        q, _ = np.linalg.qr(rng.standard_normal((d_hidden, d_hidden)))
        return cls(W=rho * q, E=rng.standard_normal((vocab, d_hidden)))

    def encode(self, tokens: np.ndarray) -> np.ndarray:
        """All hidden states ``(n, T, d_hidden)`` for tokens ``(n, T)``."""
        tokens = np.asarray(tokens)
        if tokens.ndim != 2:
            raise ValueError(f"tokens must have shape (n, T), got {tokens.shape}")
        if tokens.size and (tokens.min() < 0 or tokens.max() >= self.E.shape[0]):
            raise ValueError(f"tokens must lie in [0, {self.E.shape[0]}), got values "
                             f"{tokens.min()}…{tokens.max()}")
        n, T = tokens.shape
        h = np.zeros((n, self.W.shape[0]))
        states = np.empty((n, T, self.W.shape[0]))
        for t in range(T):
            h = np.tanh(h @ self.W + self.E[tokens[:, t]])
            states[:, t] = h
        return states


def random_tokens(n: int, T: int, vocab: int, *, seed: int = 0) -> np.ndarray:
    """Uniformly random token sequences ``(n, T)``."""
    return np.random.default_rng(seed).integers(0, vocab, size=(n, T))


def recovery_accuracy(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
    vocab: int, *, ridge: float = 1e-3,
) -> float:
    """Fit a linear read-out ``[x, 1] → one-hot(y)`` by ridge regression; test accuracy.

    Args:
        train_x: features ``(n, d)``; train_y: tokens ``(n,)``; likewise the test set.
    """
    A = np.hstack([train_x, np.ones((len(train_x), 1))])  # (n, d + 1)
    Y = np.eye(vocab)[train_y]  # (n, vocab)
    W = np.linalg.solve(A.T @ A + ridge * np.eye(A.shape[1]), A.T @ Y)  # (d + 1, vocab)
    B = np.hstack([test_x, np.ones((len(test_x), 1))])
    return float(np.mean((B @ W).argmax(1) == test_y))


@dataclass(frozen=True)
class ContextRecovery:
    """Per length ``T`` (``lengths``): mean accuracy over positions from the final state
    (``final``) and from each position's own state (``per_state``); ``by_position`` maps the
    longest ``T`` to the final-state accuracy at each position ``(T,)``."""

    lengths: np.ndarray
    final: np.ndarray
    per_state: np.ndarray
    by_position: np.ndarray
    chance: float
    d_hidden: int
    vocab: int


def context_recovery(
    lengths: Sequence[int], *, d_hidden: int = 32, vocab: int = 8, n_train: int = 2000,
    n_test: int = 500, seed: int = 0,
) -> ContextRecovery:
    """Measure how much of a length-``T`` sequence a linear read-out recovers, for each ``T``."""
    # One BLAS thread: these small products run fastest unthreaded, and on a shared CPU far faster.
    with torch_threads(1, blas=True):
        if not lengths or min(lengths) < 1:
            raise ValueError(
                f"lengths must be a non-empty list of positive integers, got {lengths}"
            )
        rnn = RandomRNN.create(d_hidden, vocab, seed=seed)
        final, per_state = [], []
        by_position = np.zeros(0)
        for T in lengths:
            tok = random_tokens(n_train + n_test, T, vocab, seed=seed + T)
            h = rnn.encode(tok)  # (n, T, d_hidden)
            tr, te = slice(0, n_train), slice(n_train, None)
            acc_final = np.array([
                recovery_accuracy(h[tr, -1], tok[tr, t], h[te, -1], tok[te, t], vocab)
                for t in range(T)
            ])
            acc_state = np.array([
                recovery_accuracy(h[tr, t], tok[tr, t], h[te, t], tok[te, t], vocab)
                for t in range(T)
            ])
            final.append(acc_final.mean())
            per_state.append(acc_state.mean())
            if T == max(lengths):
                by_position = acc_final
        return ContextRecovery(np.asarray(lengths), np.asarray(final), np.asarray(per_state),
                               by_position, 1.0 / vocab, d_hidden, vocab)
