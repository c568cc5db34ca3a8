"""Stored weights match their recipes, and the recipes' runs start the way the stored ones did."""

import numpy as np
import pytest

from attn_course.data.checkpoints import load_checkpoint
from attn_course.experiments.pretrained import (
    NORM_RUNS,
    POSITIONS,
    RECALL_RUNS,
    RECIPES,
    TRANSLATION,
    regenerate,
    run_key,
    train_translator,
    translator_jobs,
)
from attn_course.experiments.transformer import (
    layer_grad_norms,
    train_norm_model,
    train_recall_model,
)


@pytest.mark.parametrize(("name", "keys"), [
    ("ch14_positions", [f"{m}-s{s}" for m in POSITIONS["methods"] for s in POSITIONS["seeds"]]),
    ("ch10_norms", [f"{r[0]}-s{s}" for r in NORM_RUNS["runs"] for s in NORM_RUNS["seeds"]]),
    ("ch10_recall", [f"{k}-{b}-s{s}" for k in RECALL_RUNS["kinds"] for b in RECALL_RUNS["budgets"]
                     for s in RECALL_RUNS["seeds"]]
     + [f"gru-{RECALL_RUNS['gru_budget']}-s{s}" for s in RECALL_RUNS["seeds"]]
     + ["{}-{}-s{}".format(*RECALL_RUNS["long_run"])]),
    *[(name, [run_key(*job) for job in translator_jobs(name)])
      for name in ("ch08_translators", "ch08_long", "ch08_context", "ch10_translators")],
])
def test_stored_runs_are_the_recipes_runs(name, keys):
    blob = load_checkpoint(name)
    assert list(blob["runs"]) == keys
    assert name in RECIPES


def test_the_stored_recall_runs_are_the_recipe_and_start_like_fresh_ones():
    blob = load_checkpoint("ch10_recall")
    assert blob["recipe"] == RECALL_RUNS
    for key, steps in (("gru-10000-s2", 10000), ("transformer-300-s1", 300)):
        run = blob["runs"][key]
        assert len(run["history"]["loss"]) == steps  # trained for its whole budget
        kind, _, seed = key.split("-")
        _, fresh = train_recall_model(kind, steps, seed=int(seed[1:]), stop_after=3,
                                      progress=False)
        np.testing.assert_allclose(fresh["loss"], run["history"]["loss"][:3], rtol=1e-4)


def test_the_stored_norm_run_starts_like_a_fresh_one():
    stored = load_checkpoint("ch10_norms")["runs"]["pre-s1"]["history"]["loss"][:3]
    _, fresh = train_norm_model(True, 0, seed=1, stop_after=3, progress=False)
    np.testing.assert_allclose(fresh["loss"], stored, rtol=1e-4)


def test_stored_translators_were_trained_with_the_recipe():
    for name in ("ch08_translators", "ch08_long", "ch08_context", "ch10_translators"):
        blob = load_checkpoint(name)
        assert blob["recipe"] == TRANSLATION
        for (_, _, _, steps), run in zip(translator_jobs(name), blob["runs"].values()):
            assert len(run["history"]["loss"]) == steps
            assert [s for s, _ in run["history"]["val"]] == list(
                range(TRANSLATION["val_every"], steps + 1, TRANSLATION["val_every"]))


@pytest.mark.parametrize(("kind", "d_hidden", "seed"), [("bahdanau", 64, 1),
                                                        ("transformer", 32, 2)])
def test_a_stored_translator_run_starts_like_a_fresh_one(kind, d_hidden, seed):
    name = "ch10_translators" if kind == "transformer" else "ch08_translators"
    stored = load_checkpoint(name)["runs"][run_key(kind, d_hidden, seed)]["history"]["loss"][:3]
    _, fresh = train_translator(kind, d_hidden, seed, stop_after=3, validate=False,
                                progress=False)
    np.testing.assert_allclose(fresh["loss"], stored, rtol=1e-4)


def test_translator_jobs_bad_name():
    with pytest.raises(ValueError, match="name"):
        translator_jobs("ch14_positions")


def test_layer_grad_norms_shape_and_bad_recipe():
    g = layer_grad_norms(False, n_layers=2, seeds=(0, 1), n_batches=1)
    assert g.shape == (2, 2) and (g > 0).all()
    with pytest.raises(ValueError, match="name"):
        regenerate("nothing")
