"""The fixed-length context vector (chapter 1): how many tokens fit into ``d`` numbers?

An RNN encoder–decoder without attention {Sutskever et al. 2014; Cho et al. 2014}
decodes from its final hidden state alone. To measure that vector's capacity and nothing
else, :class:`EchoStateEncoder` is a random, untrained **linear** recurrent encoder
``h_t = h_{t−1} W + E[x_t]`` whose ``W`` is orthogonal (``rho = 1``): it neither forgets
nor saturates, so whatever a read-out cannot recover was lost because ``T`` tokens do not
fit into ``d`` numbers. (With ``activation="tanh"`` and inputs of size 1 it saturates
instead — a different failure, shown for contrast.)

:func:`readout_accuracy` fits one **linear** read-out (ridge regression) from the final
state to every position's token; :func:`context_capacity` sweeps the state size ``d`` and
the length ``T`` over several seeds and reports the longest ``T`` still recovered at a
given accuracy.

Shapes: tokens ``(n, T)`` ints in ``[0, vocab)``, states ``(n, T, d)``.
Everything is NumPy and deterministic under ``seed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..tools.threads import torch_threads

__all__ = ["ContextCapacity", "EchoStateEncoder", "context_capacity", "readout_accuracy"]


@dataclass(frozen=True)
class EchoStateEncoder:
    """``h_t = act(h_{t−1} W + E[x_t])``, ``h_0 = 0``, with random fixed weights.

    Attributes:
        W: ``(d, d)``, ``rho`` times a random orthogonal matrix.
        E: ``(vocab, d)`` token embeddings with entries ``N(0, input_scale²)``.
        activation: ``"linear"`` (the default: never saturates) or ``"tanh"``.
    """

    W: np.ndarray
    E: np.ndarray
    activation: str = "linear"

    @classmethod
    def create(cls, d_hidden: int, vocab: int, *, rho: float = 1.0, input_scale: float = 1.0,
               activation: str = "linear", seed: int = 0) -> EchoStateEncoder:
        """A random encoder, deterministic under ``seed``."""
        if activation not in ("linear", "tanh"):
            raise ValueError(f"activation must be 'linear' or 'tanh', got {activation!r}")
        if d_hidden < 1 or vocab < 2:
            raise ValueError(f"need d_hidden ≥ 1 and vocab ≥ 2, got d_hidden={d_hidden}, "
                             f"vocab={vocab}")
        rng = np.random.default_rng(seed)
        q, _ = np.linalg.qr(rng.standard_normal((d_hidden, d_hidden)))  # (d, d) orthogonal
        return cls(rho * q, input_scale * rng.standard_normal((vocab, d_hidden)), activation)

    def encode(self, tokens: np.ndarray) -> np.ndarray:
        """All hidden states ``(n, T, d)`` for tokens ``(n, T)``.

        ``states[:, t]`` is the context vector of the first ``t + 1`` tokens.
        """
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
            h = h @ self.W + self.E[tokens[:, t]]
            if self.activation == "tanh":
                h = np.tanh(h)
            states[:, t] = h
        return states


def readout_accuracy(
    train_x: np.ndarray, train_tokens: np.ndarray, test_x: np.ndarray, test_tokens: np.ndarray,
    vocab: int, *, ridge: float = 1e-6,
) -> np.ndarray:
    """Accuracy, per position, of one linear read-out ``[h, 1] → one-hot(x_t)`` for every ``t``.

    Args:
        train_x: features ``(n, d)`` (e.g. final states); train_tokens: ``(n, T)``.
        test_x, test_tokens: the same for held-out sequences.
        ridge: the ridge penalty, relative to the mean diagonal of ``AᵀA``.

    Returns:
        ``(T,)``: the share of test sequences whose token at each position is recovered.
    """
    train_tokens, test_tokens = np.asarray(train_tokens), np.asarray(test_tokens)
    if train_tokens.ndim != 2 or train_x.shape[0] != train_tokens.shape[0]:
        raise ValueError(f"train_x (n, d) and train_tokens (n, T) disagree: {train_x.shape}, "
                         f"{train_tokens.shape}")
    n, T = train_tokens.shape
    A = np.hstack([train_x, np.ones((n, 1))])  # (n, d + 1)
    Y = np.eye(vocab, dtype=np.float32)[train_tokens].reshape(n, T * vocab)  # (n, T·vocab)
    G = A.T @ A  # (d + 1, d + 1)
    lam = ridge * np.trace(G) / G.shape[0]
    W = np.linalg.solve(G + lam * np.eye(G.shape[0]), A.T @ Y)  # (d + 1, T·vocab)
    B = np.hstack([test_x, np.ones((len(test_x), 1))])  # (n_test, d + 1)
    pred = (B @ W).reshape(len(test_x), T, vocab).argmax(-1)  # (n_test, T)
    return (pred == test_tokens).mean(0)


@dataclass(frozen=True)
class ContextCapacity:
    """Final-state recovery over state sizes and lengths.

    Attributes:
        d_hiddens: ``(n_d,)`` state sizes; lengths: ``(n_T,)`` = ``1 … max_len``.
        accuracy: ``(n_seeds, n_d, n_T)``, tokens recovered from the final state of a
            length-``T`` sequence, averaged over its positions.
        capacity: ``(n_seeds, n_d)``, the longest ``T`` such that every length up to it is
            recovered at ``threshold`` or better.
        threshold, chance (``1 / vocab``), seeds, vocab: the settings.
    """

    d_hiddens: np.ndarray
    lengths: np.ndarray
    accuracy: np.ndarray
    capacity: np.ndarray
    threshold: float
    chance: float
    seeds: tuple[int, ...]
    vocab: int


def context_capacity(
    d_hiddens: Sequence[int], max_len: int, *, vocab: int = 8, n_train: int = 2000,
    n_test: int = 500, seeds: Sequence[int] = (0, 1, 2), threshold: float = 0.99,
    activation: str = "linear", input_scale: float = 1.0,
) -> ContextCapacity:
    """Tokens recovered from the final state for every ``d`` in ``d_hiddens`` and ``T ≤ max_len``.

    One set of ``n_train + n_test`` random sequences of length ``max_len`` per seed and
    ``d``: the state after ``T`` tokens is exactly the context vector of the first ``T``.
    """
    if not d_hiddens or min(d_hiddens) < 1 or max_len < 1:
        raise ValueError(f"need positive state sizes and max_len ≥ 1, got d_hiddens={d_hiddens}, "
                         f"max_len={max_len}")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must lie in (0, 1], got {threshold}")
    # One BLAS thread: these small products run fastest unthreaded, and on a shared CPU far faster.
    with torch_threads(1, blas=True):
        acc = np.zeros((len(seeds), len(d_hiddens), max_len))
        for i, seed in enumerate(seeds):
            for j, d in enumerate(d_hiddens):
                enc = EchoStateEncoder.create(int(d), vocab, seed=seed, activation=activation,
                                              input_scale=input_scale)
                rng = np.random.default_rng([seed, int(d)])
                tok = rng.integers(0, vocab, size=(n_train + n_test, max_len))  # (n, max_len)
                h = enc.encode(tok)  # (n, max_len, d)
                for T in range(1, max_len + 1):
                    acc[i, j, T - 1] = readout_accuracy(
                        h[:n_train, T - 1], tok[:n_train, :T], h[n_train:, T - 1],
                        tok[n_train:, :T], vocab).mean()
        below = acc < threshold  # (n_seeds, n_d, n_T)
        capacity = np.where(below.any(-1), below.argmax(-1), max_len)  # leading T's above it
        return ContextCapacity(np.asarray(d_hiddens), np.arange(1, max_len + 1), acc, capacity,
                               threshold, 1.0 / vocab, tuple(seeds), vocab)
