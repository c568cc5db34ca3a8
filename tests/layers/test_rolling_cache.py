"""``attn_course.layers.rolling_cache``: a fixed-size cache equals sliding-window attention,
places its sinks as StreamingLLM does, and stays flat in memory."""

from __future__ import annotations

import math

import pytest
import torch

import attn_course as ac
from attn_course.core.masks import sliding_window_mask
from attn_course.layers.kv_cache import KVCache
from attn_course.layers.multihead import MultiHeadAttention
from attn_course.layers.positions import RoPE
from attn_course.layers.rolling_cache import RollingKVCache, held_positions


def _layer(seed: int = 0, kv_heads: int | None = None) -> MultiHeadAttention:
    torch.manual_seed(seed)
    return MultiHeadAttention(16, 4, num_kv_heads=kv_heads, positions=RoPE()).eval()


def _decode(layer: MultiHeadAttention, x: torch.Tensor, cache: KVCache) -> torch.Tensor:
    """Feed ``x (B, T, d_model)`` one position at a time; return the outputs ``(B, T, d_model)``."""
    outs = []
    for t in range(x.shape[1]):
        out, _ = layer(x[:, t:t + 1], x[:, t:t + 1], x[:, t:t + 1], is_causal=True,
                       cache=cache.layer(0), need_weights=False)
        cache.advance(1)
        outs.append(out)
    return torch.cat(outs, 1)


@pytest.mark.parametrize("kv_heads", [None, 2])
@pytest.mark.parametrize("window", [1, 3, 8])
def test_a_window_equals_sliding_window_attention(window: int, kv_heads: int | None) -> None:
    layer = _layer(1, kv_heads)
    x = torch.randn(2, 20, 16, generator=torch.Generator().manual_seed(2))
    cache = RollingKVCache(1, batch=2, n_kv_heads=layer.num_kv_heads, d_k=4, window=window)
    got = _decode(layer, x, cache)
    band = sliding_window_mask(20, window - 1, causal=True, like=x)  # the last `window` keys
    want, _ = layer(x, x, x, mask=band)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    assert cache.length == window and cache.offset == 20


def test_a_window_longer_than_the_text_is_the_full_cache() -> None:
    model = ac.GPT(40, d_model=16, n_heads=4, n_layers=2, max_len=64)
    idx = torch.randint(0, 40, (1, 30), generator=torch.Generator().manual_seed(3))
    full = model(idx)
    cache = RollingKVCache(2, batch=1, n_kv_heads=4, d_k=4, window=30, sinks=2, rotate=model.rope)
    stepwise = torch.cat([model(idx[:, t:t + 1], cache=cache) for t in range(30)], 1)
    torch.testing.assert_close(stepwise, full, atol=1e-5, rtol=1e-5)


def _slot_reference(layer: MultiHeadAttention, x: torch.Tensor, window: int, sinks: int
                    ) -> torch.Tensor:
    """Query t attends to the first ``sinks`` and the last ``window`` positions, every one
    rotated by its slot in that cache (StreamingLLM), computed directly."""
    rope, outs = RoPE(), []
    q_all = layer.split_heads(layer.W_q(x))  # (B, H, T, d_k)
    k_all = layer.split_heads(layer.W_k(x))
    v_all = layer.split_heads(layer.W_v(x))
    for t in range(x.shape[1]):
        keep = sorted(set(range(min(sinks, t + 1))) | set(range(max(0, t - window + 1), t + 1)))
        k = rope.rotate(k_all[:, :, keep])  # slots 0 … len(keep) − 1
        q = rope.rotate(q_all[:, :, t:t + 1], offset=len(keep) - 1)  # the last slot
        w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), -1)
        outs.append(layer.W_o(layer.merge_heads(w @ v_all[:, :, keep])))
    return torch.cat(outs, 1)


def test_sinks_sit_at_their_cache_slots() -> None:
    layer = _layer(4)
    x = torch.randn(1, 25, 16, generator=torch.Generator().manual_seed(5))
    cache = RollingKVCache(1, batch=1, n_kv_heads=4, d_k=4, window=6, sinks=3,
                           rotate=layer.positions.rotate)
    got = _decode(layer, x, cache)
    torch.testing.assert_close(got, _slot_reference(layer, x, 6, 3), atol=1e-5, rtol=1e-5)
    # without rotate the sinks keep their text positions: a different result once t > 9
    plain = _decode(layer, x, RollingKVCache(1, batch=1, n_kv_heads=4, d_k=4, window=6, sinks=3))
    torch.testing.assert_close(plain[:, :9], got[:, :9], atol=1e-5, rtol=1e-5)
    assert (plain[:, 9:] - got[:, 9:]).abs().max() > 1e-3


def test_memory_is_flat_and_bad_use_is_refused() -> None:
    cache = RollingKVCache(2, batch=1, n_kv_heads=2, d_k=8, window=5, sinks=1)
    k = torch.zeros(1, 2, 1, 8)
    used = []
    for _ in range(20):
        for layer in range(2):
            cache.update(layer, k, k)
        cache.advance(1)
        used.append(cache.bytes_used())
    assert used[5:] == [2 * 2 * 2 * 8 * 6 * 4] * 15 and cache.offset == 20
    with pytest.raises(ValueError, match="one token at a time"):
        cache.update(0, torch.zeros(1, 2, 2, 8), torch.zeros(1, 2, 2, 8))
    with pytest.raises(ValueError, match="truncated"):
        cache.truncate(3)
    for bad in ({"window": 0}, {"sinks": -1}, {"window": True}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            RollingKVCache(1, batch=1, n_kv_heads=1, d_k=2, **{"window": 4, **bad})


@pytest.mark.parametrize(("window", "sinks"), [(1, 0), (4, 0), (4, 2), (3, 5)])
def test_the_cache_holds_the_positions_it_says(window: int, sinks: int) -> None:
    cache = RollingKVCache(1, batch=1, n_kv_heads=1, d_k=2, window=window, sinks=sinks)
    for t in range(1, 15):
        key = torch.full((1, 1, 1, 2), float(t - 1))  # the key of position t − 1 is its position
        keys, _ = cache.update(0, key, key)
        cache.advance(1)
        assert keys[0, 0, :, 0].long().tolist() == held_positions(t, window, sinks)
    assert held_positions(0, 3, 2) == [] and held_positions(2, 3, 5) == [0, 1]
    with pytest.raises(ValueError, match="window"):
        held_positions(3, 0)
