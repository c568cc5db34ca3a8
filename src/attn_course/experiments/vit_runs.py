"""Chapter 12's training runs: a CNN against a ViT as the training set grows, and the stored
ViTs the chapter reads (:mod:`attn_course.experiments.vit` holds what is measured on them).

The recipes (:data:`SWEEP`, :data:`VIT_RECIPE`) are stored with the weights; loading refuses
weights trained with another recipe, and ``scripts/make_vision_weights.py`` regenerates them.
Images ``(n, 1, 8, 8)``, labels ``(n,)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ..data.checkpoints import load_checkpoint, save_checkpoint
from ..data.digits import Digits, load_digits, random_shift, subset
from ..models.cnn import SmallCNN
from ..models.vit import VisionTransformer
from ..tools.seed import set_seed
from ..tools.training import accuracy, minibatches, train

__all__ = [
    "SWEEP",
    "VIT_RECIPE",
    "regenerate",
    "regenerate_sweep",
    "size_sweep",
    "sweep_models",
    "train_digit_model",
    "vit_models",
    "vit_run",
]


# --- training ------------------------------------------------------------------------------

def _shifted(x: Tensor, y: Tensor, batch_size: int, seed: int, shift: int
             ) -> Iterator[tuple[Tensor, Tensor]]:
    g = torch.Generator().manual_seed(10_000 + seed)
    for xb, yb in minibatches(x, y, batch_size=batch_size, seed=seed):
        yield random_shift(xb, shift, g), yb  # (b, 1, 8, 8), (b,)


def _cross_entropy(model: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
    x, y = batch
    return nn.functional.cross_entropy(model(x), y)  # x (b, 1, 8, 8), y (b,)


def train_digit_model(model: nn.Module, x: Tensor, y: Tensor, *, steps: int, lr: float,
                      seed: int, batch_size: int = 128, weight_decay: float = 0.05,
                      shift: int = 0, progress: bool = True, desc: str = "training"
                      ) -> list[float]:
    """Train a digit classifier on ``x (n, 1, 8, 8)``, ``y (n,)`` with the course's loop:
    AdamW, warm-up over a tenth of the steps then a cosine decay, minibatches of
    ``min(batch_size, n)`` in an order fixed by ``seed``, each image moved by up to
    ``shift`` pixels (:func:`attn_course.data.digits.random_shift`). Returns the losses."""
    batches = _shifted(x, y, min(batch_size, x.shape[0]), seed, shift)
    history = train(model, batches, _cross_entropy, steps, lr, seed=seed, progress=progress,
                    weight_decay=weight_decay, warmup=max(1, steps // 10), schedule="cosine",
                    desc=desc)
    return history["loss"]


SWEEP: dict[str, Any] = {
    "sizes": [100, 300, 700, 1347],
    "steps": {100: 150, 300: 150, 700: 200, 1347: 300},
    "seeds": [0, 1, 2],
    "batch_size": 128,
    "lr": {"cnn": 1e-2, "vit": 5e-3},
    "patch_size": 4,
}
"""The training-set-size sweep (a CNN and a ViT on subsets of the training digits)."""


def build_model(kind: str, patch_size: int = 4, positions: str = "learned") -> nn.Module:
    """The two contestants: ``"cnn"`` (:class:`SmallCNN`) or ``"vit"`` (a
    :class:`VisionTransformer` with ``d_model = 32``, 4 heads, 2 layers, ``d_ff = 64``)."""
    if kind == "cnn":
        return SmallCNN("none")
    if kind == "vit":
        return VisionTransformer(image_size=8, patch_size=patch_size, d_model=32, n_heads=4,
                                 n_layers=2, d_ff=64, positions=positions)
    raise ValueError(f"kind must be 'cnn' or 'vit', got {kind!r}")


def _sweep_run(kind: str, n: int, seed: int, x: Tensor, y: Tensor, progress: bool
               ) -> tuple[nn.Module, list[float]]:
    """One run of :data:`SWEEP`: ``kind`` trained on the ``n`` images ``x (n, 1, 8, 8)``."""
    set_seed(seed)
    model = build_model(kind, SWEEP["patch_size"])
    losses = train_digit_model(model, x, y, steps=SWEEP["steps"][n], lr=SWEEP["lr"][kind],
                               seed=seed, batch_size=SWEEP["batch_size"], progress=progress,
                               desc=f"{kind}, {n} images, seed {seed}")
    return model, losses


def size_sweep(data: Digits | None = None, *, kinds: tuple[str, ...] = ("cnn", "vit"),
               progress: bool = True) -> list[dict[str, Any]]:
    """Train every model of :data:`SWEEP` on every training-set size and seed.

    Returns:
        A list with one row per run, each a dict with the keys ``"model"``, ``"n"``,
        ``"seed"``, ``"test"``, ``"train"`` and ``"final_loss"``.
    """
    d = data if data is not None else load_digits(seed=0)
    rows = []
    for n in SWEEP["sizes"]:
        for seed in SWEEP["seeds"]:
            x, y = subset(d.x_train, d.y_train, n, seed)
            for kind in kinds:
                model, losses = _sweep_run(kind, n, seed, x, y, progress)
                rows.append({"model": kind, "n": n, "seed": seed,
                             "test": accuracy(model, d.x_test, d.y_test),
                             "train": accuracy(model, x, y),
                             "final_loss": float(np.mean(losses[-10:]))})
    return rows



def _sweep_key(kind: str, n: int, seed: int) -> str:
    return f"{kind}-n{n}-s{seed}"


def regenerate_sweep(*, progress: bool = True) -> None:
    """Train every run of :data:`SWEEP` and store the weights as ``"ch12_sweep"`` in
    :mod:`attn_course.data.checkpoints` (run keys ``"<kind>-n<size>-s<seed>"``)."""
    d = load_digits(seed=0)
    runs = {}
    for n in SWEEP["sizes"]:
        for seed in SWEEP["seeds"]:
            x, y = subset(d.x_train, d.y_train, n, seed)
            for kind in ("cnn", "vit"):
                model, losses = _sweep_run(kind, n, seed, x, y, progress)
                runs[_sweep_key(kind, n, seed)] = {"state": model.state_dict(),
                                                   "history": {"loss": losses}}
    save_checkpoint("ch12_sweep", _sweep_recipe(), runs)


def _sweep_recipe() -> dict[str, Any]:
    return {**SWEEP, "steps": {str(k): v for k, v in SWEEP["steps"].items()}}


def sweep_models() -> dict[tuple[str, int, int], tuple[nn.Module, list[float]]]:
    """The stored runs of :data:`SWEEP`: ``(kind, n, seed)`` → ``(model in eval mode,
    training losses)``; the training subset is ``subset(x_train, y_train, n, seed)``."""
    blob = load_checkpoint("ch12_sweep")
    if blob["recipe"] != _sweep_recipe():
        raise ValueError("the stored weights ch12_sweep were trained with another recipe than "
                         "the code's; make them again with: python scripts/make_vision_weights.py "
                         "ch12_sweep")
    out = {}
    for key, run in blob["runs"].items():
        kind, n, seed = key.split("-")
        model = build_model(kind, SWEEP["patch_size"])
        model.load_state_dict(run["state"])
        out[(kind, int(n[1:]), int(seed[1:]))] = (model.eval(), run["history"]["loss"])
    return out


VIT_RECIPE: dict[str, Any] = {
    "model": {"patch_size": 2, "d_model": 32, "n_heads": 4, "n_layers": 2, "d_ff": 64,
              "activation": "gelu"},
    "runs": {"plain": {"positions": "learned", "shift": 0, "steps": 300},
             "shifted": {"positions": "learned", "shift": 2, "steps": 1500}},
    "train": {"batch_size": 128, "lr": 5e-3, "weight_decay": 0.05},
    "seeds": [0, 1, 2],
    "digits_split": 0,
}
"""The ViTs with 2×2 patches, trained as in the sweep (``plain``: learned positions, no
shifts; ``shifted``: learned positions, random shifts of up to 2 pixels — one patch — and
five times the steps). A run may also set ``"positions": "sincos"`` (fixed 2-D sin-cos
positions) and ``"shift"`` (random shifts of up to that many pixels)."""

def _history(losses: list[float], every: int = 50, head: int = 50) -> dict[str, Any]:
    a = np.asarray(losses, dtype=np.float64)
    n = len(a) // every
    return {"first": a[:head].tolist(), "every": every,
            "smoothed": a[: n * every].reshape(n, every).mean(1).tolist()}


def _build_vit2(key: str) -> VisionTransformer:
    run = VIT_RECIPE["runs"][key.rsplit("-s", 1)[0]]
    return VisionTransformer(image_size=8, positions=run["positions"], **VIT_RECIPE["model"])


def vit_run(key: str, *, progress: bool = True, data: Digits | None = None,
            steps: int | None = None) -> tuple[VisionTransformer, dict[str, Any]]:
    """Train the run ``key`` (``"<run>-s<seed>"``) of :data:`VIT_RECIPE`:
    ``(model in eval mode, history)``; ``steps`` stops early (to check a stored run's start)."""
    run_name, seed = key.rsplit("-s", 1)
    run = VIT_RECIPE["runs"][run_name]
    cfg = VIT_RECIPE["train"]
    d = data if data is not None else load_digits(seed=VIT_RECIPE["digits_split"])
    set_seed(int(seed))
    model = _build_vit2(key)
    losses = train_digit_model(model, d.x_train, d.y_train, steps=steps or run["steps"],
                               lr=cfg["lr"], seed=int(seed), batch_size=cfg["batch_size"],
                               weight_decay=cfg["weight_decay"], shift=run["shift"],
                               progress=progress, desc=f"ViT 2×2, {run_name}, seed {seed}")
    return model.eval(), _history(losses)


def regenerate(*, progress: bool = True) -> None:
    """Train every run of :data:`VIT_RECIPE` and store it as ``"ch12_vit2"`` in
    :mod:`attn_course.data.checkpoints`."""
    d = load_digits(seed=VIT_RECIPE["digits_split"])
    runs = {}
    for key in [f"{r}-s{s}" for r in VIT_RECIPE["runs"] for s in VIT_RECIPE["seeds"]]:
        model, history = vit_run(key, progress=progress, data=d)
        runs[key] = {"state": model.state_dict(), "history": history}
    save_checkpoint("ch12_vit2", VIT_RECIPE, runs)


def vit_models() -> dict[str, tuple[VisionTransformer, dict[str, Any]]]:
    """The stored ViTs with 2×2 patches: ``"<run>-s<seed>"`` → ``(model in eval mode,
    history)``."""
    blob = load_checkpoint("ch12_vit2")
    if blob["recipe"] != VIT_RECIPE:
        raise ValueError("the stored weights ch12_vit2 were trained with another recipe than "
                         "the code's; make them again with: python "
                         "scripts/make_vision_weights.py ch12_vit2")
    out = {}
    for key, run in blob["runs"].items():
        model = _build_vit2(key)
        model.load_state_dict(run["state"])
        out[key] = (model.eval(), run["history"])
    return out


if __name__ == "__main__":
    torch.set_num_threads(1)
    regenerate()
    regenerate_sweep()
