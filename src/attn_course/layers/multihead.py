"""Multi-head attention (chapter 7) as a ``torch.nn.Module``, batch-first — the only one.

``d_model`` (``embed_dim``) is split into ``n_heads`` heads of size ``d_k = d_model /
n_heads``; each head runs scaled dot-product attention, the heads are concatenated and mixed
by an output projection ``W_o``. The argument names ``embed_dim`` and ``num_heads`` mirror
``torch.nn.MultiheadAttention``.

Every Transformer of the course uses this module; the position methods of chapter 14 plug
into it as a hook (``positions=``, a :class:`attn_course.layers.positions.PositionMethod`):
RoPE rotates the queries and keys, ALiBi adds a bias to the scores, nothing else changes.

Chapter 15 adds two things a decoder needs. ``num_kv_heads`` < ``num_heads`` shares each
key/value projection among ``num_heads / num_kv_heads`` consecutive query heads (grouped-query
attention; ``1`` = multi-query attention), which shrinks the key–value cache by that factor.
``cache=`` (a :class:`attn_course.layers.kv_cache.LayerKVCache`) appends this call's keys and
values to those of the positions before it and attends to all of them.

Chapter 17 adds ``sink_logit=True``: each head gets a learnable logit ``b_h``, an extra
entry of its softmax whose value vector is zero ("softmax plus one", Miller 2023; Xiao et
al. 2023's learnable sink). A head can then put weight on *nothing*; the weights on the
real keys sum to ``1 − sink weight``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._backend import check_module_input
from ..core.attention import scaled_dot_product_attention
from ..core.masks import causal_mask, check_mask
from .kv_cache import LayerKVCache
from .positions import PositionMethod

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(nn.Module):
    """Multi-head attention with separate ``W_q, W_k, W_v, W_o`` projections.

    Args:
        embed_dim: ``d_model``, the size of the token vectors.
        num_heads: ``n_heads``; must divide ``embed_dim``.
        num_kv_heads: key/value heads, a divisor of ``num_heads``; ``None`` (the default) =
            ``num_heads``, plain multi-head attention; ``1`` = multi-query attention. Query
            head ``h`` uses key/value head ``h // (num_heads / num_kv_heads)``.
        bias: whether the four projections have biases.
        sink_logit: give each head a learnable sink logit (initialised to 0): a key that
            every query sees, scores ``b_h`` and carries a zero value.
        positions: a position hook (:class:`attn_course.layers.positions.PositionMethod`)
            whose ``rotate`` is applied to the queries and keys of every head and whose
            ``score_bias`` is added to the scaled scores; ``None`` = no positions here.

    Shapes (batch-first): ``query (B, n_q, d_model)``, ``key``/``value (B, n_k, d_model)``
    → ``out (B, n_q, d_model)``, ``weights (B, n_heads, n_q, n_k)``. ``W_k`` and ``W_v`` map
    ``d_model → num_kv_heads · d_k``.
    """

    def __init__(
        self, embed_dim: int, num_heads: int, *, num_kv_heads: int | None = None,
        bias: bool = True, positions: PositionMethod | None = None, sink_logit: bool = False,
    ) -> None:
        super().__init__()
        if num_heads <= 0 or embed_dim <= 0 or embed_dim % num_heads != 0:
            raise ValueError(
                f"num_heads must be positive and divide embed_dim: got embed_dim={embed_dim}, "
                f"num_heads={num_heads}"
            )
        num_kv_heads = num_heads if num_kv_heads is None else num_kv_heads
        if not isinstance(num_kv_heads, int) or num_kv_heads <= 0 or num_heads % num_kv_heads:
            raise ValueError(f"num_kv_heads must be a positive divisor of num_heads="
                             f"{num_heads}, got num_kv_heads={num_kv_heads}")
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.num_kv_heads = num_kv_heads
        self.d_k = embed_dim // num_heads
        self.W_q = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.W_k = nn.Linear(embed_dim, num_kv_heads * self.d_k, bias=bias)
        self.W_v = nn.Linear(embed_dim, num_kv_heads * self.d_k, bias=bias)
        self.W_o = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.positions = positions
        self.sink = nn.Parameter(torch.zeros(num_heads)) if sink_logit else None  # (H,)

    def split_heads(self, x: Tensor) -> Tensor:
        """``(B, N, h · d_k) → (B, h, N, d_k)``: ``h = n_heads`` for queries, ``n_kv_heads``
        for keys and values."""
        B, N, width = x.shape
        return x.view(B, N, width // self.d_k, self.d_k).transpose(1, 2)  # (B, h, N, d_k)

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
        W, b = self._fused_qkv(lins)  # (d_q + d_k + d_v, d_model), torch's layout; bias or None
        qkv = F.linear(query, W, b)  # (B, N, d_q + d_k + d_v)
        widths = [lin.out_features for lin in lins]
        if contiguous and len(set(widths)) == 1:  # as many key/value heads as query heads
            B, N, _ = query.shape
            qkv = qkv.view(B, N, 3, self.num_heads, self.d_k)  # (B, N, 3, H, d_k)
            qkv = qkv.permute(2, 0, 3, 1, 4).contiguous()  # (3, B, H, N, d_k): one copy
            return qkv[0], qkv[1], qkv[2]  # (B, H, N, d_k) each
        q, k, v = qkv.split(widths, dim=-1)  # (B, N, ·) views
        return self.split_heads(q), self.split_heads(k), self.split_heads(v)  # (B, h, N, d_k)

    def _fused_qkv(self, lins: tuple[nn.Linear, ...]) -> tuple[Tensor, Tensor | None]:
        """``[W_q; W_k; W_v]`` and the biases; without autograd (decoding) kept until a
        parameter changes (its storage, or its version counter: any in-place update)."""
        params = [p for lin in lins for p in (lin.weight, lin.bias) if p is not None]
        key = (None if torch.is_grad_enabled() and any(p.requires_grad for p in params) else
               tuple((p.data_ptr(), p._version, p.dtype, p.device) for p in params))
        hit = self.__dict__.get("_fused")
        if key is not None and hit is not None and hit[0] == key:
            return hit[1], hit[2]
        W = torch.cat([lin.weight for lin in lins])  # (d_q + d_k + d_v, d_model)
        b = None if lins[0].bias is None else torch.cat([lin.bias for lin in lins])
        if key is not None:  # (not a tensor of the autograd graph)
            self.__dict__["_fused"] = (key, W, b)
        return W, b

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
        cache: LayerKVCache | None = None,
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
            cache: self-attention over a sequence seen in pieces (decoding, chapter 15): this
                call's queries and keys sit at positions ``cache.offset …`` (RoPE rotates them
                there); its keys and values are appended to the cached ones, and the queries
                attend to all ``n_k`` cached keys. With ``is_causal`` the mask is
                ``causal_mask(n_q, n_k, offset=n_k − n_q)`` — each new query sees every earlier
                position and itself — and no mask at all for a single query.

        Returns:
            ``(out, weights)``: ``(B, n_q, d_model)`` and ``(B, n_heads, n_q, n_k)`` or None.
        """
        self._check(query, key, value)
        q, k, v = self.project(query, key, value, contiguous=need_weights)
        # q (B, H, n_q, d_k); k, v (B, H_kv, n_k, d_k)
        offset = 0 if cache is None else cache.offset
        if self.positions is not None:  # the position hook: where chapter 14's methods differ
            q = self.positions.rotate(q, offset=offset)  # (B, H, n_q, d_k)
            k = self.positions.rotate(k, offset=offset)  # (B, H_kv, n_k, d_k)
        if cache is not None:
            k, v = cache.update(k, v)  # (B, H_kv, n_k, d_k): the cached positions, then these
        n_q, n_k = q.shape[-2], k.shape[-2]
        if mask is not None:  # the one mask rule, on both paths (n_k counts cached keys)
            mask = check_mask(mask, query, (query.shape[0], self.num_heads, n_q, n_k))
        bias = None
        if self.positions is not None:
            bias = self.positions.score_bias(n_q, n_k, like=q, offset=n_k - n_q)
        if is_causal and not (cache is not None and n_q == 1):
            c = causal_mask(n_q, n_k, offset=n_k - n_q if cache is not None else 0, like=q)
            mask = c if mask is None else (mask & c)
        if self.sink is not None:
            k, v, mask, bias = self._with_sink(k, v, mask, bias, n_q)  # one more key, first
        gqa = self.num_kv_heads != self.num_heads
        if need_weights:
            out, weights = scaled_dot_product_attention(q, k, v, mask=mask, bias=bias,
                                                        enable_gqa=gqa)
            # out (B, H, n_q, d_k), weights (B, H, n_q, n_k)
        else:
            attn_mask = mask
            if bias is not None:  # one float mask: the bias where allowed, −∞ where masked
                attn_mask = bias if mask is None else torch.where(mask, bias, -math.inf)
            if n_k == 0:  # no keys: a zero output, as a fully masked row (torch gives NaN)
                out = torch.zeros_like(q)  # (B, H, n_q, d_k)
            else:
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask,
                                                     enable_gqa=gqa)
            if mask is not None and n_k:  # the fused kernel gives NaN for a fully masked row
                any_key = torch.broadcast_to(mask, q.shape[:-1] + (k.shape[-2],)).any(-1)
                out = torch.where(any_key[..., None], out, torch.zeros_like(out))
            weights = None
        if self.sink is not None and weights is not None:
            weights = weights[..., 1:]  # (B, H, n_q, n_k): the real keys; 1 − their sum = sink
        if head_mask is not None:
            out = out * self._head_mask(head_mask, out)  # (B, H, n_q, d_k)
        return self.W_o(self.merge_heads(out)), weights  # (B, n_q, d_model)

    def _with_sink(self, k: Tensor, v: Tensor, mask: Tensor | None, bias: Tensor | None,
                   n_q: int) -> tuple[Tensor, Tensor, Tensor | None, Tensor]:
        """Prepend the sink: a zero key and value (score 0 + bias ``b_h``) every query sees."""
        zero = k.new_zeros(k.shape[:-2] + (1, k.shape[-1]))  # (B, H_kv, 1, d_k)
        k, v = torch.cat([zero, k], -2), torch.cat([zero, v], -2)  # (B, H_kv, 1 + n_k, d_k)
        n_k = k.shape[-2] - 1
        sink = self.sink.to(k.dtype).view(-1, 1, 1).expand(-1, n_q, 1)  # (H, n_q, 1)
        rest = k.new_zeros(1, 1, n_k) if bias is None else bias
        rest = torch.broadcast_to(rest, torch.broadcast_shapes(rest.shape, (1, n_q, n_k)))
        lead = torch.broadcast_shapes(rest.shape[:-2], sink.shape[:-2])
        bias = torch.cat([sink.expand(*lead, n_q, 1), rest.expand(*lead, n_q, n_k)], -1)
        if mask is not None:  # the sink is never masked
            mask = torch.broadcast_to(mask, mask.shape[:-2] + (n_q, n_k))
            mask = torch.cat([torch.ones_like(mask[..., :1]), mask], -1)  # (..., n_q, 1 + n_k)
        return k, v, mask, bias  # bias (…, H, n_q, 1 + n_k)

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
        named = (("query", query), ("key", key), ("value", value))
        for name, t in named[:1] if query is key is value else named:  # self-attention: 1
            check_module_input(name, t, self.W_q.weight)
            if t.dim() != 3 or t.shape[-1] != self.embed_dim:
                raise ValueError(
                    f"{name} must have shape (B, N, embed_dim={self.embed_dim}), "
                    f"got {tuple(t.shape)}"
                )
        if key.shape[:2] != value.shape[:2]:
            raise ValueError(f"key and value must share (B, n_k): key {tuple(key.shape)}, "
                             f"value {tuple(value.shape)}")
        if query.shape[0] != key.shape[0]:
            raise ValueError(f"query and key must share the batch size B: query "
                             f"{tuple(query.shape)}, key {tuple(key.shape)}")

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
