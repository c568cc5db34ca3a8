"""The BPE view (chapter 15) re-encodes its sentence in the browser as
``attn_course.data.bpe.BPETokenizer`` does, for every number of merges and sentence."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import PageVisit, check_parity, controls_of, operate_by_keyboard, set_range

from attn_course.data.bpe import BPETokenizer
from attn_course.views.bpe import BpeView

pytestmark = pytest.mark.browser

TEXT = ("The value of the expression is the value of the last item; the values of the "
        "earlier items (x_1, x_2 = 42) are evaluated first.\nThen the value is returned.")


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    tok = BPETokenizer.train(TEXT * 2, 60)
    return show_views([BpeView(tok.merges, [TEXT, "the values of the value"], n_merges=10)])


def _view(visit: PageVisit) -> Any:
    return visit.page.locator('.attn-view[data-view="bpe"]').first


def test_the_merges_slider_and_the_sentence_re_encode(visit: PageVisit) -> None:
    v = _view(visit)
    r = check_parity(v)
    assert r["params"]["n_merges"] == 10
    set_range(v, "n_merges", 0)  # bytes: one token per (ASCII) character
    r = check_parity(v)
    assert r["readout"]["n_tokens"] == len(TEXT) and r["readout"]["ids"] == list(TEXT.encode())
    n = len(r["state"]["merges"])
    set_range(v, "n_merges", n)
    r = check_parity(v)
    assert r["readout"]["n_tokens"] < len(TEXT) / 2
    assert v.locator(".attn-bpe-tokens span").count() == r["readout"]["n_tokens"]
    v.locator('select[data-control="text"]').select_option("1")
    r = check_parity(v)
    assert r["params"]["text"] == 1 and r["readout"]["n_chars"] == len("the values of the value")
    visit.check_clean()


def test_keyboard_moves_the_slider(visit: PageVisit) -> None:
    v = _view(visit)
    for control in controls_of(v):
        if control["kind"] == "range":
            operate_by_keyboard(v, control)  # asserts aria-valuetext is the value shown
            check_parity(v)
    visit.check_clean()
