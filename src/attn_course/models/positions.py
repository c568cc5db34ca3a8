"""A small causal Transformer whose position method is pluggable (chapter 14).

:class:`PositionModel` is the same network for every method: token embedding →
``method.add_to_input`` → a pre-norm :class:`attn_course.TransformerEncoder` whose
attention takes the method as its position hook (``positions=``) → a per-position
classifier. Only the method differs; see :mod:`attn_course.layers.positions`.
"""

from __future__ import annotations

from torch import Tensor, nn

from ..layers.positions import make_method
from ..layers.transformer import TransformerEncoder

__all__ = ["PositionModel"]


class PositionModel(nn.Module):
    """Embedding → positions → ``n_layers`` causal pre-norm blocks → per-position logits.

    Args:
        vocab: number of token ids; n_out: number of classes per position.
        method: ``"none"``, ``"sinusoidal"``, ``"learned"``, ``"rope"`` or ``"alibi"``.
        d_model, n_heads, n_layers: sizes of the encoder (feed-forward width ``4 d_model``).
        max_len: positions the learned embedding holds (others need none).

    Shapes: ``tokens (B, N)`` int → ``logits (B, N, n_out)``.
    """

    def __init__(self, vocab: int, n_out: int, method: str, *, d_model: int = 32,
                 n_heads: int = 2, n_layers: int = 2, max_len: int = 512) -> None:
        super().__init__()
        self.method = make_method(method, d_model=d_model, n_heads=n_heads, max_len=max_len)
        self.embed = nn.Embedding(vocab, d_model)
        self.encoder = TransformerEncoder.build(n_layers, d_model, n_heads, 4 * d_model,
                                                norm_first=True, positions=self.method)
        self.head = nn.Linear(d_model, n_out)

    def forward(self, tokens: Tensor) -> Tensor:
        x = self.method.add_to_input(self.embed(tokens))  # (B, N, d_model)
        x, _ = self.encoder(x, is_causal=True, need_weights=False)  # (B, N, d_model)
        return self.head(x)  # (B, N, n_out)
