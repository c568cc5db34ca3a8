"""Multi-head attention (chapter 7) as a ``torch.nn.Module``, batch-first — the only one.

``d_model`` (``embed_dim``) is split into ``n_heads`` heads of size
``d_k = d_model / n_heads``; each head runs scaled dot-product attention, the
heads are concatenated and mixed by an output projection ``W_o``. The argument names
``embed_dim`` and ``num_heads`` mirror ``torch.nn.MultiheadAttention``.

Every Transformer of the course uses this module; the position methods of chapter 14
plug into it as a hook (``positions=``, a :class:`attn_course.layers.positions.PositionMethod`):
RoPE rotates the queries and keys, ALiBi adds a bias to the scores, and nothing else
changes.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._backend import check_module_input
from ..core.attention import scaled_dot_product_attention
from ..core.masks import causal_mask, check_mask
from .positions import PositionMethod

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(nn.Module):
    """Multi-head attention with separate ``W_q, W_k, W_v, W_o`` projections.

    Args:
        embed_dim: ``d_model``, the size of the token vectors.
        num_heads: ``n_heads``; must divide ``embed_dim``.
        bias: whether the four projections have biases.
        positions: a position hook (:class:`attn_course.layers.positions.PositionMethod`)
            whose ``rotate`` is applied to the queries and keys of every head and whose
            ``score_bias`` is added to the scaled scores; ``None`` = no positions here.

    Shapes (batch-first): ``query (B, n_q, d_model)``, ``key``/``value (B, n_k, d_model)``
    → ``out (B, n_q, d_model)``, ``weights (B, n_heads, n_q, n_k)``.
    """

    def __init__(
        self, embed_dim: int, num_heads: int, *, bias: bool = True,
        positions: PositionMethod | None = None,
    ) -> None:
        super().__init__()
        if num_heads <= 0 or embed_dim <= 0 or embed_dim % num_heads != 0:
            raise ValueError(
                f"num_heads must be positive and divide embed_dim: got embed_dim={embed_dim}, "
                f"num_heads={num_heads}"
            )
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.d_k = embed_dim // num_heads
        self.W_q = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.W_k = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.W_v = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.W_o = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.positions = positions

    def split_heads(self, x: Tensor) -> Tensor:
        """``(B, N, d_model) → (B, n_heads, N, d_k)``."""
        B, N, _ = x.shape
        return x.view(B, N, self.num_heads, self.d_k).transpose(1, 2)  # (B, H, N, d_k)

    def merge_heads(self, x: Tensor) -> Tensor:
        """``(B, n_heads, N, d_k) → (B, N, d_model)`` (the concatenation of the heads)."""
        B, H, N, d_k = x.shape
        return x.transpose(1, 2).reshape(B, N, H * d_k)  # (B, N, d_model)

    def project(self, query: Tensor, key: Tensor, value: Tensor, *,
                contiguous: bool = False) -> tuple[Tensor, Tensor, Tensor]:
        """``Q = query W_q``, ``K = key W_k``, ``V = value W_v``, split into heads:
        ``(B, n_heads, n_q, d_k)``, ``(B, n_heads, n_k, d_k)``, ``(B, n_heads, n_k, d_k)``.

        In self-attention (one tensor for all three) the three maps run as one matrix
        product with ``[W_q W_k W_v]`` — the same numbers, one pass over ``x``; with
        ``contiguous`` (the path that computes the weights) the three come out of one copy,
        laid out for the batched products.
        """
        if not (query is key is value):
            return (self.split_heads(self.W_q(query)), self.split_heads(self.W_k(key)),
                    self.split_heads(self.W_v(value)))  # (B, H, n, d_k) each
        lins = (self.W_q, self.W_k, self.W_v)
        W = torch.cat([lin.weight for lin in lins])  # (d_q + d_k + d_v, d_model), torch's layout
        b = None if self.W_q.bias is None else torch.cat([lin.bias for lin in lins])
        qkv = F.linear(query, W, b)  # (B, N, d_q + d_k + d_v)
        widths = [lin.out_features for lin in lins]
        if contiguous and len(set(widths)) == 1:  # as many key/value heads as query heads
            B, N, _ = query.shape
            qkv = qkv.view(B, N, 3, self.num_heads, self.d_k)  # (B, N, 3, H, d_k)
            qkv = qkv.permute(2, 0, 3, 1, 4).contiguous()  # (3, B, H, N, d_k): one copy
            return qkv[0], qkv[1], qkv[2]  # (B, H, N, d_k) each
        q, k, v = qkv.split(widths, dim=-1)  # (B, N, ·) views
        return self.split_heads(q), self.split_heads(k), self.split_heads(v)  # (B, h, N, d_k)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        *,
        mask: Tensor | None = None,
        need_weights: bool = True,
        is_causal: bool = False,
        head_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``.

        Args:
            query: ``(B, n_q, d_model)``; key, value: ``(B, n_k, d_model)``.
            mask: boolean, broadcastable to ``(B, n_heads, n_q, n_k)``, **True = may attend**
                (e.g. ``(n_q, n_k)`` or ``(B, 1, 1, n_k)``). Both paths apply the one mask
                rule of :func:`attn_course.core.masks.check_mask`: anything else (a 0/1 float
                or integer mask, a shape that does not broadcast) is a ``ValueError``. A
                fully masked query row, or no keys at all, gives a zero output.
            need_weights: if True, run :func:`attn_course.scaled_dot_product_attention`
                (on its fast softmax) and return the weights; if False, use torch's fused
                kernel (the fast path) and return ``None`` for the weights.
            is_causal: add a causal mask (combined with ``mask`` if both are given).
            head_mask: optional ``(n_heads,)`` or ``(B, n_heads)`` multiplier of each head's
                output before the heads are concatenated: 1 keeps a head, 0 ablates it
                (chapter 7). The returned weights are those the heads computed, unmasked.

        Returns:
            ``(out, weights)``: ``(B, n_q, d_model)`` and ``(B, n_heads, n_q, n_k)`` or None.
        """
        self._check(query, key, value)
        B, n_q, n_k = query.shape[0], query.shape[1], key.shape[1]
        if mask is not None:  # the one mask rule, on both paths
            mask = check_mask(mask, query, (B, self.num_heads, n_q, n_k))
        q, k, v = self.project(query, key, value, contiguous=need_weights)  # (B, H, n, d_k) each
        bias = None
        if self.positions is not None:  # the position hook: where chapter 14's methods differ
            q, k = self.positions.rotate(q), self.positions.rotate(k)  # (B, H, n, d_k)
            bias = self.positions.score_bias(q.shape[-2], k.shape[-2], like=q)
        if is_causal:
            c = causal_mask(q.shape[-2], k.shape[-2], like=q)
            mask = c if mask is None else (mask & c)
        if need_weights:
            out, weights = scaled_dot_product_attention(q, k, v, mask=mask, bias=bias)
            # out (B, H, n_q, d_k), weights (B, H, n_q, n_k)
        else:
            attn_mask = mask
            if bias is not None:  # one float mask: the bias where allowed, −∞ where masked
                attn_mask = bias if mask is None else torch.where(mask, bias, -math.inf)
            if n_k == 0:  # no keys: a zero output, as a fully masked row (torch gives NaN)
                out = torch.zeros_like(q)  # (B, H, n_q, d_k)
            else:
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
            if mask is not None and n_k:  # the fused kernel gives NaN for a fully masked row
                any_key = torch.broadcast_to(mask, q.shape[:-1] + (k.shape[-2],)).any(-1)
                out = torch.where(any_key[..., None], out, torch.zeros_like(out))
            weights = None
        if head_mask is not None:
            out = out * self._head_mask(head_mask, out)  # (B, H, n_q, d_k)
        return self.W_o(self.merge_heads(out)), weights  # (B, n_q, d_model)

    def _head_mask(self, head_mask: Tensor, out: Tensor) -> Tensor:
        """``(H,)`` or ``(B, H)`` → ``(B or 1, H, 1, 1)`` in ``out``'s dtype."""
        hm = torch.as_tensor(head_mask, device=out.device)
        B, H = out.shape[0], out.shape[1]
        if hm.dim() == 1 and hm.shape[0] == H:
            hm = hm[None]  # (1, H)
        if hm.dim() != 2 or hm.shape[1] != H or hm.shape[0] not in (1, B):
            raise ValueError(
                f"head_mask must have shape (n_heads={H},) or (B={B}, n_heads={H}), "
                f"got {tuple(hm.shape)}"
            )
        return hm.to(out.dtype)[:, :, None, None]  # (B or 1, H, 1, 1)

    def _check(self, query: Tensor, key: Tensor, value: Tensor) -> None:
        for name, t in (("query", query), ("key", key), ("value", value)):
            check_module_input(name, t, self.W_q.weight)
            if t.dim() != 3 or t.shape[-1] != self.embed_dim:
                raise ValueError(
                    f"{name} must have shape (B, N, embed_dim={self.embed_dim}), "
                    f"got {tuple(t.shape)}"
                )
        if key.shape[:2] != value.shape[:2]:
            raise ValueError(
                f"key and value must share (B, n_k): key {tuple(key.shape)}, "
                f"value {tuple(value.shape)}"
            )
        if query.shape[0] != key.shape[0]:
            raise ValueError(
                f"query and key must share the batch size B: query {tuple(query.shape)}, "
                f"key {tuple(key.shape)}"
            )

    @classmethod
    def from_torch(cls, m: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of a ``torch.nn.MultiheadAttention(batch_first=True)``.

        The copy has ``m``'s dtype and device and gives the same output as ``m`` (to
        rounding); note that torch's boolean ``attn_mask`` means True = *blocked*, so pass
        it ``~mask``.

        Raises:
            ValueError: for what the copy cannot reproduce: ``batch_first=False``,
                ``kdim``/``vdim``, ``bias_k``/``bias_v``, ``add_zero_attn``, or dropout on
                the attention weights (set ``m.dropout = 0.0`` first to copy the rest).
        """
        if not isinstance(m, nn.MultiheadAttention):
            raise ValueError(f"m must be a torch.nn.MultiheadAttention, got {type(m).__name__}")
        if not m.batch_first:
            raise ValueError("m must be built with batch_first=True")
        if not m._qkv_same_embed_dim or m.bias_k is not None or m.add_zero_attn:
            raise ValueError("only plain MultiheadAttention (no kdim/vdim, bias_kv, zero_attn)")
        if m.dropout:
            raise ValueError(f"m has dropout={m.dropout} on its attention weights, which "
                             f"MultiHeadAttention does not have: set m.dropout = 0.0 to copy it")
        E = m.embed_dim
        bias = m.in_proj_bias is not None
        new = cls(E, m.num_heads, bias=bias).to(device=m.in_proj_weight.device,
                                                 dtype=m.in_proj_weight.dtype)
        with torch.no_grad():
            for i, lin in enumerate((new.W_q, new.W_k, new.W_v)):
                lin.weight.copy_(m.in_proj_weight[i * E : (i + 1) * E])
                if bias:
                    lin.bias.copy_(m.in_proj_bias[i * E : (i + 1) * E])
            new.W_o.weight.copy_(m.out_proj.weight)
            if bias:
                new.W_o.bias.copy_(m.out_proj.bias)
        return new
