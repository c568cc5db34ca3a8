"""The step-through trace of chapter 13 is the state of ``flash_attention`` at every tile."""

from __future__ import annotations

import math

import pytest
import torch

from attn_course.experiments.flash_trace import flash_block_trace
from attn_course.layers.flash import _forward


def _inputs(n: int, seed: int) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    return tuple(2 * torch.randn(n, d, generator=g, dtype=torch.float64) for d in (4, 4, 3))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize(("n", "block", "query_block"), [(32, 8, 0), (32, 8, 2), (30, 8, 3),
                                                         (24, 16, 1), (20, 4, 2)])
def test_each_tile_is_flash_state_on_the_keys_so_far(n, block, query_block, causal):
    q, k, v = _inputs(n, seed=n + block + query_block)
    tr = flash_block_trace(q, k, v, block=block, query_block=query_block, causal=causal)
    i0, i1 = tr["rows"]
    for t, (_j0, j1) in enumerate(tr["tiles"]):
        # flash_attention's own forward on the keys folded in so far, with the same tiles
        out, lse = _forward(q[None], k[None, :j1], v[None, :j1], 1 / math.sqrt(4), causal,
                            block, block)
        m, l = (torch.tensor(tr[key][t], dtype=torch.float64) for key in ("m", "l"))
        torch.testing.assert_close(m + torch.log(l), lse[0, i0:i1], rtol=0, atol=1e-12)
        torch.testing.assert_close(torch.tensor(tr["out"][t], dtype=torch.float64), out[0, i0:i1], rtol=0, atol=1e-12)
        torch.testing.assert_close(torch.tensor(tr["acc"][t], dtype=torch.float64), out[0, i0:i1] * l[:, None],
                                   rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(torch.tensor(tr["out"][-1], dtype=torch.float64),
                               torch.tensor(tr["exact"], dtype=torch.float64),
                               rtol=0, atol=1e-12)


def test_rescale_is_exp_of_the_change_of_max():
    q, k, v = _inputs(32, seed=3)
    tr = flash_block_trace(q, k, v, block=8, query_block=1)
    assert tr["rescale"][0] == [0.0] * 8  # the first tile: m_old = −∞
    for t in range(1, len(tr["tiles"])):
        m_old, m_new = (torch.tensor(tr["m"][s], dtype=torch.float64) for s in (t - 1, t))
        want = torch.exp(m_old - m_new)
        torch.testing.assert_close(torch.tensor(tr["rescale"][t], dtype=torch.float64), want, rtol=0, atol=1e-15)
    # somewhere the max grew after the first tile, so some factor is below 1
    assert min(min(r) for r in tr["rescale"][1:]) < 0.9


def test_causal_skips_the_tiles_right_of_the_diagonal():
    q, k, v = _inputs(32, seed=4)
    tr = flash_block_trace(q, k, v, block=8, query_block=1, causal=True)
    assert tr["tiles"] == [[0, 8], [8, 16]] and tr["skipped"] == 2
    with pytest.raises(ValueError, match="query_block"):
        flash_block_trace(q, k, v, block=8, query_block=4)
