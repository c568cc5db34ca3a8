"""``attn_course.layers.ring`` and ``ring_local``: exact against single-process attention for
every world size, layout and mask; faults; bad input."""

from __future__ import annotations

import multiprocessing as mp

import pytest
import torch
import torch.distributed as dist
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import attn_course as ac
from attn_course.layers.ring import (
    ring_attention_shard,
    ring_layout,
    ring_schedule,
    ring_tile_plan,
)
from attn_course.layers.ring_local import _ring_worker, ring_attention
from attn_course.tools.processes import run_processes

CASES = [(n, causal, balanced, block) for n in (24, 29) for causal in (False, True)
         for balanced in (False, True) for block in (4, 512)]


def _inputs(n, seed, d_v=6):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(2, 3, n, 5, generator=g), torch.randn(2, 3, n, 5, generator=g),
            torch.randn(2, 3, n, d_v, generator=g))


def _all_cases():
    """Run every case in this worker's process group; return its output block and trace."""
    rank, P = dist.get_rank(), dist.get_world_size()
    out = []
    for n, causal, balanced, block in CASES:
        q, k, v = _inputs(n, seed=n)
        pos = ring_layout(n, P, balanced=balanced)[rank]
        trace = []
        o = ring_attention_shard(q[..., pos, :], k[..., pos, :], v[..., pos, :], causal=causal,
                                 positions=pos, block_size=block, trace=trace)
        out.append((o, trace))
    return out


@pytest.mark.parametrize("world_size", [1, 2, 3, 4])
def test_shards_are_exact(world_size):
    results = run_processes(_all_cases, [()] * world_size, start_method="fork", timeout=90)
    for c, (n, causal, balanced, block) in enumerate(CASES):
        q, k, v = _inputs(n, seed=n)
        layout = ring_layout(n, world_size, balanced=balanced)
        out = torch.empty(2, 3, n, 6)
        for pos, res in zip(layout, results):
            out[..., pos, :] = res[c][0]
        mask = ac.causal_mask(n, like=q) if causal else None
        ours = ac.scaled_dot_product_attention(q, k, v, mask=mask)[0]
        torch_ = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        assert (out - ours).abs().max() < 1e-5, (n, causal, balanced, block)
        assert (out - torch_).abs().max() < 1e-5, (n, causal, balanced, block)
        traces = [res[c][1] for res in results]
        # each rank folded in every block once, in ring order
        sources = torch.tensor([[s["source"] for s in tr] for tr in traces]).T  # (step, rank)
        assert torch.equal(sources, ring_schedule(world_size))
        # bytes: rank r sends every block it holds except the last one
        for r, tr in enumerate(traces):
            held = [len(layout[(r - s) % world_size]) for s in range(world_size - 1)]
            assert sum(s["bytes_sent"] for s in tr) == sum(h * (2 * 3 * 11 * 4 + 8) for h in held)
        # work: the tiles the plan lists, no more
        for r, tr in enumerate(traces):
            for s in tr:
                plan = ring_tile_plan(layout[r], layout[s["source"]], block_size=block,
                                      causal=causal)
                assert s["pairs"] == sum((qb - qa) * (kb - ka) for qa, qb, ka, kb, _ in plan)


@pytest.mark.parametrize("causal", [False, True])
def test_public_api_default_start_method(causal):
    q, k, v = _inputs(31, seed=1, d_v=4)
    out = ring_attention(q, k, v, world_size=3, causal=causal)
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    assert out.shape == (2, 3, 31, 4) and (out - ref).abs().max() < 1e-5
    assert mp.active_children() == []


def test_spawn():
    q, k, v = _inputs(9, seed=2)
    out = ring_attention(q, k, v, world_size=2, causal=True, balanced=False, start_method="spawn")
    assert (out - F.scaled_dot_product_attention(q, k, v, is_causal=True)).abs().max() < 1e-5


def test_nan_in_nan_out_and_float64():
    q, k, v = (t.double() for t in _inputs(10, seed=3))
    q[0, 0, 4, 0] = float("nan")
    out = ring_attention(q, k, v, world_size=2, causal=True, start_method="fork")
    assert out.dtype == torch.float64
    assert out[0, 0, 4].isnan().all() and not out[0, 0, :4].isnan().any()
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    ok = ~ref.isnan()
    assert (out[ok] - ref[ok]).abs().max() < 1e-12


def test_a_failing_worker_brings_the_call_down():
    q, k, v = _inputs(8, seed=4)
    pos = ring_layout(8, 3, balanced=False)
    args = [(q[..., p, :], k[..., p, :], v[..., p, :], p, False) for p in pos]
    args[1] = (*args[1][:3], torch.tensor([0.5]), False)  # rank 1: bad positions
    with pytest.raises(ValueError, match="positions must be an integer tensor") as info:
        run_processes(_ring_worker, args, timeout=60)
    assert any("worker 1 of 3" in note for note in info.value.__notes__)
    assert mp.active_children() == []


@pytest.mark.parametrize("world_size", [0, 9, -1, 2.0, True, None])
def test_bad_world_size(world_size):
    q, k, v = _inputs(8, seed=5)
    with pytest.raises(ValueError, match="world_size"):
        ring_attention(q, k, v, world_size=world_size)


@pytest.mark.parametrize(("name", "change"), [
    ("q", lambda q, k, v: ([1.0], k, v)),
    ("k", lambda q, k, v: (q, k[..., :7, :], v)),
    ("k", lambda q, k, v: (q, k[..., :4], v)),
    ("v", lambda q, k, v: (q, k, v[:1])),
    ("v", lambda q, k, v: (q, k, v.long())),
    ("dtype", lambda q, k, v: (q, k, v.double())),
])
def test_bad_tensors(name, change):
    q, k, v = change(*_inputs(8, seed=6))
    with pytest.raises(ValueError, match=name):
        ring_attention(q, k, v, world_size=2)


def test_shard_needs_a_group():
    q, k, v = _inputs(8, seed=7)
    with pytest.raises(ValueError, match="group"):
        ring_attention_shard(q, k, v)


def test_empty_batch_gives_empty_output():
    q, k, v = (t[:0] for t in _inputs(8, seed=8))
    assert ring_attention(q, k, v, world_size=2).shape == (0, 3, 8, 6)


@given(n=st.integers(1, 200), world_size=st.integers(1, 16), balanced=st.booleans())
def test_layout_is_a_partition(n, world_size, balanced):
    world_size = min(world_size, n)
    layout = ring_layout(n, world_size, balanced=balanced)
    assert torch.equal(torch.sort(torch.cat(layout)).values, torch.arange(n))
    sizes = [len(p) for p in layout]
    assert min(sizes) >= 1 and max(sizes) - min(sizes) <= (2 if balanced else 1)


@given(world_size=st.integers(1, 12))
def test_schedule_every_rank_sees_every_block_once(world_size):
    s = ring_schedule(world_size)
    assert all(torch.equal(torch.sort(s[:, r]).values, torch.arange(world_size))
               for r in range(world_size))
    assert all(torch.equal(torch.sort(s[t]).values, torch.arange(world_size))
               for t in range(world_size))
    # the block a rank holds at step t + 1 is the one its left neighbour held at step t
    assert torch.equal(s[1:], s[:-1].roll(1, dims=1))


def test_balanced_layout_equalises_causal_work():
    def work(balanced):
        layout = ring_layout(4096, 4, balanced=balanced)
        return [sum((qb - qa) * (kb - ka) for src in range(4) for qa, qb, ka, kb, _ in
                    ring_tile_plan(layout[r], layout[src], block_size=512, causal=True))
                for r in range(4)]
    naive, zigzag = work(False), work(True)
    assert max(naive) / min(naive) > 4 and max(zigzag) == min(zigzag)
