"""A small decoder-only Transformer — a GPT — with a key–value cache (chapters 15–17).

Read top to bottom: :class:`~attn_course.layers.kv_cache.KVCache` (the keys and values of
the positions already seen), :class:`GPTBlock` (pre-norm causal self-attention and a
feed-forward network, built from :class:`attn_course.MultiHeadAttention` and
:class:`attn_course.FeedForward`), then :class:`GPT` (token embedding → blocks → final norm
→ logits, the unembedding tied to the embedding) with :meth:`GPT.generate`.

Positions are rotary (RoPE, chapter 14): nothing is added to the token vectors, and the
queries and keys of each block are rotated by their absolute positions. A cached key was
rotated when it was written, so a decoding step only rotates its own query and key, at the
position ``cache.offset``.

Conventions: token ids ``(B, N)``; logits ``(B, N, vocab_size)``; the cache holds, per
layer, keys and values ``(B, n_kv_heads, t, d_k)``; attention weights ``(B, L, n_heads,
n_q, n_k)``; causal alignment top-left with ``offset = n_k − n_q`` for the queries of a
decoding step (:func:`attn_course.causal_mask`).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..core.sampling import next_token_probs
from ..layers.kv_cache import KVCache, LayerKVCache
from ..layers.multihead import MultiHeadAttention
from ..layers.positions import RoPE
from ..layers.transformer import FeedForward
from .gpt_decode import DecodePlan, plan_supports

__all__ = ["GPT", "GPTBlock"]


class GPTBlock(nn.Module):
    """One pre-norm decoder block: ``x + Attn(LN(x))``, then ``x + FFN(LN(x))``.

    Args:
        d_model, n_heads: width and query heads; n_kv_heads: key/value heads (a divisor
            of ``n_heads``; ``None`` = ``n_heads``).
        d_ff: the feed-forward width; ``0`` leaves the feed-forward sublayer out (an
            *attention-only* block, chapter 16).
        positions: the position hook shared by all blocks (RoPE).
        sink_logit: a learnable sink logit per head (chapter 17).

    Shapes: ``x (B, N, d_model) → (B, N, d_model)``; weights ``(B, n_heads, N, n_k)``.
    """

    def __init__(self, d_model: int, n_heads: int, *, n_kv_heads: int | None, d_ff: int,
                 positions: nn.Module | None, sink_logit: bool = False) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, n_heads, num_kv_heads=n_kv_heads,
                                       positions=positions, sink_logit=sink_logit)
        self.norm2 = nn.LayerNorm(d_model) if d_ff else None
        self.ff = FeedForward(d_model, d_ff, activation="gelu") if d_ff else None

    def forward(self, x: Tensor, *, cache: LayerKVCache | None = None, need_weights: bool = False,
                head_mask: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        h = self.norm1(x)
        a, w = self.attn(h, h, h, is_causal=True, cache=cache, need_weights=need_weights,
                         head_mask=head_mask)
        x = x + a  # (B, N, d_model)
        if self.ff is not None:
            x = x + self.ff(self.norm2(x))
        return x, w


class GPT(nn.Module):
    """A decoder-only Transformer language model with rotary positions and a KV cache.

    Args:
        vocab_size: number of token ids.
        d_model: width; n_heads: query heads (divides ``d_model``; ``d_k = d_model / n_heads``,
            even for RoPE); n_layers: blocks.
        max_len: the most positions a query may attend to — the length :meth:`forward`
            accepts and the capacity of the cache :meth:`generate` makes.
        n_kv_heads: key/value heads, a divisor of ``n_heads``: ``None`` = ``n_heads``
            (multi-head attention), ``1`` = multi-query, in between = grouped-query.
        d_ff: feed-forward width (default ``4 · d_model``); ``0`` = attention only.
        tie_embeddings: the unembedding is the transposed token embedding (weight tying, the
            default); ``False`` gives the model its own unembedding ``W_U (vocab_size,
            d_model)``.
        sink_logit: give every head a learnable sink logit, "softmax plus one" (chapter 17).

    Shapes: ``idx (B, N)`` int64 ids in ``[0, vocab_size)`` → ``logits (B, N, vocab_size)``.
    """

    def __init__(self, vocab_size: int, *, d_model: int, n_heads: int, n_layers: int,
                 max_len: int, n_kv_heads: int | None = None, d_ff: int | None = None,
                 tie_embeddings: bool = True, sink_logit: bool = False) -> None:
        super().__init__()
        for name, val in (("vocab_size", vocab_size), ("d_model", d_model),
                          ("n_heads", n_heads), ("n_layers", n_layers), ("max_len", max_len)):
            if not isinstance(val, int) or val < 1:
                raise ValueError(f"{name} must be a positive int, got {val!r}")
        if d_model % n_heads or (d_model // n_heads) % 2:
            raise ValueError(f"n_heads must divide d_model into heads of even size d_k (RoPE): "
                             f"got d_model={d_model}, n_heads={n_heads}")
        if n_kv_heads is not None and (not isinstance(n_kv_heads, int) or n_kv_heads < 1
                                       or n_heads % n_kv_heads):
            raise ValueError(f"n_kv_heads must be a positive divisor of n_heads={n_heads} or "
                             f"None, got {n_kv_heads!r}")
        d_ff = 4 * d_model if d_ff is None else d_ff
        if not isinstance(d_ff, int) or d_ff < 0:
            raise ValueError(f"d_ff must be a non-negative int or None, got {d_ff!r}")
        self.vocab_size, self.d_model, self.max_len = vocab_size, d_model, max_len
        self.n_heads, self.d_ff = n_heads, d_ff
        self.n_kv_heads = n_heads if n_kv_heads is None else n_kv_heads
        self.d_k = d_model // n_heads
        self.embed = nn.Embedding(vocab_size, d_model)
        self.rope = RoPE()
        self.blocks = nn.ModuleList(
            GPTBlock(d_model, n_heads, n_kv_heads=n_kv_heads, d_ff=d_ff, positions=self.rope,
                     sink_logit=sink_logit)
            for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)
        self.unembed = None if tie_embeddings else nn.Linear(d_model, vocab_size, bias=False)
        self.apply(_init_weights)

    @property
    def n_layers(self) -> int:
        return len(self.blocks)

    @property
    def unembedding(self) -> Tensor:
        """``W_U (vocab_size, d_model)``: logits are ``LN(x) W_Uᵀ``."""
        return self.embed.weight if self.unembed is None else self.unembed.weight

    def new_cache(self, batch: int = 1, capacity: int | None = None) -> KVCache:
        """An empty :class:`~attn_course.layers.kv_cache.KVCache` for this model
        (``capacity`` defaults to ``max_len``)."""
        p = self.embed.weight
        return KVCache(self.n_layers, batch=batch, n_kv_heads=self.n_kv_heads, d_k=self.d_k,
                       capacity=self.max_len if capacity is None else capacity,
                       dtype=p.dtype, device=p.device)

    def run(self, idx: Tensor, *, cache: KVCache | None = None, need_weights: bool = False,
            head_mask: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        """Logits and, if ``need_weights``, every head's attention weights.

        Args:
            idx: ``(B, N)`` token ids.
            cache: a :class:`~attn_course.layers.kv_cache.KVCache`; the ``N`` tokens come
                after the ``cache.length`` it holds, and are added to it.
            need_weights: return the weights (the plain attention path) instead of ``None``
                (torch's fused kernel).
            head_mask: ``(n_layers, n_heads)``, 1 keeps and 0 ablates a head (chapter 16).

        Returns:
            ``logits (B, N, vocab_size)`` and ``weights (B, n_layers, n_heads, N, n_k)`` or
            None, where ``n_k = N`` without a cache and ``cache.length + N`` with one.
        """
        self._check_idx(idx, cache)
        if head_mask is not None and tuple(head_mask.shape) != (self.n_layers, self.n_heads):
            raise ValueError(f"head_mask must have shape (n_layers={self.n_layers}, "
                             f"n_heads={self.n_heads}), got {tuple(head_mask.shape)}")
        return self._run(idx, cache, need_weights, head_mask)

    def _run(self, idx: Tensor, cache: KVCache | None, need_weights: bool,
             head_mask: Tensor | None) -> tuple[Tensor, Tensor | None]:
        """:meth:`run` without the argument checks (for ids already known to be valid)."""
        x = self.embed(idx)  # (B, N, d_model)
        weights = []
        for i, block in enumerate(self.blocks):
            x, w = block(x, cache=None if cache is None else cache.layer(i),
                         need_weights=need_weights,
                         head_mask=None if head_mask is None else head_mask[i])
            weights.append(w)
        if cache is not None:
            cache.advance(idx.shape[1])
        logits = self.norm(x) @ self.unembedding.T  # (B, N, vocab_size)
        return logits, (torch.stack(weights, 1) if need_weights else None)

    def forward(self, idx: Tensor, *, cache: KVCache | None = None,
                head_mask: Tensor | None = None) -> Tensor:
        """``idx (B, N)`` → ``logits (B, N, vocab_size)`` (see :meth:`run`)."""
        return self.run(idx, cache=cache, head_mask=head_mask)[0]

    @torch.no_grad()
    def generate(self, idx: Tensor, max_new_tokens: int, *, use_cache: bool = True,
                 temperature: float = 0.0, top_k: int | None = None, top_p: float | None = None,
                 generator: torch.Generator | None = None, cache: KVCache | None = None,
                 lean: bool = True) -> Tensor:
        """Continue ``idx (B, N)`` by ``max_new_tokens`` tokens: ``(B, N + max_new_tokens)``.

        Each new token is drawn from :func:`attn_course.core.sampling.next_token_probs` of the
        last position's logits: greedy (the most likely token) when ``temperature == 0``,
        else sampled with ``generator``.

        With ``use_cache`` the prompt is run once into a cache and each step feeds only the
        new token (its query attends to every cached key); without it, every step reruns
        the whole sequence. Both give the same tokens.

        Length: the prompt plus the new tokens must fit in ``max_len`` (else a
        ``ValueError``): this model does not slide a window by itself. Pass your own
        ``cache`` (e.g. a rolling cache that keeps the last ``w`` positions, chapter 17) to
        generate past ``max_len``; its capacity then decides.

        ``lean`` (the default) runs the steps through a
        :class:`~attn_course.models.gpt_decode.DecodePlan` — the modules' computation (to
        rounding) without their per-call Python overhead, for the cached and the uncached
        mode alike — wherever it applies (:func:`~attn_course.models.gpt_decode.plan_supports`,
        and no ``cache`` passed in); ``lean=False`` runs the modules (the reference path).
        """
        if not isinstance(max_new_tokens, int) or max_new_tokens < 0:
            raise ValueError(f"max_new_tokens must be a non-negative int, got {max_new_tokens!r}")
        self._check_idx(idx, None)
        total = idx.shape[1] + max_new_tokens
        if cache is None and total > self.max_len:
            raise ValueError(f"the prompt ({idx.shape[1]} tokens) plus max_new_tokens="
                             f"{max_new_tokens} is {total}, more than max_len={self.max_len}")
        if max_new_tokens == 0:
            return idx
        was_training = self.training
        self.eval()
        if lean and cache is None and plan_supports(self):
            out = self._generate_lean(idx, max_new_tokens, use_cache, temperature, top_k, top_p,
                                      generator)
            self.train(was_training)
            return out
        out = [idx]
        if use_cache:
            cache = self.new_cache(idx.shape[0], capacity=total) if cache is None else cache
            logits = self(idx, cache=cache)[:, -1]  # (B, V)
        else:
            logits = self(idx)[:, -1]
        for step in range(max_new_tokens):
            nxt = self._pick(logits, temperature, top_k, top_p, generator)  # (B, 1)
            out.append(nxt)
            if step == max_new_tokens - 1:
                break
            # the prompt was checked above and every new id was picked among the vocab_size
            # logits: both paths skip the per-step checks (and the module's call hooks)
            if use_cache:
                logits = self._run(nxt, cache, False, None)[0][:, -1]  # (B, V)
            else:
                logits = self._run(torch.cat(out, 1), None, False, None)[0][:, -1]  # (B, V)
        self.train(was_training)
        return torch.cat(out, 1)  # (B, N + max_new_tokens)

    def _generate_lean(self, idx: Tensor, max_new_tokens: int, use_cache: bool,
                       temperature: float, top_k: int | None, top_p: float | None,
                       generator: torch.Generator | None) -> Tensor:
        """:meth:`generate` through a :class:`DecodePlan` (arguments already checked)."""
        B, N = idx.shape
        total = N + max_new_tokens
        plan = DecodePlan(self, total)
        out = torch.empty(B, total, dtype=torch.promote_types(idx.dtype, torch.int64))
        out[:, :N] = idx  # (B, total): the prompt, then each new token in place
        cache = self.new_cache(B, capacity=total) if use_cache else None
        logits = plan.logits(idx, cache)  # (B, V)
        for n in range(N, total):
            nxt = self._pick(logits, temperature, top_k, top_p, generator)  # (B, 1)
            out.narrow(1, n, 1).copy_(nxt)
            if n == total - 1:
                break
            # with the cache: the new token only; without: the whole prefix again
            logits = plan.logits(nxt if use_cache else out.narrow(1, 0, n + 1), cache)  # (B, V)
        return out  # (B, N + max_new_tokens)

    @staticmethod
    def _pick(logits: Tensor, temperature: float, top_k: int | None, top_p: float | None,
              generator: torch.Generator | None) -> Tensor:
        if temperature == 0:
            return logits.argmax(-1, keepdim=True)  # (B, 1)
        p = next_token_probs(logits, temperature=temperature, top_k=top_k, top_p=top_p)
        return torch.multinomial(p, 1, generator=generator)  # (B, 1)

    def _check_idx(self, idx: Tensor, cache: KVCache | None) -> None:
        if not isinstance(idx, Tensor) or idx.dim() != 2 or idx.dtype not in (
                torch.int64, torch.int32, torch.int16, torch.uint8):
            raise ValueError(f"idx must be an integer tensor of shape (B, N), got "
                             f"{type(idx).__name__} {getattr(idx, 'dtype', '')} with shape "
                             f"{tuple(getattr(idx, 'shape', ()))}")
        if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= self.vocab_size):
            raise ValueError(f"idx holds ids outside [0, vocab_size={self.vocab_size}): min "
                             f"{int(idx.min())}, max {int(idx.max())} (shape {tuple(idx.shape)})")
        if cache is None and idx.shape[1] > self.max_len:
            raise ValueError(f"idx has N={idx.shape[1]} positions, more than max_len="
                             f"{self.max_len} (shape {tuple(idx.shape)})")


def _init_weights(m: nn.Module) -> None:
    """GPT-2's initialisation: normal(0, 0.02) weights, zero biases."""
    if isinstance(m, (nn.Linear, nn.Embedding)):
        nn.init.normal_(m.weight, std=0.02)
    if isinstance(m, nn.Linear) and m.bias is not None:
        nn.init.zeros_(m.bias)
