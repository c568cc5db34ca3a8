"""A small causal Transformer whose position method is pluggable, and a task to test it on
(chapter 14).

:class:`PositionModel` is the same network for every method: token embedding →
``method.add_to_input`` → pre-norm blocks whose attention computes its scores with
``method.scores`` → a per-position classifier. Only the method differs.

The task, :func:`make_repeat_task`: at every position, say whether the current token
already occurred among the previous ``window`` tokens. It needs both content (is it the
same token?) and position (is it close enough?), and its rule is the same at every length,
so a model trained on short sequences *could* apply it to long ones.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .core.masks import causal_mask
from .core.softmax import softmax
from .positions import PositionMethod, make_method
from .tools.training import minibatches, train
from .transformer import FeedForward

__all__ = ["PositionAttention", "PositionModel", "evaluate_lengths", "make_repeat_task",
           "train_position_model"]


class PositionAttention(nn.Module):
    """Causal multi-head self-attention whose scores come from ``method.scores``.

    Shapes: ``x (B, N, d_model) → (out (B, N, d_model), weights (B, H, N, N))``.
    """

    def __init__(self, d_model: int, n_heads: int, method: PositionMethod) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide d_model={d_model}")
        self.n_heads, self.d_k = n_heads, d_model // n_heads
        self.W_qkv = nn.Linear(d_model, 3 * d_model)
        self.W_o = nn.Linear(d_model, d_model)
        self.method = method

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        B, N, d_model = x.shape
        qkv = self.W_qkv(x).view(B, N, 3, self.n_heads, self.d_k)  # (B, N, 3, H, d_k)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (B, H, N, d_k)
        scores = self.method.scores(q, k)  # (B, H, N, N): the only place positions enter
        weights = softmax(scores, mask=causal_mask(N, like=x))  # (B, H, N, N)
        out = (weights @ v).transpose(1, 2).reshape(B, N, d_model)  # (B, N, d_model)
        return self.W_o(out), weights


class PositionModel(nn.Module):
    """Embedding → positions → ``n_layers`` pre-norm blocks → per-position logits.

    Args:
        vocab: number of token ids; n_out: number of classes per position.
        method: ``"none"``, ``"sinusoidal"``, ``"learned"``, ``"rope"`` or ``"alibi"``.
        max_len: positions the learned embedding holds (others need none).

    Shapes: ``tokens (B, N)`` int → ``logits (B, N, n_out)``.
    """

    def __init__(self, vocab: int, n_out: int, method: str, *, d_model: int = 32,
                 n_heads: int = 2, n_layers: int = 2, max_len: int = 512) -> None:
        super().__init__()
        self.method = make_method(method, d_model=d_model, n_heads=n_heads, max_len=max_len)
        self.embed = nn.Embedding(vocab, d_model)
        self.attn = nn.ModuleList(
            PositionAttention(d_model, n_heads, self.method) for _ in range(n_layers))
        self.ffn = nn.ModuleList(FeedForward(d_model, 4 * d_model) for _ in range(n_layers))
        self.norms = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(2 * n_layers + 1))
        self.head = nn.Linear(d_model, n_out)

    def forward(self, tokens: Tensor) -> Tensor:
        x = self.method.add_to_input(self.embed(tokens))  # (B, N, d_model)
        for i, (attn, ffn) in enumerate(zip(self.attn, self.ffn)):
            x = x + attn(self.norms[2 * i](x))[0]
            x = x + ffn(self.norms[2 * i + 1](x))
        return self.head(self.norms[-1](x))  # (B, N, n_out)


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


def train_position_model(method: str, *, length: int = 32, steps: int = 300, seed: int = 0,
                         vocab: int = 6, window: int = 4, progress: bool = True,
                         **model_kw: int) -> tuple[PositionModel, dict[str, list[float]]]:
    """Train a :class:`PositionModel` with ``method`` on the repeat task at one ``length``."""
    torch.manual_seed(seed)
    model = PositionModel(vocab, 2, method, **model_kw)
    tokens, labels = make_repeat_task(2048, length, vocab=vocab, window=window, seed=seed)

    def loss_fn(m: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
        x, y = batch
        return F.cross_entropy(m(x).flatten(0, 1), y.flatten())

    history = train(model, minibatches(tokens, labels, batch_size=32, seed=seed), loss_fn,
                    steps, 3e-3, seed=seed, progress=progress, desc=f"{method}")
    return model, history


@torch.no_grad()
def evaluate_lengths(model: PositionModel, lengths: list[int], *, vocab: int = 6,
                     window: int = 4, n_seq: int = 256, seed: int = 1) -> dict[int, float]:
    """Per-position accuracy on fresh sequences of each length (same rule, new seed)."""
    model.eval()
    out = {}
    for n in lengths:
        tokens, labels = make_repeat_task(n_seq, n, vocab=vocab, window=window, seed=seed + n)
        out[n] = float((model(tokens).argmax(-1) == labels).float().mean())
    return out
