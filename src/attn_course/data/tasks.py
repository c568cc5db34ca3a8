"""Toy sequence tasks (chapters 7, 9, 10 and 14): tiny, synthetic, deterministic under a seed.

Each generator returns ``(tokens, targets)``: ``tokens (n, N)`` int64 token ids and
``targets (n, N)`` int64 labels, with :data:`~attn_course.tools.training.IGNORE_INDEX` (-100)
at positions that carry no label. The same ``seed`` always gives the same tensors.

- :func:`marker_task` — each position must report *the previous token* and *which
  marker* appears somewhere in the sequence: two jobs, one for each of two heads.
- :func:`associative_recall` — a list of facts ``A=3 C=7 F=1 …`` followed by questions
  ``C? A? …``: at each question, predict the value. Needs information from far back.
- :func:`recall_batch` — random tokens; the label is the token a fixed distance before
  the last one (chapter 9's long-range task, one label per sequence).
- :func:`make_repeat_task` — at every position, did the current token occur among the
  previous ``window`` tokens? Content *and* position, the same rule at every length
  (chapter 14's extrapolation task).
"""

from __future__ import annotations

import string

import numpy as np
import torch
from torch import Tensor

from ..tools.training import IGNORE_INDEX

__all__ = [
    "associative_recall",
    "marker_accuracy",
    "marker_task",
    "make_repeat_task",
    "marker_vocab",
    "recall_answer_positions",
    "recall_batch",
    "recall_batches",
    "recall_vocab",
    "split_marker_targets",
]

_MARKERS = "#$%&@*+="


def _rng(seed: int) -> np.random.Generator:
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.default_rng(int(seed))


def marker_vocab(n_tokens: int = 8, n_markers: int = 4) -> list[str]:
    """Names of the :func:`marker_task` tokens: ``a, b, …`` then markers ``#, $, …``."""
    if not 1 <= n_tokens <= 26 or not 1 <= n_markers <= len(_MARKERS):
        raise ValueError(f"need 1 ≤ n_tokens ≤ 26 and 1 ≤ n_markers ≤ {len(_MARKERS)}, "
                         f"got {n_tokens}, {n_markers}")
    return list(string.ascii_lowercase[:n_tokens]) + list(_MARKERS[:n_markers])


def marker_task(
    n: int, length: int, *, n_tokens: int = 8, n_markers: int = 4, seed: int
) -> tuple[Tensor, Tensor]:
    """Sequences with one marker; label = (previous token, marker kind).

    A sequence holds ``length`` tokens drawn uniformly from ``n_tokens`` ordinary tokens
    (ids ``0 … n_tokens-1``), except for one position (uniform) that holds a marker
    (ids ``n_tokens … n_tokens+n_markers-1``). At position ``i ≥ 1`` the label combines
    two facts, ``prev · n_markers + kind``, where ``prev`` is the token at ``i - 1`` and
    ``kind ∈ [0, n_markers)`` is which marker the sequence contains; position 0 has no
    label. A model must look one step back (a positional job) *and* find the marker
    wherever it is (a content job). Decode labels with :func:`split_marker_targets`.

    Returns:
        ``tokens (n, length)`` and ``targets (n, length)``, int64; the number of classes is
        ``(n_tokens + n_markers) · n_markers``.
    """
    marker_vocab(n_tokens, n_markers)  # validates the sizes
    if n < 1 or length < 2:
        raise ValueError(f"need n ≥ 1 and length ≥ 2, got n={n}, length={length}")
    rng = _rng(seed)
    tokens = rng.integers(0, n_tokens, size=(n, length))  # (n, N)
    pos = rng.integers(0, length, size=n)  # (n,)
    kind = rng.integers(0, n_markers, size=n)  # (n,)
    tokens[np.arange(n), pos] = n_tokens + kind
    targets = np.full((n, length), IGNORE_INDEX)
    targets[:, 1:] = tokens[:, :-1] * n_markers + kind[:, None]  # (n, N-1)
    return torch.as_tensor(tokens), torch.as_tensor(targets)


def split_marker_targets(labels: Tensor, n_markers: int = 4) -> tuple[Tensor, Tensor]:
    """Split :func:`marker_task` labels (or predictions) into ``(prev, kind)``, same shape."""
    return labels // n_markers, labels % n_markers


def recall_vocab(n_keys: int = 16, n_values: int = 10) -> list[str]:
    """Names of the :func:`associative_recall` tokens.

    Fact tokens ``"A=0", "A=1", …`` (id ``k · n_values + v``) come first, then query tokens
    ``"A?", "B?", …`` (id ``n_keys · n_values + k``).
    """
    if not 1 <= n_keys <= 26 or not 1 <= n_values <= 36:
        raise ValueError(f"need 1 ≤ n_keys ≤ 26 and 1 ≤ n_values ≤ 36, got {n_keys}, {n_values}")
    keys = string.ascii_uppercase[:n_keys]
    values = (string.digits + string.ascii_lowercase)[:n_values]
    return [f"{k}={v}" for k in keys for v in values] + [f"{k}?" for k in keys]


def associative_recall(
    n: int, n_pairs: int, *, n_keys: int = 16, n_values: int = 10, n_queries: int = 4, seed: int
) -> tuple[Tensor, Tensor]:
    """A list of facts followed by questions: ``A=3 C=7 F=1 … C? A? …``.

    The first ``n_pairs`` tokens are facts ``key=value`` with distinct keys (one token
    each, id ``k · n_values + v``, values drawn with replacement); the last ``n_queries``
    tokens ask for distinct keys of the list (id ``n_keys · n_values + k``). The label of a
    question is the value of its key (``0 … n_values-1``); facts have no label. Read left
    to right (causally), answering needs a fact that may lie ``n_pairs`` tokens back: a
    recurrent model must carry every fact in its state, attention can look it up.
    This is the multi-query associative recall task used as a proxy for language modelling.

    Returns:
        ``tokens (n, N)`` and ``targets (n, N)``, int64, with ``N = n_pairs + n_queries``;
        the vocabulary has ``n_keys · (n_values + 1)`` tokens (:func:`recall_vocab`).
    """
    recall_vocab(n_keys, n_values)
    if n < 1 or not 1 <= n_pairs <= n_keys or not 1 <= n_queries <= n_pairs:
        raise ValueError(f"need n ≥ 1, 1 ≤ n_pairs ≤ n_keys={n_keys} and "
                         f"1 ≤ n_queries ≤ n_pairs, got n={n}, n_pairs={n_pairs}, "
                         f"n_queries={n_queries}")
    rng = _rng(seed)
    keys = np.argsort(rng.random((n, n_keys)), axis=1)[:, :n_pairs]  # (n, P) distinct keys
    values = rng.integers(0, n_values, size=(n, n_pairs))  # (n, P)
    which = np.argsort(rng.random((n, n_pairs)), axis=1)[:, :n_queries]  # (n, Q)
    asked = np.take_along_axis(keys, which, axis=1)  # (n, Q)
    answers = np.take_along_axis(values, which, axis=1)  # (n, Q)
    facts = keys * n_values + values  # (n, P)
    questions = n_keys * n_values + asked  # (n, Q)
    tokens = np.concatenate([facts, questions], axis=1)  # (n, N)
    targets = np.full(tokens.shape, IGNORE_INDEX)
    targets[:, n_pairs:] = answers  # (n, Q): the label sits on each question
    return torch.as_tensor(tokens), torch.as_tensor(targets)


def recall_batches(
    batch_size: int, pair_range: tuple[int, int], *, seed: int, **task_kw: int
):
    """A function ``step → (tokens, targets)`` of :func:`associative_recall` batches.

    Each step draws ``n_pairs`` uniformly from ``pair_range`` (inclusive) and a fresh
    batch; both depend only on ``(seed, step)``, so a run is reproducible and a model
    never sees the same batch twice. Pass it to :func:`attn_course.tools.training.train`.
    """
    lo, hi = pair_range
    if not 1 <= lo <= hi:
        raise ValueError(f"pair_range must satisfy 1 ≤ lo ≤ hi, got {pair_range}")
    n_queries = task_kw.pop("n_queries", 4)

    def batch(step: int) -> tuple[Tensor, Tensor]:
        rng = np.random.default_rng([seed, step])
        p = int(rng.integers(lo, hi + 1))
        sub_seed = int(rng.integers(0, 2**31))
        return associative_recall(batch_size, p, n_queries=min(n_queries, p), seed=sub_seed,
                                  **task_kw)

    return batch


def marker_accuracy(logits: Tensor, targets: Tensor, n_markers: int = 4) -> tuple[float, float]:
    """Accuracy of the two jobs of :func:`marker_task`: ``(previous token, marker kind)``.

    Args:
        logits: ``(n, N, n_classes)`` predictions; targets: ``(n, N)`` labels (-100 = none).
    """
    if tuple(logits.shape[:-1]) != tuple(targets.shape):
        raise ValueError(f"logits (n, N, n_classes) and targets (n, N) disagree: "
                         f"{tuple(logits.shape)}, {tuple(targets.shape)}")
    keep = targets != IGNORE_INDEX
    pred_prev, pred_kind = split_marker_targets(logits.argmax(-1)[keep], n_markers)
    prev, kind = split_marker_targets(targets[keep], n_markers)
    return float((pred_prev == prev).float().mean()), float((pred_kind == kind).float().mean())


def recall_answer_positions(tokens: Tensor, n_pairs: int, *, n_keys: int = 16,
                            n_values: int = 10) -> Tensor:
    """Position of the fact that answers each question of :func:`associative_recall`.

    Args:
        tokens: ``(n, n_pairs + n_queries)`` from :func:`associative_recall` (same sizes).

    Returns:
        ``(n, n_queries)`` int64: for question ``j`` (at position ``n_pairs + j``), the index
        ``i < n_pairs`` of the fact with the asked key.
    """
    if tokens.dim() != 2 or tokens.shape[1] <= n_pairs:
        raise ValueError(f"tokens must have shape (n, n_pairs + n_queries) with "
                         f"n_pairs={n_pairs}, got {tuple(tokens.shape)}")
    fact_keys = tokens[:, :n_pairs] // n_values  # (n, P)
    asked = tokens[:, n_pairs:] - n_keys * n_values  # (n, Q)
    match = asked[:, :, None] == fact_keys[:, None, :]  # (n, Q, P)
    if not bool(match.any(-1).all()):
        raise ValueError("every question must ask a key of its list; were n_keys and "
                         "n_values the ones used to make the tokens?")
    return match.float().argmax(-1)  # (n, Q)


def make_repeat_task(n_seq: int, length: int, *, vocab: int = 6, window: int = 4,
                     seed: int = 0) -> tuple[Tensor, Tensor]:
    """Random tokens ``(n_seq, length)`` and labels ``(n_seq, length)``: 1 where the token
    also occurs among the ``window`` tokens before it, else 0."""
    if length < 1 or window < 1 or vocab < 2:
        raise ValueError(f"need length ≥ 1, window ≥ 1, vocab ≥ 2; got {length}, {window}, {vocab}")
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(vocab, (n_seq, length), generator=g)
    labels = torch.zeros_like(tokens)
    for lag in range(1, window + 1):
        labels[:, lag:] |= (tokens[:, lag:] == tokens[:, :-lag]).long()
    return tokens, labels


def recall_batch(batch_size: int, n: int, distance: int, vocab: int,
                 gen: torch.Generator) -> tuple[Tensor, Tensor]:
    """The long-range recall task: random tokens ``(B, n)``; the label is the token
    ``distance`` positions before the last one, ``tokens[:, n-1-distance]`` ``(B,)``."""
    if not 0 <= distance < n:
        raise ValueError(f"distance must lie in [0, n-1] = [0, {n - 1}], got {distance}")
    tokens = torch.randint(vocab, (batch_size, n), generator=gen)
    return tokens, tokens[:, n - 1 - distance]
