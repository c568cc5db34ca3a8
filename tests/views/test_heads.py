"""The head-ablation view's Python side (chapter 16): what it ships and what it shows."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attn_course import GPT
from attn_course.data.repeats import repeated_segments
from attn_course.experiments.induction import head_scores, in_context_loss
from attn_course.views.heads import HeadAblationView

S = 6


@pytest.fixture(scope="module")
def setup() -> tuple[GPT, torch.Tensor, HeadAblationView]:
    torch.manual_seed(0)
    model = GPT(10, d_model=16, n_heads=2, n_layers=2, max_len=2 * S, d_ff=0).eval()
    tokens = repeated_segments(2, S, 10, seed=1)  # (2, 2S)
    return model, tokens, HeadAblationView.from_model(model, tokens, S)


def test_scores_and_losses_match_the_package(setup: tuple) -> None:
    model, tokens, view = setup
    with torch.no_grad():
        _, w = model.run(tokens, need_weights=True)  # (2, L, H, 2S, 2S)
    for layer in range(2):
        for head in range(2):
            mask = torch.ones(2, 2)
            mask[layer, head] = 0.0
            want = in_context_loss(model, tokens, S, head_mask=mask)["second"]
            intact = in_context_loss(model, tokens, S)["second"]
            got, got_intact = [], []
            for e in range(2):
                view.example, view.layer, view.head, view.query = e, layer, head, S + 2
                r = view.readout()
                sc = head_scores(w[e:e + 1], S)
                assert r["prefix_score"] == pytest.approx(float(sc["prefix"][layer, head]),
                                                          abs=1 / 510)  # maps shipped in 8 bits
                assert r["previous_score"] == pytest.approx(float(sc["previous"][layer, head]),
                                                            abs=1 / 510)
                np.testing.assert_allclose(r["row"], w[e, layer, head, S + 2, :S + 3], atol=1 / 510)
                got.append(r["second_ablated"])
                got_intact.append(r["second_intact"])
            # equal lengths: the mean of the two sequences' means is the batch mean
            assert np.mean(got) == pytest.approx(want, abs=1e-3)
            assert np.mean(got_intact) == pytest.approx(intact, abs=1e-3)


def test_prediction_at_the_query(setup: tuple) -> None:
    model, tokens, view = setup
    view.example, view.layer, view.head, view.query = 1, 0, 1, 2 * S - 2
    r = view.readout()
    with torch.no_grad():
        p = model(tokens[1:, :-1]).softmax(-1)[0, 2 * S - 2, tokens[1, 2 * S - 1]]
    assert r["p_intact"] == pytest.approx(float(p), abs=1e-4)
    assert r["loss_intact"] == pytest.approx(-float(p.log()), abs=1e-3)
    assert r["prefix_key"] == 2 * S - 2 - S + 1
    view.query = S - 1
    assert view.readout()["prefix_key"] == -1  # the first copy has no earlier occurrence


def test_demo_and_state_round_trip() -> None:
    view = HeadAblationView.demo()
    again = HeadAblationView.from_state({**view.state, **view.params})
    assert again.readout() == view.readout()


@pytest.mark.parametrize("change, match", [
    (dict(segment=1), "segment"), (dict(tokens=np.zeros((1, 5), int)), "tokens"),
    (dict(maps=np.zeros((1, 1, 1, 4, 5))), "maps"), (dict(loss=np.zeros((1, 3, 3))), "loss"),
    (dict(query=3), "query"), (dict(head=1), "head"), (dict(labels=["a"]), "labels"),
])
def test_bad_arguments(change: dict, match: str) -> None:
    args = dict(tokens=np.array([[0, 1, 0, 1]]), segment=2, maps=np.full((1, 1, 1, 4, 4), 0.25),
                p_correct=np.full((1, 2, 3), 0.5), loss=np.full((1, 2, 3), 0.7))
    args.update(change)
    with pytest.raises(ValueError, match=match):
        HeadAblationView(**args)
