"""Random token sequences that repeat themselves — the data of induction heads (chapter 16).

A sequence of uniformly random tokens is unpredictable — until it repeats. Once a segment
comes back, the token after each repeated token can be read off the first occurrence:
*"the last time I saw A it was followed by B, so B comes next"*. That is the job of an
induction head (Elhage et al. 2021; Olsson et al. 2022).

- :func:`periodic_sequences`: training data — a random segment of random length ``P``
  (the period) repeated to fill the sequence, so each sequence has its own period and no
  fixed offset predicts the next token;
- :func:`repeated_segments`: test data — a random segment of length ``S`` followed by the same
  segment once more, ``(n_seq, 2S)``; the loss on the second copy is the *in-context* loss.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["periodic_sequences", "repeated_segments"]


def periodic_sequences(n_seq: int, length: int, vocab_size: int, *, min_period: int,
                       max_period: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """Sequences ``(n_seq, length)`` of period ``P ~ U{min_period … max_period}`` each.

    Returns ``(tokens, period)``: int64 ``(n_seq, length)`` and ``(n_seq,)``. Token ``i`` of a
    sequence equals token ``i − P`` for every ``i ≥ P``.
    """
    if not 1 <= min_period <= max_period <= length or vocab_size < 2 or n_seq < 1:
        raise ValueError(f"need n_seq ≥ 1, vocab_size ≥ 2 and 1 ≤ min_period ≤ max_period ≤ "
                         f"length; got n_seq={n_seq}, vocab_size={vocab_size}, min_period="
                         f"{min_period}, max_period={max_period}, length={length}")
    base = torch.randint(vocab_size, (n_seq, max_period), generator=generator)  # (n_seq, P_max)
    period = torch.randint(min_period, max_period + 1, (n_seq,), generator=generator)  # (n_seq,)
    pos = torch.arange(length)[None, :] % period[:, None]  # (n_seq, length): index in the segment
    return base.gather(1, pos), period


def repeated_segments(n_seq: int, segment: int, vocab_size: int, *, seed: int) -> Tensor:
    """``n_seq`` random segments of ``segment`` tokens, each followed by itself: ``(n_seq, 2S)``."""
    if n_seq < 1 or segment < 1 or vocab_size < 2:
        raise ValueError(f"need n_seq ≥ 1, segment ≥ 1, vocab_size ≥ 2; got {n_seq}, {segment}, "
                         f"{vocab_size}")
    g = torch.Generator().manual_seed(seed)
    seg = torch.randint(vocab_size, (n_seq, segment), generator=g)  # (n_seq, S)
    return torch.cat([seg, seg], dim=1)  # (n_seq, 2S)
