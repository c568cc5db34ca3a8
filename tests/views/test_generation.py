"""The generation stepper's Python side (chapter 15): what it ships and what it shows."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attn_course import GPT
from attn_course.core.sampling import next_token_probs
from attn_course.views.generation import GenerationView


@pytest.fixture(scope="module")
def model() -> GPT:
    torch.manual_seed(0)
    return GPT(12, d_model=16, n_heads=2, n_layers=2, max_len=32).eval()


@pytest.fixture(scope="module")
def view(model: GPT) -> GenerationView:
    prompt = torch.tensor([[1, 2, 3, 4, 5]])
    return GenerationView.from_model(model, prompt, 8, list("abcdefghijkl"), k=6,
                                     gen_temperature=1.0, seed=3)


@torch.no_grad()
def test_ships_the_generation_and_its_logits(model: GPT, view: GenerationView) -> None:
    g = torch.Generator().manual_seed(3)
    prompt = torch.tensor([[1, 2, 3, 4, 5]])
    assert view.ids == model.generate(prompt, 8, temperature=1.0, generator=g)[0].tolist()
    # step s's logits are those of a cached decoding step at position P − 1 + s
    cache = model.new_cache()
    ids = torch.tensor([view.ids])
    logits, weights = model.run(ids[:, :5], cache=cache, need_weights=True)
    for s in range(8):
        if s:
            logits, weights = model.run(ids[:, 4 + s : 5 + s], cache=cache, need_weights=True)
        top = logits[0, -1].topk(6)
        assert view.top_ids[s] == top.indices.tolist()
        np.testing.assert_allclose(view.top_logits[s], top.values.numpy(), atol=0.005 + 1e-6)
        for layer in range(2):
            for head in range(2):
                view.step, view.layer, view.head = s, layer, head
                row = weights[0, layer, head, -1].numpy()  # (P + s,): the cached step's row
                np.testing.assert_allclose(view.attention_row(), row, atol=1 / 510 + 1e-6)


@pytest.mark.parametrize("controls", [dict(temperature=0.0), dict(temperature=0.5, top_k=2),
                                      dict(temperature=1.5, top_p=0.6),
                                      dict(temperature=1.0, top_k=3, top_p=0.3)])
def test_readout_is_next_token_probs(view: GenerationView, controls: dict) -> None:
    view.step = 2
    view.temperature, view.top_k, view.top_p = 1.0, 0, 1.0
    for name, value in controls.items():
        setattr(view, name, value)
    r = view.readout()
    want = next_token_probs(np.array(view.top_logits[2]), temperature=view.temperature,
                            top_k=view.top_k or None,
                            top_p=None if view.top_p >= 1 else view.top_p)
    np.testing.assert_allclose(r["probs"], want)
    assert r["kept"] == int((want > 0).sum())
    assert r["greedy"] == view.top_ids[2][0]  # shipped largest first


def test_a_filtered_out_choice_has_probability_zero(view: GenerationView) -> None:
    # a step where the generation did not take the most likely token
    steps = [s for s in range(8) if view.ids[5 + s] in view.top_ids[s][1:]]
    assert steps, "the seeded generation took the greedy token at every step"
    view.step, view.temperature, view.top_p = steps[0], 1.0, 1.0
    view.top_k = 0
    assert view.readout()["chosen_p"] > 0
    view.top_k = 1
    assert view.readout()["chosen_p"] == 0.0 and view.readout()["kept"] == 1


def test_demo_and_state_round_trip() -> None:
    view = GenerationView.demo()
    again = GenerationView.from_state({**view.state, **view.params})
    assert again.readout() == view.readout()


@pytest.mark.parametrize("change, match", [
    (dict(prompt_len=0), "prompt_len"), (dict(ids=[0, 1, 99]), "ids"),
    (dict(top_ids=[[0, 1]]), "top_ids"), (dict(attention=np.zeros((2, 1, 1, 2))), "attention"),
    (dict(top_k=3), "top_k"), (dict(top_p=0.0), "top_p"), (dict(temperature=-1.0), "temperature"),
    (dict(tail=[0.1]), "tail"),
])
def test_bad_arguments(change: dict, match: str) -> None:
    args = dict(labels=list("abcd"), ids=[0, 1, 2, 3], prompt_len=2, top_ids=[[0, 1], [2, 3]],
                top_logits=[[1.0, 0.0], [1.0, 0.5]], attention=np.full((2, 1, 1, 3), 0.3))
    args.update(change)
    with pytest.raises(ValueError, match=match):
        GenerationView(**args)
