"""Chapter 16's stored one-layer control: it loads, matches its recipe, and starts from the
models the recipe builds (its step-0 records are recomputed here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from attn_course import GPT
from attn_course.data.repeats import repeated_segments
from attn_course.experiments.induction import (
    ONE_LAYER_RECIPE,
    _torch_init,
    in_context_loss,
    load_one_layer_runs,
)


def test_stored_control_matches_its_recipe() -> None:
    data = load_one_layer_runs()
    r = ONE_LAYER_RECIPE
    for key, n, every in (("runs", r["train"]["steps"], r["record_every"]),
                          ("runs_long", r["long"]["steps"], r["long"]["record_every"])):
        assert sorted(data[key]) == [str(s) for s in r["seeds"]]
        for run in data[key].values():
            assert run["steps"] == list(range(0, n + 1, every))
    for run in [*data["runs"].values(), *data["runs_long"].values()]:
        assert len(run["first"]) == len(run["second"]) == len(run["steps"])
        n_heads = r["model"]["n_heads"]
        assert len(run["prefix"]) == len(run["previous"]) == 1  # one layer
        assert len(run["prefix"][0]) == len(run["previous"][0]) == n_heads


def test_stored_control_starts_where_the_recipe_starts() -> None:
    # step 0 is the untrained model of each seed: recompute its probe losses
    r = ONE_LAYER_RECIPE
    probe = repeated_segments(r["probe"]["n"], r["probe"]["segment"], r["data"]["vocab_size"],
                              seed=r["probe"]["seed"])
    runs = load_one_layer_runs()["runs"]
    for seed in r["seeds"]:
        torch.manual_seed(seed)
        model = _torch_init(GPT(r["data"]["vocab_size"], n_layers=1, tie_embeddings=False,
                                **r["model"]))
        loss = in_context_loss(model, probe, r["probe"]["segment"])
        assert loss["second"] == pytest.approx(runs[str(seed)]["second"][0], abs=1e-3)
        assert loss["first"] == pytest.approx(runs[str(seed)]["first"][0], abs=1e-3)


def test_a_control_made_with_another_recipe_is_refused(tmp_path: Path) -> None:
    data = load_one_layer_runs()
    data["recipe"] = {**data["recipe"], "n_layers": 2}
    bad = tmp_path / "control.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="another recipe"):
        load_one_layer_runs(bad)
