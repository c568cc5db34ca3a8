"""The weights chapters 11 and 12 load: present, trained with the code's recipes, complete."""

from __future__ import annotations

import torch

from attn_course.data.digits import load_digits
from attn_course.experiments import vision_blocks as vb
from attn_course.experiments import vision_probes as vp
from attn_course.experiments import vit_runs as ev


def test_marks_weights_hold_every_run_and_beat_chance_with_a_gaussian_block():
    models = vb.marks_models()  # raises if the recipe changed since they were trained
    assert set(models) == {f"{r}-s{s}" for r in vb.MARKS_RECIPE["runs"]
                           for s in vb.MARKS_RECIPE["seeds"]}
    _, test = vb.marks_data()
    assert vp.test_accuracy(models["gaussian-s0"][0], test) > 0.8
    assert vp.test_accuracy(models["none-s0"][0], test) < 0.65


def test_vit_weights_hold_every_run_and_classify_the_digits():
    models = ev.vit_models()
    assert set(models) == {f"{r}-s{s}" for r in ev.VIT_RECIPE["runs"]
                           for s in ev.VIT_RECIPE["seeds"]}
    d = load_digits(seed=0)
    for model, _ in models.values():
        with torch.no_grad():
            assert (model(d.x_test).argmax(-1) == d.y_test).float().mean() > 0.9


def test_sweep_weights_hold_every_run():
    models = ev.sweep_models()
    want = {(k, n, s) for k in ("cnn", "vit") for n in ev.SWEEP["sizes"]
            for s in ev.SWEEP["seeds"]}
    assert set(models) == want
    for (_, n, _), (_, losses) in models.items():
        assert len(losses) == ev.SWEEP["steps"][n]


def test_canvas_weights_hold_every_run_and_restart_the_same():
    models = vb.canvas_models()  # raises if the recipe changed since they were trained
    assert set(models) == {f"{b}-s{s}" for b in vb.CANVAS_RECIPE["blocks"]
                           for s in vb.CANVAS_RECIPE["seeds"]}
    steps = vb.CANVAS_RECIPE["train"]["steps"]
    for _, history in models.values():
        assert len(history["smoothed"]) == steps // history["every"]
    # the stored run starts as this code trains it: its first 50 losses come back
    _, again = vb.canvas_run("cbam-s1", progress=False, steps=50)
    stored = models["cbam-s1"][1]["first"]
    assert max(abs(a - b) for a, b in zip(again["first"], stored)) < 1e-3
    test = vb.canvas_test_set()
    acc = {k: vp.test_accuracy(m, test) for k, (m, _) in models.items()}
    seeds = vb.CANVAS_RECIPE["seeds"]
    # chapter 11's claim: every CBAM seed beats every seed without a block
    assert min(acc[f"cbam-s{s}"] for s in seeds) > max(acc[f"none-s{s}"] for s in seeds) + 0.02
