"""Small sequence models for the toy tasks (chapters 7 and 10).

- :class:`TokenTransformer` — token embedding + positional encoding + a
  :class:`~attn_course.layers.transformer.TransformerEncoder` + a linear read-out per position.
  With ``causal=True`` each position sees only the past (a decoder-only language model).
- :class:`RecurrentBaseline` — embedding + GRU or LSTM + the same read-out: the recurrent
  model of the same size that chapter 10 compares against.

Both map ``tokens (B, N)`` int64 to ``logits (B, N, n_classes)``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..layers.positions import LearnedPositionalEmbedding, SinusoidalPositionalEncoding
from ..layers.transformer import TransformerEncoder

__all__ = ["RecurrentBaseline", "TokenTransformer"]


def _check_tokens(tokens: Tensor, vocab_size: int) -> None:
    if tokens.dim() != 2 or tokens.dtype != torch.int64:
        raise ValueError(f"tokens must be int64 with shape (B, N), got {tokens.dtype} "
                         f"{tuple(tokens.shape)}")
    if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) >= vocab_size):
        lo, hi = int(tokens.min()), int(tokens.max())
        raise ValueError(f"token ids must lie in [0, vocab_size={vocab_size}), got "
                         f"[{lo}, {hi}] in tokens of shape {tuple(tokens.shape)}")


class TokenTransformer(nn.Module):
    """A tiny Transformer that labels every position of a token sequence.

    Args:
        vocab_size: number of token ids; n_classes: number of labels per position.
        d_model, n_heads, d_ff, n_layers: sizes of the encoder stack.
        max_len: longest sequence (size of the position table).
        positional: ``"sinusoidal"``, ``"learned"`` or ``None`` (no positions at all).
        norm_first: pre-norm (True) or post-norm (False) blocks.
        causal: mask the future (position ``i`` attends to ``0 … i`` only).
        dropout: dropout inside the blocks.

    Shapes: ``tokens (B, N) → logits (B, N, n_classes)``, weights ``(B, L, n_heads, N, N)``.
    """

    def __init__(
        self,
        vocab_size: int,
        n_classes: int,
        *,
        d_model: int = 32,
        n_heads: int = 2,
        d_ff: int = 64,
        n_layers: int = 2,
        max_len: int = 128,
        positional: str | None = "sinusoidal",
        norm_first: bool = True,
        causal: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.vocab_size, self.causal = vocab_size, causal
        self.embed = nn.Embedding(vocab_size, d_model)
        if positional == "sinusoidal":
            self.pos: nn.Module = SinusoidalPositionalEncoding(d_model, max_len)
        elif positional == "learned":
            self.pos = LearnedPositionalEmbedding(max_len, d_model)
        elif positional is None:
            self.pos = nn.Identity()
        else:
            raise ValueError(f"positional must be 'sinusoidal', 'learned' or None, "
                             f"got {positional!r}")
        self.encoder = TransformerEncoder.build(n_layers, d_model, n_heads, d_ff,
                                                dropout=dropout, norm_first=norm_first)
        self.readout = nn.Linear(d_model, n_classes)

    def forward(
        self, tokens: Tensor, *, need_weights: bool = False, head_mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor | None]:
        """``tokens (B, N)`` → ``(logits (B, N, n_classes), weights (B, L, H, N, N) or None)``.

        ``head_mask (L, n_heads)``: 1 keeps a head, 0 ablates it (chapter 7).
        """
        _check_tokens(tokens, self.vocab_size)
        x = self.pos(self.embed(tokens))  # (B, N, d_model)
        x, w = self.encoder(x, is_causal=self.causal, need_weights=need_weights,
                            head_mask=head_mask)
        return self.readout(x), w  # (B, N, n_classes)


class RecurrentBaseline(nn.Module):
    """Embedding → GRU/LSTM (left to right) → linear read-out at every position.

    Args:
        vocab_size, n_classes: as in :class:`TokenTransformer`.
        d_embed: embedding width; hidden: recurrent state size; n_layers: stacked RNN layers.
        kind: ``"gru"`` or ``"lstm"``.

    Shapes: ``tokens (B, N) → logits (B, N, n_classes)``. Returns ``(logits, None)`` so it is
    a drop-in for :class:`TokenTransformer` in training code.
    """

    def __init__(
        self,
        vocab_size: int,
        n_classes: int,
        *,
        d_embed: int = 32,
        hidden: int = 64,
        n_layers: int = 1,
        kind: str = "gru",
    ) -> None:
        super().__init__()
        rnn = {"gru": nn.GRU, "lstm": nn.LSTM}.get(kind)
        if rnn is None:
            raise ValueError(f"kind must be 'gru' or 'lstm', got {kind!r}")
        self.vocab_size = vocab_size
        self.embed = nn.Embedding(vocab_size, d_embed)
        self.rnn = rnn(d_embed, hidden, num_layers=n_layers, batch_first=True)
        self.readout = nn.Linear(hidden, n_classes)

    def forward(self, tokens: Tensor, **_: object) -> tuple[Tensor, None]:
        _check_tokens(tokens, self.vocab_size)
        h, _ = self.rnn(self.embed(tokens))  # (B, N, hidden)
        return self.readout(h), None  # (B, N, n_classes)
