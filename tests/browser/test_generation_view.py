"""The generation stepper (chapter 15) recomputes temperature / top-k / top-p in the browser
as ``attn_course.core.sampling.next_token_probs`` does, and shows the step's attention row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from browser_helpers import PageVisit, check_parity, controls_of, operate_by_keyboard, set_range

from attn_course import GPT
from attn_course.core.sampling import next_token_probs
from attn_course.views.generation import GenerationView

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def visit(show_views: Any) -> PageVisit:
    torch.manual_seed(0)
    model = GPT(12, d_model=16, n_heads=2, n_layers=2, max_len=32).eval()
    view = GenerationView.from_model(model, torch.tensor([[1, 2, 3, 4, 5]]), 10,
                                     list("abcdefghij") + ["␣", "."], k=8, gen_temperature=1.0)
    return show_views([view])


def _view(visit: PageVisit) -> Any:
    return visit.page.locator('.attn-view[data-view="generation"]').first


def test_the_controls_recompute_the_distribution(visit: PageVisit) -> None:
    v = _view(visit)
    r = check_parity(v)
    z = np.array(r["state"]["top_logits"][0])
    np.testing.assert_allclose(r["readout"]["probs"], next_token_probs(z), atol=1e-6)
    set_range(v, "step", 6)
    set_range(v, "temperature", 0)  # greedy: one-hot on the largest shipped logit
    r = check_parity(v)
    assert r["params"]["step"] == 6 and r["readout"]["probs"][0] == 1 and r["readout"]["kept"] == 1
    set_range(v, "temperature", 1.5)
    set_range(v, "top_k", 3)
    r = check_parity(v)
    assert r["readout"]["kept"] == 3
    set_range(v, "top_k", 0)
    set_range(v, "top_p", 0.3)
    r = check_parity(v)
    z = np.array(r["state"]["top_logits"][6])
    np.testing.assert_allclose(r["readout"]["probs"],
                               next_token_probs(z, temperature=1.5, top_p=0.3), atol=1e-6)
    assert 1 <= r["readout"]["kept"] < 8
    visit.check_clean()


def test_the_attention_row_follows_step_layer_and_head(visit: PageVisit) -> None:
    v = _view(visit)
    set_range(v, "step", 9)
    set_range(v, "layer", 1)
    set_range(v, "head", 1)
    r = check_parity(v)
    assert len(r["readout"]["attention"]) == 5 + 9  # the prompt and 9 generated tokens
    assert abs(sum(r["readout"]["attention"]) - 1) < 14 / 510  # a softmax row, shipped in 8 bits
    assert v.locator(".attn-gen-text span").count() == 5 + 9 + 1  # the context and the new token
    visit.check_clean()


def test_keyboard_moves_every_slider(visit: PageVisit) -> None:
    v = _view(visit)
    for control in controls_of(v):
        if control["kind"] == "range":
            operate_by_keyboard(v, control)  # asserts aria-valuetext is the value shown
            check_parity(v)
    visit.check_clean()
