"""Trained weights that ship with the package (chapters 8, 10 and 14).

Some baselines of the course only mean something once trained to a plateau, which takes
minutes, not the seconds a chapter may spend. Their weights are trained once by
:mod:`attn_course.experiments.pretrained` (which says how to run it again) and stored
here, in ``weights/<name>.pt``: a dict with ``"format"``, ``"recipe"`` (the settings),
``"torch"`` (the version that trained them) and ``"runs"`` — run key → ``{"state"``:
a ``state_dict`` in float16, ``"history"``: what the training recorded``}``.
Loading turns the weights back into float32. Nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

__all__ = ["WEIGHTS", "checkpoint_path", "load_checkpoint", "save_checkpoint"]

WEIGHTS = Path(__file__).resolve().parent / "weights"
FORMAT = 1


def checkpoint_path(name: str) -> Path:
    """Where the weights called ``name`` (e.g. ``"ch08_translators"``) are stored."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"name must be a plain file stem like 'ch08_translators', got {name!r}")
    return WEIGHTS / f"{name}.pt"


def save_checkpoint(name: str, recipe: dict[str, Any], runs: dict[str, dict[str, Any]]) -> Path:
    """Store ``runs`` (key → ``{"state": state_dict, "history": {...}}``) in float16.

    Floating-point tensors are halved to float16 (the files stay small); histories are
    stored as given (lists of floats).
    """
    packed = {}
    for key, run in runs.items():
        state = {k: (v.detach().to(torch.float16) if v.is_floating_point() else v.detach())
                 for k, v in run["state"].items()}
        packed[key] = {"state": state, "history": run.get("history", {})}
    path = checkpoint_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": FORMAT, "recipe": recipe, "torch": str(torch.__version__),
                "runs": packed}, path)
    return path


def load_checkpoint(name: str) -> dict[str, Any]:
    """Load the weights called ``name``: the stored dict, state dicts back in float32.

    Raises:
        FileNotFoundError: if there are no such weights (regenerate them with
            ``python -m attn_course.experiments.pretrained``).
    """
    path = checkpoint_path(name)
    if not path.exists():
        raise FileNotFoundError(f"no stored weights {path.name} in {path.parent}; make them "
                                f"with: python -m attn_course.experiments.pretrained")
    blob = torch.load(path, map_location="cpu", weights_only=True)
    if blob.get("format") != FORMAT:
        raise ValueError(f"{path.name} has format {blob.get('format')!r}, expected {FORMAT}")
    for run in blob["runs"].values():
        run["state"] = {k: (v.float() if v.is_floating_point() else v)
                        for k, v in run["state"].items()}
    return blob
