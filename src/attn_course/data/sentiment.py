"""A classification task whose important tokens are known — for testing explanations
(chapter 16).

Each sequence is a class token ``CLS`` followed by ``N`` words: mostly neutral fillers, plus
one to five *sentiment* words, each positive (+1) or negative (−1). The label is 1 when the
sentiment words sum to more than zero, else 0 (ties are never drawn). So the tokens that
decide the label are, by construction, exactly the sentiment words: the ground truth an
explanation method should recover.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = ["SentimentTask", "sentiment_task"]

N_POS, N_NEG, N_NEUTRAL = 8, 8, 48


@dataclass(frozen=True)
class SentimentTask:
    """``tokens (n, 1 + N)`` (``CLS`` first), ``labels (n,)``, ``important (n, N)`` bool
    (the sentiment words), and the vocabulary size."""

    tokens: Tensor
    labels: Tensor
    important: Tensor
    vocab_size: int = N_POS + N_NEG + N_NEUTRAL + 1

    @property
    def cls(self) -> int:
        return self.vocab_size - 1


def _values() -> Tensor:
    v = torch.zeros(N_POS + N_NEG + N_NEUTRAL + 1)
    v[:N_POS], v[N_POS:N_POS + N_NEG] = 1.0, -1.0
    return v


def sentiment_task(n: int, length: int, *, seed: int, max_sentiment: int = 5) -> SentimentTask:
    """``n`` sequences of ``length`` words with 1 to ``max_sentiment`` sentiment words each."""
    if n < 1 or not 1 <= max_sentiment <= length:
        raise ValueError(f"need n ≥ 1 and 1 ≤ max_sentiment ≤ length; got n={n}, "
                         f"max_sentiment={max_sentiment}, length={length}")
    g = torch.Generator().manual_seed(seed)
    value = _values()
    words = torch.randint(N_POS + N_NEG, N_POS + N_NEG + N_NEUTRAL, (n, length), generator=g)
    for i in range(n):
        while True:  # draw sentiment words until they do not cancel out
            k = int(torch.randint(1, max_sentiment + 1, (1,), generator=g))
            chosen = torch.randint(0, N_POS + N_NEG, (k,), generator=g)
            if value[chosen].sum() != 0:
                break
        words[i, torch.randperm(length, generator=g)[:k]] = chosen
    labels = (value[words].sum(1) > 0).long()  # (n,)
    cls = torch.full((n, 1), N_POS + N_NEG + N_NEUTRAL)
    return SentimentTask(torch.cat([cls, words], 1), labels, value[words] != 0)
