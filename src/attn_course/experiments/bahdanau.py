"""Training and length-bucketed evaluation of the chapter-8 translators.

:func:`train_seq2seq` trains with teacher forcing (the course's loop,
:func:`attn_course.tools.training.train`);
:func:`accuracy_by_length` decodes greedily and scores each test sentence by
word accuracy (words right at the right position, divided by the longer of
prediction and reference) and exact match, grouped by source length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from ..data.translation import (
    BOS,
    Pairs,
    Vocab,
    encode_batch,
    source_vocab,
    target_vocab,
)
from ..models.seq2seq import Seq2Seq
from ..tools.training import train as train_loop

__all__ = [
    "LengthReport",
    "accuracy_by_length",
    "alignment_maps",
    "bucket_accuracy",
    "crossings",
    "sentence_scores",
    "train_seq2seq",
    "translate_batch",
]

def train_seq2seq(model: nn.Module, train: Pairs, *, steps: int = 600, batch_size: int = 64,
                  lr: float = 3e-3, seed: int = 0, progress: bool = True,
                  desc: str | None = None, threads: int | None = 1, warmup: int = 0,
                  schedule: str = "constant",
                  on_step: Callable[[int, float], bool | None] | None = None) -> list[float]:
    """Teacher-forced training with the course's loop; returns the loss of every step.

    Every model gets the same number of ``steps`` on the same batches (drawn
    from ``seed``), so "the same budget" means the same data and updates: Adam (AdamW
    without weight decay), gradients clipped to norm 1, cross-entropy ignoring padding.
    ``model`` is a :class:`attn_course.models.seq2seq.Seq2Seq` or anything with its
    ``forward(src, src_len, tgt_in)`` (the Transformer of chapter 10).
    ``warmup``, ``schedule`` and ``on_step`` are passed to
    :func:`attn_course.tools.training.train` (``on_step`` returning True stops early).
    ``threads``: torch threads while training (one is fastest for models this small).
    """
    src_v, tgt_v = source_vocab(), target_vocab()
    rng = np.random.default_rng(seed)

    def batch(step: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        idx = rng.integers(0, len(train), batch_size)
        src, src_len = encode_batch([train[i][0] for i in idx], src_v)
        tgt, _ = encode_batch([train[i][1] for i in idx], tgt_v, add_eos=True)
        tgt_in = torch.cat([torch.full((len(idx), 1), tgt_v.stoi[BOS]), tgt[:, :-1]], 1)
        return src, src_len, tgt_in, tgt  # tgt_in starts with <bos>; tgt ends with <eos>

    def loss_fn(m: nn.Module, b: tuple[Tensor, Tensor, Tensor, Tensor]) -> Tensor:
        src, src_len, tgt_in, tgt = b
        logits, _ = m(src, src_len, tgt_in)  # (B, T, V)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1),
                               ignore_index=0)  # (B·T, V) against (B·T,)

    history = train_loop(model, batch, loss_fn, steps, lr, seed=seed, progress=progress,
                         clip=1.0, desc=desc or getattr(model, "attention", "training"),
                         threads=threads, warmup=warmup, schedule=schedule, on_step=on_step)
    return history["loss"]


def sentence_scores(pred: list[str], ref: list[str]) -> tuple[float, bool]:
    """Word accuracy ``#{i: pred[i] = ref[i]} / max(len(pred), len(ref))`` and exact match."""
    hits = sum(p == r for p, r in zip(pred, ref))
    return hits / max(len(pred), len(ref), 1), pred == ref


@dataclass
class LengthReport:
    """Per-length results: ``lengths``, mean word accuracy and exact-match rate per length."""

    lengths: list[int]
    word_acc: list[float]
    exact: list[float]
    examples: dict[int, tuple[list[str], list[str], list[str]]] = field(default_factory=dict)

    @property
    def mean_word_acc(self) -> float:
        return float(np.mean(self.word_acc))


def translate_batch(model: Seq2Seq, sources: list[list[str]], src_v: Vocab | None = None,
                    tgt_v: Vocab | None = None, extra: int = 4
                    ) -> tuple[list[list[str]], torch.Tensor | None]:
    """Greedy translations of ``sources`` and weights ``(B, T, N)`` (``None`` without attention)."""
    src_v, tgt_v = src_v or source_vocab(), tgt_v or target_vocab()
    src, src_len = encode_batch(sources, src_v)
    ids, w = model.greedy(src, src_len, max_len=src.shape[1] + extra)
    return [tgt_v.decode(row.tolist()) for row in ids], w


def accuracy_by_length(model: Seq2Seq, test: dict[int, Pairs]) -> LengthReport:
    """Greedy-decode every test sentence and average the scores per source length."""
    model.eval()
    lengths, acc, exact, examples = [], [], [], {}
    for length, pairs in sorted(test.items()):
        if not pairs:
            continue
        preds, _ = translate_batch(model, [s for s, _ in pairs])
        scores = [sentence_scores(p, ref) for p, (_, ref) in zip(preds, pairs)]
        lengths.append(length)
        acc.append(float(np.mean([s[0] for s in scores])))
        exact.append(float(np.mean([s[1] for s in scores])))
        examples[length] = (pairs[0][0], pairs[0][1], preds[0])
    return LengthReport(lengths, acc, exact, examples)


def bucket_accuracy(report: LengthReport, lo: int, hi: int, *, exact: bool = False) -> float:
    """Mean over the lengths ``lo ≤ n ≤ hi`` of ``report``'s per-length word accuracy (or
    exact-match rate): each length counts once, however many sentences it has."""
    values = report.exact if exact else report.word_acc
    picked = [v for n, v in zip(report.lengths, values) if lo <= n <= hi]
    if not picked:
        raise ValueError(f"no length of the report in [lo={lo}, hi={hi}]: {report.lengths}")
    return float(np.mean(picked))


def alignment_maps(model: Seq2Seq, sources: list[list[str]]
                   ) -> tuple[np.ndarray, list[list[str]], list[list[str]]]:
    """Attention maps of ``model`` on sentences of one length ``N`` for the map explorer.

    Returns ``weights (E, N, N)`` (rows = the first ``N`` output words, columns = source
    words), the source words per example and the output words per example (``"·"``
    where the model stopped early).
    """
    n = len(sources[0])
    if any(len(s) != n for s in sources):
        raise ValueError(f"sources must share one length, got {[len(s) for s in sources]}")
    if model.attention == "none":
        raise ValueError("the model without attention has no alignment to show")
    preds, w = translate_batch(model, sources)
    outs = [(p + ["·"] * n)[:n] for p in preds]
    return w[:, :n, :n].numpy(), [list(s) for s in sources], outs


def crossings(weights: np.ndarray) -> int:
    """How often the hard alignment (argmax of each row of ``(n_out, n_in)``) moves backwards.

    0 for a monotonic alignment. Each correctly reordered adjective–noun pair adds one;
    so does any other row that looks back (e.g. *et* reading the phrase before it).
    """
    hard = np.asarray(weights).argmax(-1)  # (n_out,)
    return int(np.sum(np.diff(hard) < 0))
