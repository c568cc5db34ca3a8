"""A key–value cache of fixed size: a sliding window, optionally with attention sinks (chapter 17).

:class:`attn_course.layers.kv_cache.KVCache` grows by one position per generated token, so
its memory grows with the length of the text. :class:`RollingKVCache` holds at most
``sinks + window`` positions: the first ``sinks`` positions of the text, which it never
evicts, and the ``window`` most recent ones (the newest token included). When it is full,
each new token pushes the oldest non-sink position out — the rolling buffer of Mistral's
sliding-window attention (Jiang et al. 2023), and with ``sinks > 0`` the cache of
StreamingLLM (Xiao et al. 2023). Memory and the cost of a step stay flat however long the
generation runs.

Positions. The model rotates each new key by its absolute position before writing it (RoPE,
``cache.offset``), so a query and a window key are exactly as far apart as in the text.
The sink keys are not: after ``t`` tokens they sit ``t`` positions back, further than any
distance the model saw in training. With ``rotate`` (the model's RoPE hook, e.g.
``model.rope``) the cache hands out the sink keys rotated *as if the cache were the whole
text* — each sink as far from the query as its slot in the cache — which is what
StreamingLLM does; without it, positions stay those of the text.

Once the cache is full it takes one token per call (generation, or a text fed token by
token); before that, any number.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from .kv_cache import KVCache, cache_bytes

__all__ = ["RollingKVCache", "held_positions"]


def held_positions(t: int, window: int, sinks: int = 0) -> list[int]:
    """The text positions a :class:`RollingKVCache` holds after ``t`` tokens, in order: the
    first ``min(sinks, t)`` and the last ``window`` (those not already among the sinks)."""
    for name, val, low in (("t", t, 0), ("window", window, 1), ("sinks", sinks, 0)):
        if isinstance(val, bool) or not isinstance(val, int) or val < low:
            raise ValueError(f"{name} must be an int ≥ {low}, got {val!r}")
    first = range(min(sinks, t))
    return [*first, *range(max(len(first), t - window), t)]


class RollingKVCache(KVCache):
    """Keys and values of the first ``sinks`` and the last ``window`` positions, per layer.

    Args:
        n_layers: number of attention layers.
        batch: ``B``; n_kv_heads: key/value heads per layer; d_k: head size.
        window: how many of the most recent positions are kept (the newest included), ≥ 1.
        sinks: how many of the first positions are kept for good (attention sinks), ≥ 0.
        rotate: ``rotate(x, offset=p)``, the model's rotary position hook, to place the sink
            keys at their slots in the cache (StreamingLLM); ``None`` keeps text positions.
        dtype, device: of the stored tensors.

    Attributes:
        k, v: ``(n_layers, B, n_kv_heads, sinks + window, d_k)`` buffers; the first
            ``length`` slots are held, in the order of the text.
        length: positions held (at most ``sinks + window``); offset: absolute position of
            the next token, growing without bound.
    """

    def __init__(self, n_layers: int, *, batch: int, n_kv_heads: int, d_k: int, window: int,
                 sinks: int = 0, rotate: Callable[..., Tensor] | None = None,
                 dtype: torch.dtype = torch.float32, device: torch.device | str | None = None
                 ) -> None:
        for name, val, low in (("window", window, 1), ("sinks", sinks, 0)):
            if isinstance(val, bool) or not isinstance(val, int) or val < low:
                raise ValueError(f"{name} must be an int ≥ {low}, got {val!r}")
        super().__init__(n_layers, batch=batch, n_kv_heads=n_kv_heads, d_k=d_k,
                         capacity=sinks + window, dtype=dtype, device=device)
        self.window, self.sinks, self.rotate = window, sinks, rotate

    def update(self, layer: int, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Write the new keys/values ``(B, n_kv_heads, n, d_k)``, evicting the oldest non-sink
        position when full; return what the new queries attend to, ``(B, n_kv_heads, n_k, d_k)``
        with ``n_k = min(length + n, sinks + window)``, in text order."""
        n, cap = k.shape[-2], self.capacity
        if self.length + n <= cap:  # room left: an ordinary cache
            keys, values = super().update(layer, k, v)
        else:
            if n != 1:
                raise ValueError(f"a full rolling cache takes one token at a time, got k with "
                                 f"n={n} new positions (shape {tuple(k.shape)})")
            super().update(layer, k[..., :0, :], v[..., :0, :])  # shape checks only
            s = self.sinks
            for buf, new in ((self.k, k), (self.v, v)):
                buf[layer, :, :, s:cap - 1] = buf[layer, :, :, s + 1:cap].clone()  # shift left
                buf[layer, :, :, cap - 1:] = new
            keys, values = self.k[layer], self.v[layer]  # (B, H_kv, cap, d_k)
        shift = self.offset + n - keys.shape[-2]  # text position − cache slot of the newest
        if self.rotate is not None and self.sinks and shift > 0:
            sink = keys[..., :self.sinks, :].unsqueeze(-2)  # (B, H_kv, sinks, 1, d_k)
            moved = self.rotate(sink, offset=shift).squeeze(-2)  # each sink moved on by shift
            keys = torch.cat([moved, keys[..., self.sinks:, :]], dim=-2)
        return keys, values

    def advance(self, n: int) -> None:
        """Count ``n`` new positions: ``offset`` grows by ``n``, ``length`` up to the capacity."""
        self.length = min(self.length + n, self.capacity)
        self.offset += n

    def truncate(self, length: int) -> None:
        """Not supported: the evicted positions are gone."""
        raise ValueError("a rolling cache cannot be truncated: evicted positions are gone")

    def bytes_used(self) -> int:
        """Bytes of the keys and values held: flat at ``(sinks + window)`` positions once full."""
        L, B, H_kv, _, d_k = self.k.shape
        return cache_bytes(L, H_kv, d_k, self.length, batch=B,
                           bytes_per_number=self.k.element_size())
