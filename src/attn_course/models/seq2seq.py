"""RNN encoder–decoders with and without attention (chapter 8).

One :class:`Seq2Seq` class, four decoders that differ only where the papers differ:

- ``"none"`` — Cho et al. / Sutskever et al.: the encoder's final states are squeezed
  into one **fixed context vector** ``c``, fed to the decoder at every step.
- ``"bahdanau"`` — Bahdanau et al. (2015): before emitting word ``i`` the previous
  decoder state ``s_{i-1}`` scores every encoder annotation with additive attention
  (:class:`~attn_course.layers.additive.AdditiveAttention`); the context ``c_i`` is fed
  into the GRU. The decoder is sequential even with teacher forcing.
- ``"dot"``, ``"general"``, ``"additive"`` — Luong et al. (2015) global attention:
  the GRU runs first, its state ``h_i`` is the query, ``h̃_i = tanh(W_c[c_i; h_i])``
  predicts the word. Only the score function changes
  (:class:`attn_course.layers.additive.ScoreAttention`).

Shapes: source ids ``(B, N)`` with lengths ``(B,)``; target ids ``(B, T)``;
logits ``(B, T, V)``; attention weights ``(B, T, N)`` (rows = output words,
columns = input words). Padding is id 0 and is masked out of every attention.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..core.masks import padding_mask
from ..layers.additive import AdditiveAttention, ScoreAttention

__all__ = ["ATTENTION_KINDS", "Encoder", "Seq2Seq"]

ATTENTION_KINDS = ("none", "bahdanau", "dot", "general", "additive")


class Encoder(nn.Module):
    """Embedding + bidirectional GRU: ids ``(B, N)`` → annotations ``(B, N, 2·d_dir)``.

    Also returns the fixed summary ``(B, 2·d_dir)``: the forward GRU's last state
    next to the backward GRU's last state (which has read the sentence right to left).
    """

    def __init__(self, n_src: int, d_emb: int, d_dir: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(n_src, d_emb, padding_idx=0)
        self.rnn = nn.GRU(d_emb, d_dir, batch_first=True, bidirectional=True)

    def forward(self, src: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        packed = pack_padded_sequence(self.embed(src), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        out, h_n = self.rnn(packed)  # h_n: (2, B, d_dir)
        ann, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        summary = torch.cat([h_n[0], h_n[1]], dim=-1)  # (B, 2·d_dir)
        return ann, summary


class Seq2Seq(nn.Module):
    """GRU encoder–decoder; ``attention`` is one of ``ATTENTION_KINDS``.

    Args:
        n_src, n_tgt: vocabulary sizes (id 0 = padding, 1 = ``<bos>``, 2 = ``<eos>``).
        attention: which decoder (see the module docstring).
        d_emb: word-embedding size. d_hidden: decoder state size; the encoder runs
            two GRUs of ``d_hidden // 2`` so annotations also have ``d_hidden`` features.
    """

    def __init__(self, n_src: int, n_tgt: int, attention: str = "bahdanau", *,
                 d_emb: int = 32, d_hidden: int = 64) -> None:
        super().__init__()
        if attention not in ATTENTION_KINDS:
            raise ValueError(f"attention must be one of {ATTENTION_KINDS}, got {attention!r}")
        if d_hidden % 2:
            raise ValueError(f"d_hidden must be even (two encoder directions), got {d_hidden}")
        self.attention = attention
        self.encoder = Encoder(n_src, d_emb, d_hidden // 2)
        self.embed = nn.Embedding(n_tgt, d_emb, padding_idx=0)
        self.init = nn.Linear(d_hidden, d_hidden)
        if attention == "none":
            self.rnn = nn.GRU(d_emb + d_hidden, d_hidden, batch_first=True)
            self.out = nn.Linear(2 * d_hidden, n_tgt)
        elif attention == "bahdanau":
            self.cell = nn.GRUCell(d_emb + d_hidden, d_hidden)
            self.attn = AdditiveAttention(d_hidden, d_hidden, d_hidden)
            self.out = nn.Linear(2 * d_hidden, n_tgt)
        else:
            self.rnn = nn.GRU(d_emb, d_hidden, batch_first=True)
            self.attn = ScoreAttention(attention, d_hidden)
            self.combine = nn.Linear(2 * d_hidden, d_hidden)
            self.out = nn.Linear(d_hidden, n_tgt)

    def _encode(self, src: Tensor, src_len: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        ann, summary = self.encoder(src, src_len)
        mask = padding_mask(src_len, src.shape[1])  # (B, 1, N) True = real word
        s0 = torch.tanh(self.init(summary))  # (B, d_hidden)
        return ann, summary, s0, mask

    def _steps(self, ann: Tensor, summary: Tensor, state: Tensor, mask: Tensor, y_prev: Tensor
               ) -> tuple[Tensor, Tensor, Tensor | None]:
        """Run the decoder over the (teacher-forced or just predicted) words ``y_prev (B, T)``.

        Returns logits ``(B, T, V)``, the new state and weights ``(B, T, N)`` (``None``
        for the model without attention).
        """
        emb = self.embed(y_prev)  # (B, T, d_emb)
        if self.attention == "none":
            ctx = summary.unsqueeze(1).expand(-1, emb.shape[1], -1)  # the same c at every step
            s, s_n = self.rnn(torch.cat([emb, ctx], dim=-1), state.unsqueeze(0))  # (B, T, d)
            return self.out(torch.cat([s, ctx], dim=-1)), s_n[0], None
        if self.attention == "bahdanau":
            logits, weights = [], []
            for t in range(emb.shape[1]):  # sequential: c_t needs the previous state
                ctx, w = self.attn(state, ann, mask=mask)  # (B, d), (B, N)
                weights.append(w)
                state = self.cell(torch.cat([emb[:, t], ctx], dim=-1), state)
                logits.append(self.out(torch.cat([state, ctx], dim=-1)))
            return torch.stack(logits, 1), state, torch.stack(weights, 1)  # (B, T, N)
        h, h_n = self.rnn(emb, state.unsqueeze(0))  # (B, T, d), (1, B, d)
        ctx, w = self.attn(h, ann, mask=mask)  # (B, T, d), (B, T, N)
        h_tilde = torch.tanh(self.combine(torch.cat([ctx, h], dim=-1)))  # (B, T, d)
        return self.out(h_tilde), h_n[0], w

    def forward(self, src: Tensor, src_len: Tensor, tgt_in: Tensor
                ) -> tuple[Tensor, Tensor | None]:
        """Teacher forcing: ``tgt_in (B, T)`` starts with ``<bos>``; → logits, weights."""
        ann, summary, s0, mask = self._encode(src, src_len)
        logits, _, w = self._steps(ann, summary, s0, mask, tgt_in)
        return logits, w

    @torch.no_grad()
    def greedy(self, src: Tensor, src_len: Tensor, max_len: int) -> tuple[Tensor, Tensor | None]:
        """Greedy decoding: ids ``(B, max_len)`` and weights ``(B, max_len, N)`` (or ``None``)."""
        ann, summary, state, mask = self._encode(src, src_len)
        y = torch.full((src.shape[0], 1), 1, dtype=torch.long)  # <bos>
        ids, weights = [], []
        for _ in range(max_len):
            logits, state, w = self._steps(ann, summary, state, mask, y)
            y = logits.argmax(-1)  # (B, 1)
            ids.append(y)
            if w is not None:
                weights.append(w)
        w_all = torch.cat(weights, 1) if weights else None
        return torch.cat(ids, 1), w_all
