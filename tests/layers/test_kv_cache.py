"""Tests of ``attn_course.layers.kv_cache``."""

from __future__ import annotations

import pytest
import torch

from attn_course.layers.kv_cache import KVCache, cache_bytes


def test_update_writes_after_the_held_positions_and_advance_counts_them():
    c = KVCache(2, batch=1, n_kv_heads=2, d_k=3, capacity=5)
    k1, v1 = torch.randn(1, 2, 3, 3), torch.randn(1, 2, 3, 3)
    k, v = c.update(0, k1, v1)
    assert k.shape == (1, 2, 3, 3) and c.length == 0  # layer 1 still has to write
    c.update(1, k1, v1)
    c.advance(3)
    k2, v2 = torch.randn(1, 2, 2, 3), torch.randn(1, 2, 2, 3)
    k, v = c.layer(0).update(k2, v2)
    torch.testing.assert_close(k, torch.cat([k1, k2], 2))
    torch.testing.assert_close(v, torch.cat([v1, v2], 2))
    assert c.layer(1).offset == 3
    c.advance(2)
    assert (c.length, c.offset) == (5, 5)
    assert c.bytes_used() == cache_bytes(2, 2, 3, 5) == 2 * 2 * 2 * 3 * 5 * 4


def test_truncate_and_capacity():
    c = KVCache(1, batch=2, n_kv_heads=1, d_k=2, capacity=4)
    c.update(0, torch.zeros(2, 1, 4, 2), torch.zeros(2, 1, 4, 2))
    c.advance(4)
    with pytest.raises(ValueError, match="holds 4 positions"):
        c.update(0, torch.zeros(2, 1, 1, 2), torch.zeros(2, 1, 1, 2))
    c.truncate(1)
    assert (c.length, c.offset) == (1, 1)
    k, _ = c.update(0, torch.ones(2, 1, 1, 2), torch.ones(2, 1, 1, 2))
    assert k.shape == (2, 1, 2, 2) and bool((k[:, :, 1] == 1).all())
    with pytest.raises(ValueError, match="length"):
        c.truncate(5)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="capacity"):
        KVCache(1, batch=1, n_kv_heads=1, d_k=2, capacity=0)
    c = KVCache(1, batch=1, n_kv_heads=2, d_k=4, capacity=3)
    with pytest.raises(ValueError, match=r"n_kv_heads=2.*\(1, 3, 1, 4\)"):
        c.update(0, torch.zeros(1, 3, 1, 4), torch.zeros(1, 3, 1, 4))
    with pytest.raises(ValueError, match="layer index"):
        c.layer(1)
    with pytest.raises(ValueError, match="t must"):
        cache_bytes(1, 1, 1, -1)
