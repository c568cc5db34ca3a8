"""Lean decoding for :class:`attn_course.GPT`: the modules' numbers with fewer Python calls
(chapter 15).

A cached decoding step of a small model spends most of its time not on arithmetic but on
Python: every ``nn.Module`` call, hook check, argument check and reshape of the modules'
general code costs microseconds, and a step makes hundreds of them for a few thousand
multiply-adds. :class:`DecodePlan` is built once per :meth:`attn_course.GPT.generate` call:
it takes the raw weight tensors out of the modules (the fused ``[W_q; W_k; W_v]`` that the
attention module keeps, the norms, the feed-forward network, the RoPE tables) and runs each
layer as one plain function of tensors. It computes what the modules compute, but not always
with the same kernels or on the same shapes: one rotation for queries and keys together,
whose pair-swapped copies come out of the same matmul (the rows of ``W_q`` and ``W_k``
reordered, no gather); GELU on ATen's own kernel for small inputs (``_gelu``: oneDNN's
costs about 6 µs of set-up per call, whatever the size); residual adds in place; the final
norm for the last position only. So the logits agree to rounding — within 1e-5 in the
tests, about 2e-6 on the shipped models — and the tokens are the same unless two logits tie
to within that; the tests compare both paths, greedy and sampled with a seeded generator,
for MHA, GQA and MQA and on the trained models.

About 30 tensor operations per layer remain for one new token, most of them costing the
dispatch of a call (1–3 µs) rather than arithmetic; see ``benchmarks/decoding_bench.py``.

The plan serves both decoding modes, so that comparing them measures the cache and nothing
else: with a :class:`~attn_course.layers.kv_cache.KVCache` it runs the new tokens against
the cached keys; without one it reruns the whole prefix through the same per-layer code.
Either way only the last position's logits are computed (all that generation needs).

What it does not cover (``GPT.generate`` then runs the modules): sink logits (chapter 17),
a cache passed in by the caller (a rolling cache, chapter 17), training mode.

Shapes: ids ``(B, N)``; hidden states ``(B, N, d_model)``; cached keys and values per layer
``(B, n_kv_heads, capacity, d_k)``; logits of the last position ``(B, vocab_size)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.backends.mkldnn as mkldnn
import torch.nn.functional as F
from torch import Tensor

from ..layers.kv_cache import KVCache

if TYPE_CHECKING:
    from .gpt import GPT

__all__ = ["DecodePlan", "plan_supports"]

# GELU of at most this many numbers runs ATen's own kernel (oneDNN off): 1.3 µs against
# 7.4 µs for one token's 256 features, 4 against 9 µs for 16 tokens; from about 64 tokens
# (16,384 numbers) on, oneDNN's is as fast or faster (38 against 47 µs at 256 tokens)
# (one thread, 2026-12-03). Both compute GELU's erf form; they differ in the last bits.
_NATIVE_GELU_MAX = 16_384


def _gelu(x: Tensor) -> Tensor:
    """``F.gelu(x)`` (the exact, erf form) on the faster CPU kernel for ``x``'s size.

    oneDNN's GELU costs about 6 µs of set-up per call whatever the size, most of a decoding
    step's feed-forward time; ATen's own kernel runs when oneDNN is switched off. The switch
    is torch's global flag, restored at once (another thread's call in between would run
    ATen's kernels: the same results to rounding).
    """
    if x.numel() > _NATIVE_GELU_MAX or x.device.type != "cpu" or not mkldnn.enabled:
        return F.gelu(x)
    mkldnn.enabled = False
    try:
        return F.gelu(x)
    finally:
        mkldnn.enabled = True


def plan_supports(model: GPT) -> bool:
    """Whether :class:`DecodePlan` reproduces ``model``: eval mode, no sink logits, RoPE
    positions, and feed-forward activations it knows (GELU or ReLU, or none)."""
    from ..layers.positions import RoPE

    if model.training or not isinstance(model.rope, RoPE):
        return False
    for block in model.blocks:
        if block.attn.sink is not None or block.attn.positions is not model.rope:
            return False
        if block.ff is not None and block.ff.activation not in ("gelu", "relu"):
            return False
    return True


class DecodePlan:
    """A model's weights laid out for decoding, and the forward pass as plain functions.

    Args:
        model: a :class:`attn_course.GPT` for which :func:`plan_supports` holds.
        length: the most positions a call will see (sizes the RoPE tables).

    Build it under ``torch.no_grad()``; it holds references to the model's tensors (no
    copies), so it is only valid until the parameters change.
    """

    def __init__(self, model: GPT, length: int) -> None:
        if not plan_supports(model):
            raise ValueError("model must be in eval mode, without sink logits, with RoPE "
                             "positions (see plan_supports)")
        self.H, self.H_kv, self.d_k = model.n_heads, model.n_kv_heads, model.d_k
        self.gqa = self.H != self.H_kv
        self.d_model = model.d_model
        self.embed = model.embed.weight  # (V, d_model)
        self.unembed_T = model.unembedding.T  # (d_model, V)
        self.norm = (model.norm.weight, model.norm.bias, model.norm.eps)
        rope = model.rope
        probe = self.embed.new_zeros(1, 1, max(length, 1), self.d_k)
        rope.rotate(probe)  # (builds RoPE's tables for at least ``length`` positions)
        self.cos2, self.sin2 = rope._cos2, rope._sin2  # (rows, d_k) each
        n_qk = (self.H + self.H_kv) * self.d_k
        # the rows of W_q and W_k in the feature order 1, 0, 3, 2, ... (each RoPE pair
        # swapped): one matmul gives the queries and keys and their swapped copies
        swap = torch.arange(n_qk, device=self.embed.device).view(-1, 2).flip(-1).flatten()
        self._cache_bufs: tuple[KVCache, list[tuple[Tensor, Tensor]]] | None = None
        self.layers = []
        for block in model.blocks:
            attn = block.attn
            W, b = attn._fused_qkv((attn.W_q, attn.W_k, attn.W_v))  # (d_q + 2 d_kv, d_model)
            W = torch.cat([W[:n_qk], W[swap], W[n_qk:]])  # (2 (d_q + d_kv) + d_kv, d_model)
            b = None if b is None else torch.cat([b[:n_qk], b[swap], b[n_qk:]])
            n1, ff = block.norm1, block.ff
            # weights as (d_in, d_out) views, for addmm(bias, x, W) = F.linear(x, W.T, bias)
            self.layers.append((
                (n1.weight, n1.bias, n1.eps), b, W.T, attn.W_o.bias, attn.W_o.weight.T,
                None if ff is None else (block.norm2.weight, block.norm2.bias, block.norm2.eps),
                None if ff is None else (ff.linear1.bias, ff.linear1.weight.T, ff.linear2.bias,
                                         ff.linear2.weight.T,
                                         _gelu if ff.activation == "gelu" else F.relu)))

    def _buffers(self, cache: KVCache) -> list[tuple[Tensor, Tensor]]:
        """Each layer's key and value buffers ``(B, H_kv, capacity, d_k)``, made once per
        cache (views, no copies)."""
        if self._cache_bufs is None or self._cache_bufs[0] is not cache:
            self._cache_bufs = (cache, [(cache.k[i], cache.v[i]) for i in range(len(self.layers))])
        return self._cache_bufs[1]

    def logits(self, idx: Tensor, cache: KVCache | None = None) -> Tensor:
        """The last position's logits ``(B, vocab_size)`` after the ids ``idx (B, N)``.

        Without ``cache``: ``idx`` is the whole sequence from position 0 (causal
        self-attention among its ``N`` positions). With ``cache``: ``idx`` follows the
        ``cache.length`` positions the cache holds, and is written into it. No argument
        checks: :meth:`attn_course.GPT.generate` made the ids and the cache.
        """
        B, N = idx.shape
        t0 = 0 if cache is None else cache.length
        t1 = t0 + N
        H, H_kv, d_k, d = self.H, self.H_kv, self.d_k, self.d_model
        HH, shape = H + H_kv, (d,)
        cos, sin = self.cos2[t0:t1], self.sin2[t0:t1]  # (N, d_k): over batch and heads
        x = F.embedding(idx, self.embed).view(B * N, d)  # (B·N, d_model): one row per token
        bufs = None if cache is None else self._buffers(cache)
        for i, (n1, b, W, bo, Wo, n2, ff) in enumerate(self.layers):
            h = torch.layer_norm(x, shape, n1[0], n1[1], n1[2])  # (B·N, d_model)
            # (B·N, 2 (H + H_kv) d_k + H_kv d_k): queries and keys, the same swapped, values
            qkv = torch.addmm(b, h, W) if b is not None else h @ W
            # per head: (B, 2 (H + H_kv) + H_kv, N, d_k), queries and keys, the same with each
            # RoPE pair swapped, values
            qkv = qkv.view(B, N, 2 * HH + H_kv, d_k).transpose(1, 2)
            # RoPE as in attn_course.layers.positions.RoPE.rotate, x·cos + swap(x)·(−sin, sin),
            # for the queries and keys together: (B, H + H_kv, N, d_k)
            qk = torch.addcmul(qkv.narrow(1, 0, HH) * cos, qkv.narrow(1, HH, HH), sin)
            q, k = qk.narrow(1, 0, H), qk.narrow(1, H, H_kv)  # (B, H, N, d_k), (B, H_kv, N, d_k)
            v = qkv.narrow(1, 2 * HH, H_kv)  # (B, H_kv, N, d_k)
            if cache is not None:
                kb, vb = bufs[i]  # (B, H_kv, capacity, d_k)
                kb.narrow(2, t0, N).copy_(k)
                vb.narrow(2, t0, N).copy_(v)
                k, v = kb.narrow(2, 0, t1), vb.narrow(2, 0, t1)  # (B, H_kv, t1, d_k)
            if N == 1:  # one query: every key is in its past, no mask
                o = F.scaled_dot_product_attention(q, k, v, enable_gqa=self.gqa)
            elif t0 == 0:  # the prefix from position 0: causal, top-left
                o = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=self.gqa)
            else:  # several new queries after cached keys: bottom-right alignment
                mask = torch.ones(N, t1, dtype=torch.bool, device=x.device).tril(t0)  # (N, t1)
                o = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=self.gqa)
            # (B·N, d_model): the heads side by side (one query: (B, H, 1, d_k) is that order)
            o = o.reshape(B, d) if N == 1 else o.transpose(1, 2).reshape(B * N, d)
            # (B·N, d_model); x is this call's own tensor (from F.embedding), so in place
            x.add_(torch.addmm(bo, o, Wo) if bo is not None else o @ Wo)
            if ff is not None:
                h = torch.layer_norm(x, shape, n2[0], n2[1], n2[2])
                x.add_(torch.addmm(ff[2], ff[4](torch.addmm(ff[0], h, ff[1])), ff[3]))
        if cache is not None:
            cache.advance(N)
        h = torch.layer_norm(x.view(B, N, d).select(1, N - 1), shape, *self.norm)  # (B, d_model)
        return h @ self.unembed_T  # (B, V)
