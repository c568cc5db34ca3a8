"""The flash stepper (chapter 13): the browser's m, ℓ, rescale and accumulator after each key
tile are those of the package's flash attention, and the last tile gives plain attention."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
from browser_helpers import PageVisit, check_parity, operate_by_keyboard, set_range

from attn_course.layers.flash import _forward
from attn_course.views.flash_step import FlashStepView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    return show_views([FlashStepView.demo()])


def _flash_state(state: dict, block: int, rows: list[int], j1: int, causal: bool):
    q, k, v = (torch.tensor(state[x], dtype=torch.float64) for x in ("q", "k", "v"))
    out, lse = _forward(q[None], k[None, :j1], v[None, :j1], 1 / math.sqrt(q.shape[1]), causal,
                        block, block)
    return out[0, rows[0]:rows[1]], lse[0, rows[0]:rows[1]]


def _check_against_flash(r: dict) -> None:
    rd, p = r["readout"], r["params"]
    out, lse = _flash_state(r["state"], p["block"], rd["rows"], rd["tiles"][rd["step"]][1],
                            p["causal"])
    m, l = (torch.tensor(rd[x], dtype=torch.float64) for x in ("m", "l"))
    torch.testing.assert_close(m + torch.log(l), lse)
    torch.testing.assert_close(torch.tensor(rd["out"], dtype=torch.float64), out)
    torch.testing.assert_close(torch.tensor(rd["acc"], dtype=torch.float64), out * l[:, None])


def test_stepping_through_the_key_tiles(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="flash_step"]').first
    r = check_parity(v)
    assert r["readout"]["step"] == 1 and r["readout"]["error"] > 1e-3  # half the keys: not yet
    _check_against_flash(r)
    for step in (0, 2, 3):
        set_range(v, "step", step)
        r = check_parity(v)
        assert r["readout"]["step"] == step and len(r["readout"]["row_m"]) == step + 1
        _check_against_flash(r)
    assert r["readout"]["error"] < 1e-9  # the last tile: plain attention
    assert v.locator("table.attn-values tr").count() == 1 + 4  # a header and one row per tile
    set_range(v, "row", 6)
    set_range(v, "block", 2)  # 16 × 16 tiles
    r = check_parity(v)
    assert r["params"]["block"] == 16 and r["readout"]["row"] == 6
    v.locator('[data-control="causal"]').click()
    set_range(v, "query_block", 0)
    r = check_parity(v)
    assert r["readout"]["tiles"] == [[0, 16]] and r["readout"]["skipped"] == 1
    _check_against_flash(r)
    visit.check_clean()


def test_keyboard_and_valuetext(visit: PageVisit) -> None:
    v = visit.page.locator('.attn-view[data-view="flash_step"]').first
    set_range(v, "block", 1)  # back to 8 × 8 tiles, four key tiles
    v.locator('[data-control="causal"]').uncheck()
    set_range(v, "step", 0)
    operate_by_keyboard(v, {"name": "step", "kind": "range"})
    r = check_parity(v)
    assert r["readout"]["step"] == 1
    assert v.locator('[data-control="step"]').get_attribute("aria-valuetext") == "2 (up to K1)"
    _check_against_flash(r)
    visit.check_clean()
