"""The flash stepper's Python side: validation, clamping, and a readout that is flash's state."""

from __future__ import annotations

import math

import pytest
import torch

from attn_course.layers.flash import _forward
from attn_course.views.flash_step import FlashStepView


def _data(n: int = 32, seed: int = 0) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    return tuple(1.5 * torch.randn(n, d, generator=g, dtype=torch.float64) for d in (4, 4, 3))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("block", [4, 8, 16])
def test_last_tile_is_plain_attention(block: int, causal: bool) -> None:
    q, k, v = _data(30)
    want = torch.nn.functional.scaled_dot_product_attention(q[None], k[None], v[None],
                                                            is_causal=causal)[0]
    for qb in range(math.ceil(30 / block)):
        r = FlashStepView(q, k, v, block=block, query_block=qb, causal=causal).readout()
        i0, i1 = r["rows"]
        assert r["step"] == len(r["tiles"]) - 1 and r["error"] < 1e-12
        torch.testing.assert_close(torch.tensor(r["out"], dtype=torch.float64), want[i0:i1])


def test_each_step_is_the_state_of_flash_attention() -> None:
    q, k, v = _data()
    for step in range(4):
        r = FlashStepView(q, k, v, block=8, query_block=2, step=step, row=5).readout()
        j1 = r["tiles"][step][1]
        out, lse = _forward(q[None], k[None, :j1], v[None, :j1], 0.5, False, 8, 8)
        lse_view = torch.tensor(r["m"], dtype=torch.float64) + torch.log(
            torch.tensor(r["l"], dtype=torch.float64))
        torch.testing.assert_close(lse_view, lse[0, 16:24])
        torch.testing.assert_close(torch.tensor(r["out"], dtype=torch.float64), out[0, 16:24])
        assert len(r["row_m"]) == step + 1 and r["row_m"][-1] == r["m"][5]
    assert r["error"] < 1e-12 and r["row_rescale"][0] == 0.0


def test_clamped_when_the_tile_size_or_the_mask_changes() -> None:
    view = FlashStepView(*_data(), block=4, query_block=7, step=7, row=3)
    view.block = 16  # the reader chose bigger tiles: block 7 and tile 7 no longer exist
    r = view.readout()
    assert (r["query_block"], r["step"], r["row"]) == (1, 1, 3)
    view.causal = True
    view.query_block = 0
    r = view.readout()
    assert r["tiles"] == [[0, 16]] and r["step"] == 0 and r["skipped"] == 1


def test_demo_and_state_round_trip() -> None:
    view = FlashStepView.demo()
    again = FlashStepView.from_state({**view.state, **view.params})
    assert again.readout() == view.readout()
    assert view.state_bytes() < 30_000
    assert view.fallback_figure() is not None


@pytest.mark.parametrize("kwargs, match", [
    (dict(block=5), "block"), (dict(query_block=4), "query_block"), (dict(row=8), "row"),
    (dict(step=4), "step"), (dict(step=True), "step"),
])
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        FlashStepView(*_data(), **kwargs)


def test_bad_shapes() -> None:
    q, k, v = _data()
    with pytest.raises(ValueError, match="q must have shape"):
        FlashStepView(q[:4], k[:4], v[:4])
    with pytest.raises(ValueError, match="k must have shape"):
        FlashStepView(q, k[:, :3], v)
