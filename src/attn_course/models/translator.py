"""A small encoder–decoder Transformer for chapter 8's translation task (chapter 10).

The same interface as :class:`attn_course.models.seq2seq.Seq2Seq` — ``forward(src, src_len,
tgt_in)`` with teacher forcing and ``greedy(src, src_len, max_len)`` — so the two train on
the same batches and are scored by the same code. Token embeddings plus the sinusoidal
table (Vaswani et al. 2017), ``n_enc`` pre-norm encoder blocks over the source (padding
masked), ``n_dec`` pre-norm decoder blocks (causal self-attention, cross-attention to the
encoder's output), a final layer norm on each side and a linear read-out.

Shapes: source ids ``(B, N)`` with lengths ``(B,)``; target ids ``(B, T)``; logits
``(B, T, V)``; cross-attention weights ``(B, n_heads, T, N)`` per decoder layer. Id 0 is
padding, 1 is ``<bos>``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..core.masks import padding_mask
from ..layers.decoder import TransformerDecoderLayer
from ..layers.positions import SinusoidalPositionalEncoding
from ..layers.transformer import TransformerEncoder

__all__ = ["TransformerTranslator"]


class TransformerTranslator(nn.Module):
    """Encoder–decoder Transformer (pre-norm).

    Args:
        n_src, n_tgt: vocabulary sizes (id 0 = padding, 1 = ``<bos>``).
        d_model, n_heads, d_ff: block sizes; n_enc, n_dec: numbers of encoder and decoder
            blocks; max_len: the longest sentence the position table holds.
    """

    def __init__(self, n_src: int, n_tgt: int, *, d_model: int = 32, n_heads: int = 4,
                 d_ff: int = 128, n_enc: int = 2, n_dec: int = 2, max_len: int = 64) -> None:
        super().__init__()
        self.src_embed = nn.Embedding(n_src, d_model, padding_idx=0)
        self.tgt_embed = nn.Embedding(n_tgt, d_model, padding_idx=0)
        self.pos = SinusoidalPositionalEncoding(d_model, max_len)
        self.encoder = TransformerEncoder.build(n_enc, d_model, n_heads, d_ff, norm_first=True)
        self.decoder = nn.ModuleList(TransformerDecoderLayer(d_model, n_heads, d_ff,
                                                             norm_first=True)
                                     for _ in range(n_dec))
        self.dec_norm = nn.LayerNorm(d_model)
        self.out = nn.Linear(d_model, n_tgt)

    def encode(self, src: Tensor, src_len: Tensor) -> tuple[Tensor, Tensor]:
        """``src (B, N)`` → memory ``(B, N, d_model)`` and the padding mask ``(B, 1, 1, N)``."""
        mask = padding_mask(src_len, src.shape[1])[:, None]  # (B, 1, 1, N), True = a word
        memory, _ = self.encoder(self.pos(self.src_embed(src)), mask=mask, need_weights=False)
        return memory, mask

    def decode(self, memory: Tensor, mask: Tensor, tgt_in: Tensor, *,
               need_weights: bool = False) -> tuple[Tensor, list[Tensor | None]]:
        """Teacher-forced decoder pass: logits ``(B, T, V)`` and the cross-attention weights."""
        y = self.pos(self.tgt_embed(tgt_in))  # (B, T, d_model)
        cross = []
        for layer in self.decoder:
            y, (_, w_cross) = layer(y, memory, memory_mask=mask, need_weights=need_weights)
            cross.append(w_cross)
        return self.out(self.dec_norm(y)), cross

    def forward(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> tuple[Tensor, None]:
        """Teacher forcing: ``tgt_in (B, T)`` starts with ``<bos>`` → ``(logits, None)``."""
        memory, mask = self.encode(src, src_len)
        return self.decode(memory, mask, tgt_in)[0], None

    @torch.no_grad()
    def greedy(self, src: Tensor, src_len: Tensor, max_len: int) -> tuple[Tensor, None]:
        """Greedy decoding: ids ``(B, max_len)`` (the decoder reruns on its growing prefix)."""
        memory, mask = self.encode(src, src_len)
        y = torch.full((src.shape[0], 1), 1, dtype=torch.long)  # <bos>
        for _ in range(max_len):
            logits, _ = self.decode(memory, mask, y)
            y = torch.cat([y, logits[:, -1:].argmax(-1)], dim=1)  # (B, t + 1)
        return y[:, 1:], None
