"""The Transformer decoder block (chapter 10): causal self-attention, cross-attention, FFN.

The decoder reads its own prefix through *causal* self-attention (position ``i`` sees
``0 … i``) and the encoder's output ``memory`` through cross-attention (queries from the
decoder, keys and values from the encoder). Norm placement as in
:class:`attn_course.layers.transformer.TransformerEncoderLayer` (post-norm or ``norm_first``).
"""

from __future__ import annotations

from torch import Tensor, nn

from .multihead import MultiHeadAttention
from .transformer import FeedForward, _copy_block

__all__ = ["TransformerDecoderLayer"]


class TransformerDecoderLayer(nn.Module):
    """One decoder block: causal self-attention, cross-attention to ``memory``, feed-forward.

    Same arguments and norm placement as
    :class:`~attn_course.layers.transformer.TransformerEncoderLayer`. The queries of the
    cross-attention come from the decoder, its keys and values from the encoder's
    output ``memory`` (cross-attention); the self-attention is causal by default.

    Shapes: ``x (B, n_q, d_model)``, ``memory (B, n_k, d_model)`` → ``(B, n_q, d_model)``;
    weights ``(B, n_heads, n_q, n_q)`` (self) and ``(B, n_heads, n_q, n_k)`` (cross).
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        *,
        dropout: float = 0.0,
        norm_first: bool = False,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
    ) -> None:
        super().__init__()
        self.d_model, self.n_heads, self.norm_first = d_model, n_heads, norm_first
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.cross_attn = MultiHeadAttention(d_model, n_heads)
        self.ff = FeedForward(d_model, d_ff, dropout=dropout, activation=activation)
        self.norm1, self.norm2, self.norm3 = (
            nn.LayerNorm(d_model, eps=layer_norm_eps) for _ in range(3)
        )
        self.dropout1, self.dropout2, self.dropout3 = (nn.Dropout(dropout) for _ in range(3))

    def forward(
        self,
        x: Tensor,
        memory: Tensor,
        *,
        mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        is_causal: bool = True,
        need_weights: bool = True,
    ) -> tuple[Tensor, tuple[Tensor | None, Tensor | None]]:
        """Apply the block; returns ``(x, (self_weights, cross_weights))``.

        ``mask`` (self-attention) and ``memory_mask`` (cross-attention) are boolean,
        True = may attend, broadcastable to ``(B, n_heads, n_q, n_q)`` / ``(B, n_heads, n_q, n_k)``.
        """
        for name, t in (("x", x), ("memory", memory)):
            if t.dim() != 3 or t.shape[-1] != self.d_model:
                raise ValueError(
                    f"{name} must have shape (B, N, d_model={self.d_model}), got {tuple(t.shape)}"
                )
        kw_self = dict(mask=mask, is_causal=is_causal, need_weights=need_weights)
        kw_cross = dict(mask=memory_mask, need_weights=need_weights)
        if self.norm_first:
            h = self.norm1(x)
            a, w_self = self.self_attn(h, h, h, **kw_self)
            x = x + self.dropout1(a)
            h = self.norm2(x)
            a, w_cross = self.cross_attn(h, memory, memory, **kw_cross)
            x = x + self.dropout2(a)
            x = x + self.dropout3(self.ff(self.norm3(x)))
        else:
            a, w_self = self.self_attn(x, x, x, **kw_self)
            x = self.norm1(x + self.dropout1(a))
            a, w_cross = self.cross_attn(x, memory, memory, **kw_cross)
            x = self.norm2(x + self.dropout2(a))
            x = self.norm3(x + self.dropout3(self.ff(x)))
        return x, (w_self, w_cross)

    @classmethod
    def from_torch(cls, m: nn.TransformerDecoderLayer) -> TransformerDecoderLayer:
        """Copy a ``torch.nn.TransformerDecoderLayer(batch_first=True)``.

        ``forward(x, memory)`` (causal by default) equals
        ``m(x, memory, tgt_mask=~causal_mask(n_q), tgt_is_causal=True)``. In ``m``'s dtype and
        on its device; refuses what the copy cannot reproduce, as
        :meth:`attn_course.layers.transformer.TransformerEncoderLayer.from_torch` does (and
        dropout on the cross-attention weights).
        """
        new = _copy_block(cls, m, nn.TransformerDecoderLayer)
        new.cross_attn = MultiHeadAttention.from_torch(m.multihead_attn)
        return new
