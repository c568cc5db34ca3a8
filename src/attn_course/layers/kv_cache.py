"""The key–value cache of a decoder (chapter 15; the rolling variants of chapter 17 build on it).

When a decoder generates token ``t + 1`` it needs the keys and values of every earlier
position — and those do not change once computed (a causal layer's output at position
``j`` depends on positions ``≤ j`` only). :class:`KVCache` keeps them: per layer, keys and
values ``(B, n_kv_heads, t, d_k)``. A decoding step then projects only the new token, writes
its key and value, and attends from its one query to all ``t + 1`` keys: the projections
cost O(1) per step, the attention O(t).

The cache is preallocated for ``capacity`` positions, so a step writes in place instead of
concatenating (which would copy all ``t`` keys every step). Memory:
``2 · n_layers · B · n_kv_heads · d_k · capacity · bytes_per_number`` (:func:`cache_bytes`).

Two counters: ``length``, the number of positions held (the keys a query attends to), and
``offset``, the absolute position of the next token (what RoPE rotates by). In this cache
they are equal. A rolling cache (a window of the last ``w`` positions, chapter 17) keeps
``length ≤ w`` while ``offset`` grows: subclass and override :meth:`KVCache.update`.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["KVCache", "LayerKVCache", "cache_bytes"]


def cache_bytes(n_layers: int, n_kv_heads: int, d_k: int, t: int, *, batch: int = 1,
                bytes_per_number: int = 4) -> int:
    """``2 · n_layers · batch · n_kv_heads · d_k · t · bytes_per_number``: keys and values."""
    for name, val in (("n_layers", n_layers), ("n_kv_heads", n_kv_heads), ("d_k", d_k),
                      ("t", t), ("batch", batch), ("bytes_per_number", bytes_per_number)):
        if not isinstance(val, int) or val < 0:
            raise ValueError(f"{name} must be a non-negative int, got {val!r}")
    return 2 * n_layers * batch * n_kv_heads * d_k * t * bytes_per_number


class KVCache:
    """Keys and values of the positions seen so far, for every layer of a decoder.

    Args:
        n_layers: number of attention layers.
        batch: ``B``; n_kv_heads: key/value heads per layer; d_k: head size.
        capacity: the most positions it holds.
        dtype, device: of the stored tensors.

    Attributes:
        k, v: ``(n_layers, B, n_kv_heads, capacity, d_k)`` buffers; positions
            ``[0, length)`` are filled.
        length: positions held; offset: absolute position of the next token.
    """

    def __init__(self, n_layers: int, *, batch: int, n_kv_heads: int, d_k: int, capacity: int,
                 dtype: torch.dtype = torch.float32, device: torch.device | str | None = None
                 ) -> None:
        for name, val in (("n_layers", n_layers), ("batch", batch), ("n_kv_heads", n_kv_heads),
                          ("d_k", d_k), ("capacity", capacity)):
            if not isinstance(val, int) or val < 1:
                raise ValueError(f"{name} must be a positive int, got {val!r}")
        shape = (n_layers, batch, n_kv_heads, capacity, d_k)
        # torch.empty: memory pages are touched (and counted) only as positions are written
        self.k = torch.empty(shape, dtype=dtype, device=device)
        self.v = torch.empty(shape, dtype=dtype, device=device)
        self.capacity = capacity
        self.length = 0
        self.offset = 0

    @property
    def n_layers(self) -> int:
        return self.k.shape[0]

    def layer(self, i: int) -> LayerKVCache:
        """The view one attention layer reads and writes (what ``MultiHeadAttention`` takes)."""
        if not 0 <= i < self.n_layers:
            raise ValueError(f"layer index must lie in [0, {self.n_layers}), got {i}")
        return LayerKVCache(self, i)

    def update(self, layer: int, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Write the new keys/values ``(B, n_kv_heads, n, d_k)`` after the held ones.

        Returns the keys and values to attend to, ``(B, n_kv_heads, length + n, d_k)``
        (views of the buffers). ``length`` moves on in :meth:`advance`, once every layer
        has written.
        """
        _, B, H_kv, _, d_k = self.k.shape
        if k.shape != v.shape or k.dim() != 4 or tuple(k.shape[:2]) != (B, H_kv) \
                or k.shape[-1] != d_k:
            raise ValueError(f"k and v must have shape (B={B}, n_kv_heads={H_kv}, n, "
                             f"d_k={d_k}), got k {tuple(k.shape)}, v {tuple(v.shape)}")
        end = self.length + k.shape[-2]
        if end > self.capacity:
            raise ValueError(f"the cache holds {self.capacity} positions: {self.length} held "
                             f"plus {k.shape[-2]} new is {end}")
        self.k[layer, :, :, self.length:end] = k
        self.v[layer, :, :, self.length:end] = v
        return self.k[layer, :, :, :end], self.v[layer, :, :, :end]  # (B, H_kv, t + n, d_k)

    def advance(self, n: int) -> None:
        """Count ``n`` new positions as held (after all layers have written them)."""
        self.length += n
        self.offset += n

    def truncate(self, length: int) -> None:
        """Hold the first ``length`` positions of the buffers (``offset`` follows): rewind a
        generation, or time one decoding step again and again at the same cache length (a
        ``length`` beyond what was written counts whatever the buffers hold)."""
        if not isinstance(length, int) or not 0 <= length <= self.capacity:
            raise ValueError(f"length must lie in [0, capacity={self.capacity}], got {length}")
        self.length = self.offset = length

    def bytes_used(self) -> int:
        """Bytes of the keys and values of the ``length`` positions held."""
        L, B, H_kv, _, d_k = self.k.shape
        return cache_bytes(L, H_kv, d_k, self.length, batch=B,
                           bytes_per_number=self.k.element_size())


class LayerKVCache:
    """One layer's handle on a :class:`KVCache`: ``offset`` and ``update(k, v)``."""

    def __init__(self, cache: KVCache, index: int) -> None:
        self.cache, self.index = cache, index

    @property
    def offset(self) -> int:
        """Absolute position of the first new token (RoPE rotates by it)."""
        return self.cache.offset

    def update(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """See :meth:`KVCache.update`."""
        return self.cache.update(self.index, k, v)
