"""Chapter 11's two tasks, trained: the attention blocks on cluttered canvases and on
opposite marks (the measurements read from them are in
:mod:`attn_course.experiments.vision_probes`).

The recipes (:data:`CANVAS_RECIPE`, :data:`MARKS_RECIPE`) fix everything a run depends on.
:func:`canvas_models` and :func:`marks_models` return the trained networks of every block
and seed, loaded from the weights stored with the package (trained by this module with
the course's loop, :func:`attn_course.tools.training.train`); :func:`canvas_run` and
:func:`marks_run` train one of them again.
``python scripts/make_vision_weights.py ch11_marks`` (or ``ch11_canvas``) retrains them and
rewrites the stored files (:mod:`attn_course.data.checkpoints`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ..data.checkpoints import load_checkpoint, save_checkpoint
from ..data.digits import load_digits
from ..data.vision_tasks import Cluttered, Marks, cluttered_digits, opposite_marks
from ..models.cnn import AttentionCNN
from ..tools.seed import set_seed
from ..tools.training import minibatches, train

__all__ = [
    "CANVAS_RECIPE",
    "MARKS_RECIPE",
    "canvas_models",
    "canvas_run",
    "canvas_test_set",
    "canvas_train_set",
    "marks_data",
    "marks_models",
    "marks_run",
    "regenerate",
    "train_canvas_model",
    "train_marks_model",
]

CANVAS_RECIPE: dict[str, Any] = {
    "task": {"side": 24, "n_fragments": 4, "fragment": 4, "n_streaks": 3,
             "streak_length": [5, 10], "noise": 0.1, "digits_split": 0, "n_train": 20000,
             "train_seed": 100},
    "model": {"widths": [8, 32], "reduction": 4, "kernel_size": 7},
    "train": {"steps": 1000, "batch_size": 64, "lr": 5e-3, "warmup": 50,
              "weight_decay": 1e-4, "schedule": "cosine"},
    "blocks": ["none", "se", "cbam"],
    "seeds": [0, 1, 2],
}
"""The cluttered-canvas experiment (20,000 training canvases of the training digits, three
blocks, three seeds, 1,000 steps of 64 canvases each)."""

MARKS_RECIPE: dict[str, Any] = {
    "task": {"side": 16, "n_shapes": 4, "jitter": 2, "noise": 0.0, "n_train": 3000,
             "n_test": 1000, "train_seed": 1, "test_seed": 2},
    "model": {"widths": [8, 8], "mixer": 16},
    "train": {"batch_size": 64, "lr": 5e-3, "warmup": 50, "weight_decay": 1e-4,
              "schedule": "cosine"},
    "runs": {"none": ["none", "embedded_gaussian", 800],
             "gaussian": ["nonlocal", "gaussian", 800],
             "embedded_gaussian": ["nonlocal", "embedded_gaussian", 800],
             "dot_product": ["nonlocal", "dot_product", 800],
             "concatenation": ["nonlocal", "concatenation", 800],
             "embedded_gaussian_long": ["nonlocal", "embedded_gaussian", 2400],
             "dot_product_long": ["nonlocal", "dot_product", 2400],
             "concatenation_long": ["nonlocal", "concatenation", 2400]},
    "seeds": [0, 1, 2],
}
"""The opposite-marks experiment (a fixed training set; no block and the four non-local
forms, 800 steps each — the same budget — and the three forms that had not solved it by
then again for 2,400 steps, the ``_long`` runs), run → (block, form, steps)."""

def _cross_entropy(model: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
    x, y = batch
    return nn.functional.cross_entropy(model(x), y)  # x (b, 1, H, W), y (b,)


def _train(model: nn.Module, batches: Any, seed: int, cfg: dict[str, Any], progress: bool,
           desc: str) -> list[float]:
    history = train(model, batches, _cross_entropy, cfg["steps"], cfg["lr"], seed=seed,
                    progress=progress, weight_decay=cfg["weight_decay"], warmup=cfg["warmup"],
                    schedule=cfg["schedule"], desc=desc)
    return history["loss"]


# --- the cluttered canvas ------------------------------------------------------------------

def _digit_images(train_split: bool) -> tuple[np.ndarray, np.ndarray]:
    d = load_digits(seed=CANVAS_RECIPE["task"]["digits_split"])
    x, y = (d.x_train, d.y_train) if train_split else (d.x_test, d.y_test)
    return x[:, 0].numpy(), y.numpy()  # (M, 8, 8), (M,)


def _canvas_kwargs() -> dict[str, Any]:
    t = {k: v for k, v in CANVAS_RECIPE["task"].items()
         if k not in ("digits_split", "n_train", "train_seed")}
    t["streak_length"] = tuple(t["streak_length"])
    return t


def canvas_train_set() -> Cluttered:
    """The training canvases, built from the *training* digits."""
    images, labels = _digit_images(train_split=True)
    t = CANVAS_RECIPE["task"]
    return cluttered_digits(images, labels, t["n_train"], t["train_seed"], **_canvas_kwargs())


def canvas_test_set(n: int = 2000, seed: int = 1) -> Cluttered:
    """``n`` canvases built from the *test* digits (never seen in training)."""
    images, labels = _digit_images(train_split=False)
    return cluttered_digits(images, labels, n, seed, **_canvas_kwargs())


def train_canvas_model(block: str, seed: int, *, progress: bool = True,
                       steps: int | None = None, data: Cluttered | None = None
                       ) -> tuple[AttentionCNN, list[float]]:
    """Train one :meth:`attn_course.models.cnn.AttentionCNN.for_canvas` network on the
    training canvases (minibatches in an order fixed by ``seed``).

    Returns:
        ``(model, losses)`` — the model in eval mode and the loss of every step.
    """
    cfg = dict(CANVAS_RECIPE["train"])
    if steps is not None:
        cfg["steps"] = steps
    train_set = data if data is not None else canvas_train_set()
    set_seed(seed)
    model = AttentionCNN.for_canvas(block)
    batches = minibatches(train_set.x, train_set.y, batch_size=cfg["batch_size"], seed=seed)
    losses = _train(model, batches, seed, cfg, progress, f"canvas, {block}, seed {seed}")
    return model, losses


# --- the opposite marks --------------------------------------------------------------------

def marks_data() -> tuple[Marks, Marks]:
    """The fixed training set and test set of the opposite-marks task."""
    t = MARKS_RECIPE["task"]
    kw = {k: t[k] for k in ("side", "n_shapes", "jitter", "noise")}
    return (opposite_marks(t["n_train"], t["train_seed"], **kw),
            opposite_marks(t["n_test"], t["test_seed"], **kw))


def train_marks_model(block: str, form: str, seed: int, *, steps: int = 800,
                      progress: bool = True, data: Marks | None = None
                      ) -> tuple[AttentionCNN, list[float]]:
    """Train one :meth:`attn_course.models.cnn.AttentionCNN.for_marks` network on the
    opposite-marks training set."""
    cfg = {**MARKS_RECIPE["train"], "steps": steps}
    train_set = data if data is not None else marks_data()[0]
    set_seed(seed)
    model = AttentionCNN.for_marks(block, form)
    batches = minibatches(train_set.x, train_set.y, batch_size=cfg["batch_size"], seed=seed)
    name = "no block" if block == "none" else form
    losses = _train(model, batches, seed, cfg, progress, f"marks, {name}, seed {seed}")
    return model, losses


# --- the stored runs ------------------------------------------------------------------------

def _history(losses: Sequence[float], every: int = 50, head: int = 50) -> dict[str, list[float]]:
    a = np.asarray(losses, dtype=np.float64)
    n = len(a) // every
    return {"first": a[:head].tolist(),  # to check a retrained start against
            "smoothed": a[: n * every].reshape(n, every).mean(1).tolist(),  # (steps / every,)
            "every": every}


def _canvas_names() -> list[str]:
    return [f"{b}-s{s}" for s in CANVAS_RECIPE["seeds"] for b in CANVAS_RECIPE["blocks"]]


def _marks_names() -> list[str]:
    return [f"{r}-s{s}" for r in MARKS_RECIPE["runs"] for s in MARKS_RECIPE["seeds"]]


def _split(key: str) -> tuple[str, int]:
    run, seed = key.rsplit("-s", 1)
    return run, int(seed)


def canvas_run(key: str, *, progress: bool = True, data: Cluttered | None = None,
               steps: int | None = None) -> tuple[nn.Module, dict[str, Any]]:
    """Train the canvas run ``key`` (``"<block>-s<seed>"``): ``(model, history)``."""
    block, seed = _split(key)
    model, losses = train_canvas_model(block, seed, progress=progress, data=data, steps=steps)
    return model, _history(losses)


def marks_run(key: str, *, progress: bool = True, data: Marks | None = None,
              steps: int | None = None) -> tuple[nn.Module, dict[str, Any]]:
    """Train the marks run ``key`` (``"<run>-s<seed>"``, a run of :data:`MARKS_RECIPE`)."""
    run, seed = _split(key)
    block, form, run_steps = MARKS_RECIPE["runs"][run]
    model, losses = train_marks_model(block, form, seed, steps=steps or run_steps,
                                      progress=progress, data=data)
    return model, _history(losses)


def regenerate(name: str, *, progress: bool = True) -> None:
    """Train every run of ``"ch11_canvas"`` or ``"ch11_marks"`` and store the weights in
    :mod:`attn_course.data.checkpoints` (minutes on one quiet core for the marks, about ten for
    the canvas)."""
    if name == "ch11_canvas":
        recipe, keys, data, fit = CANVAS_RECIPE, _canvas_names(), canvas_train_set(), canvas_run
    elif name == "ch11_marks":
        recipe, keys, data, fit = MARKS_RECIPE, _marks_names(), marks_data()[0], marks_run
    else:
        raise ValueError(f"name must be 'ch11_canvas' or 'ch11_marks', got {name!r}")
    runs = {}
    for key in keys:  # stored after every run, so a stopped regeneration keeps what it made
        model, history = fit(key, progress=progress, data=data)
        runs[key] = {"state": model.state_dict(), "history": history}
        save_checkpoint(name, recipe, runs)


def _load(name: str, recipe: dict[str, Any], build: Callable[[str], nn.Module]
          ) -> dict[str, tuple[nn.Module, dict[str, Any]]]:
    blob = load_checkpoint(name)
    if blob["recipe"] != recipe:
        raise ValueError(f"the stored weights {name} were trained with another recipe than "
                         f"the code's; make them again with: python "
                         f"scripts/make_vision_weights.py {name}")
    out = {}
    for key, run in blob["runs"].items():
        model = build(key)
        model.load_state_dict(run["state"])
        out[key] = (model.eval(), run["history"])
    return out


def canvas_models() -> dict[str, tuple[nn.Module, dict[str, Any]]]:
    """The stored canvas runs: ``"<block>-s<seed>"`` → ``(model in eval mode, history)``;
    ``history`` holds the first 50 losses (``"first"``) and the loss averaged over blocks of
    50 steps (``"smoothed"``)."""
    return _load("ch11_canvas", CANVAS_RECIPE,
                 lambda key: AttentionCNN.for_canvas(_split(key)[0]))


def marks_models() -> dict[str, tuple[nn.Module, dict[str, Any]]]:
    """The stored marks runs: ``"<run>-s<seed>"`` → ``(model in eval mode, history)``."""
    def build(key: str) -> nn.Module:
        block, form, _ = MARKS_RECIPE["runs"][_split(key)[0]]
        return AttentionCNN.for_marks(block, form)

    return _load("ch11_marks", MARKS_RECIPE, build)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Train chapter 11's stored networks again.")
    parser.add_argument("names", nargs="+", choices=["ch11_canvas", "ch11_marks"])
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.names:
        regenerate(name)
