"""Recipes for the weights that ship in :mod:`attn_course.data.checkpoints`, and the command
that makes them again.

A chapter may spend about a minute; some of its baselines mean something only once trained
to a plateau, which takes far longer on a laptop. Those are trained once, here, and stored.
Each recipe lists its runs (keys such as ``"none-64-s0"``: model, width, seed), trains them
with the course's loop on one thread and stores them with their histories. The chapters
load and *evaluate* the stored weights while the book is built, and each retrains the start
of one run and checks that its losses equal the stored ones: the weights come from this
code. To make them again (the translators take minutes per run on one core; the runs of
a recipe are independent and may be trained in parallel processes, see
:func:`translator_jobs`)::

    python -m attn_course.experiments.pretrained ch08_translators ch08_long
    python -m attn_course.experiments.pretrained ch08_context ch10_translators
    python -m attn_course.experiments.pretrained ch10_recall ch10_norms ch14_positions
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..data.checkpoints import load_checkpoint, save_checkpoint
from ..data.translation import (
    Pairs,
    make_pairs,
    make_split,
    possible_lengths,
    source_vocab,
    target_vocab,
)
from ..models.seq2seq import Seq2Seq
from ..models.translator import TransformerTranslator
from ..tools.seed import set_seed
from .bahdanau import accuracy_by_length, train_seq2seq
from .positions import train_position_model
from .transformer import train_norm_model, train_recall_model

__all__ = ["RECIPES", "TRANSLATION", "build_translator", "load_runs", "regenerate", "run_key",
           "train_translator", "translation_data", "translator_jobs"]

TRANSLATION: dict[str, Any] = {
    "n_train": 3000, "train_lens": (2, 18), "steps": 1500, "batch_size": 32, "lr": 3e-3,
    "schedule": "cosine", "val_lens": (13, 18), "val_per_len": 20, "val_every": 250,
    "seeds": (0, 1, 2),
    # chapter 8: (decoder, width) of the comparison, and the widths of the context sweep
    "rnn_models": (("none", 64), ("bahdanau", 64)),
    "context_widths": (32, 128),
    "long_run": ("none", 64, 0, 3000),  # one run twice as long: is 1500 steps a plateau?
    # chapter 10's encoder–decoder Transformer, at the parameter count of bahdanau-64;
    # linear warm-up over 200 steps, then the same cosine decay
    "transformer": {"d_model": 32, "n_heads": 4, "d_ff": 128, "n_enc": 2, "n_dec": 2},
    "transformer_warmup": 200,
}
RECALL_RUNS: dict[str, Any] = {"kinds": ("transformer", "gru"), "budgets": (300, 3000),
                               "seeds": (0, 1, 2),
                               # the GRU is still improving at 3000 steps: 10000 steps, 3 seeds
                               "gru_budget": 10000,
                               # one GRU run in between: how fast is it still improving?
                               "long_run": ("gru", 6000, 0)}
NORM_RUNS: dict[str, Any] = {"runs": (("post", False, 0), ("post-warmup", False, 50),
                                      ("pre", True, 0)), "steps": 400, "seeds": (0, 1, 2)}
POSITIONS: dict[str, Any] = {"methods": ("none", "sinusoidal", "learned", "rope", "alibi"),
                             "seeds": (0, 1, 2), "length": 32, "steps": 300, "n_heads": 8,
                             "d_model": 32, "max_len": 128}


def translation_data() -> tuple[Pairs, dict[int, Pairs]]:
    """The training pairs of chapter 8 and the validation sentences the recipe scores
    during training (13–18 words, none in the training set, none in the chapter's test set)."""
    train, _ = make_split(TRANSLATION["n_train"], 1, TRANSLATION["train_lens"],
                          TRANSLATION["train_lens"], seed=0)
    seen = {" ".join(s) for s, _ in train}
    val = {n: [p for p in make_pairs(TRANSLATION["val_per_len"], n, n, seed=500 + n)
               if " ".join(p[0]) not in seen]
           for n in possible_lengths(*TRANSLATION["val_lens"])}
    return train, val


def build_translator(kind: str, d_hidden: int = 64) -> nn.Module:
    """A fresh chapter-8 translator: a :class:`~attn_course.models.seq2seq.Seq2Seq`
    decoder ``kind`` of width ``d_hidden``, or ``kind="transformer"``
    (:class:`~attn_course.models.translator.TransformerTranslator`)."""
    n_src, n_tgt = len(source_vocab()), len(target_vocab())
    if kind == "transformer":
        return TransformerTranslator(n_src, n_tgt, **TRANSLATION["transformer"])
    return Seq2Seq(n_src, n_tgt, kind, d_hidden=d_hidden)


def train_translator(kind: str, d_hidden: int, seed: int, *, steps: int | None = None,
                     stop_after: int | None = None, validate: bool = True,
                     progress: bool = True) -> tuple[nn.Module, dict[str, list]]:
    """One run of the translator recipe: returns the model and ``{"loss", "val"}``.

    ``steps`` sets the schedule (cosine decay over ``steps``); ``stop_after`` ends the run
    early (to check the start of a stored run); ``val`` holds ``(step, mean word accuracy on
    the validation sentences)`` every ``val_every`` steps.
    """
    steps = steps or TRANSLATION["steps"]
    train, val = translation_data()
    set_seed(seed)
    model = build_translator(kind, d_hidden)
    history: dict[str, list] = {"val": []}

    def on_step(step: int, loss: float) -> bool:
        if validate and (step + 1) % TRANSLATION["val_every"] == 0:
            history["val"].append((step + 1, accuracy_by_length(model, val).mean_word_acc))
            model.train()
        return stop_after is not None and step + 1 >= stop_after

    warmup = TRANSLATION["transformer_warmup"] if kind == "transformer" else 0
    history["loss"] = train_seq2seq(
        model, train, steps=steps, batch_size=TRANSLATION["batch_size"], lr=TRANSLATION["lr"],
        seed=seed, progress=progress, desc=f"{kind}-{d_hidden} seed {seed}", warmup=warmup,
        schedule=TRANSLATION["schedule"], on_step=on_step)
    return model, history


def run_key(kind: str, d_hidden: int, seed: int, steps: int | None = None) -> str:
    """The key of a translator run: ``"none-64-s0"``, with ``"-3000"`` appended when its
    number of steps differs from the recipe's."""
    steps = steps or TRANSLATION["steps"]
    return f"{kind}-{d_hidden}-s{seed}" + ("" if steps == TRANSLATION["steps"] else f"-{steps}")


def translator_jobs(name: str) -> list[tuple[str, int, int, int]]:
    """The runs ``(kind, d_hidden, seed, steps)`` of translator recipe ``name``, in order:
    ``"ch08_translators"`` (no attention and Bahdanau at width 64), ``"ch08_long"`` (the
    run twice as long), ``"ch08_context"`` (no attention at the other widths) or
    ``"ch10_translators"``. Every run trains on one thread, so the runs of one recipe can
    also be trained in parallel processes and stored together with
    :func:`~attn_course.data.checkpoints.save_checkpoint` in this order."""
    steps, seeds = TRANSLATION["steps"], TRANSLATION["seeds"]
    if name == "ch08_translators":
        return [(k, d, s, steps) for k, d in TRANSLATION["rnn_models"] for s in seeds]
    if name == "ch08_long":
        return [TRANSLATION["long_run"]]
    if name == "ch08_context":
        return [("none", d, s, steps) for d in TRANSLATION["context_widths"] for s in seeds]
    if name == "ch10_translators":
        return [("transformer", 32, s, steps) for s in seeds]
    raise ValueError(f"name must be a translator recipe, got {name!r}")


def _translator_recipe(name: str) -> Callable[[bool], tuple[dict, dict]]:
    def recipe(progress: bool) -> tuple[dict, dict]:
        runs = {}
        for kind, d_hidden, seed, steps in translator_jobs(name):
            model, history = train_translator(kind, d_hidden, seed, steps=steps,
                                              progress=progress)
            runs[run_key(kind, d_hidden, seed, steps)] = {"state": model.state_dict(),
                                                          "history": history}
        return TRANSLATION, runs
    return recipe


def _ch14(progress: bool) -> tuple[dict, dict]:
    runs = {}
    kw = {k: POSITIONS[k] for k in ("n_heads", "d_model", "max_len")}
    for method in POSITIONS["methods"]:
        for seed in POSITIONS["seeds"]:
            model, history = train_position_model(method, length=POSITIONS["length"],
                                                  steps=POSITIONS["steps"], seed=seed,
                                                  progress=progress, **kw)
            runs[f"{method}-s{seed}"] = {"state": model.state_dict(),
                                         "history": {"loss": history["loss"]}}
    return POSITIONS, runs


def _ch10_recall(progress: bool) -> tuple[dict, dict]:
    runs = {}
    for kind in RECALL_RUNS["kinds"]:
        for steps in RECALL_RUNS["budgets"]:
            for seed in RECALL_RUNS["seeds"]:
                model, history = train_recall_model(kind, steps, seed=seed, progress=progress)
                runs[f"{kind}-{steps}-s{seed}"] = {"state": model.state_dict(),
                                                   "history": {"loss": history["loss"]}}
    for seed in RECALL_RUNS["seeds"]:
        model, history = train_recall_model("gru", RECALL_RUNS["gru_budget"], seed=seed,
                                            progress=progress)
        runs[f"gru-{RECALL_RUNS['gru_budget']}-s{seed}"] = {
            "state": model.state_dict(), "history": {"loss": history["loss"]}}
    kind, steps, seed = RECALL_RUNS["long_run"]
    model, history = train_recall_model(kind, steps, seed=seed, progress=progress)
    runs[f"{kind}-{steps}-s{seed}"] = {"state": model.state_dict(),
                                       "history": {"loss": history["loss"]}}
    return RECALL_RUNS, runs


def _ch10_norms(progress: bool) -> tuple[dict, dict]:
    runs = {}
    for name, norm_first, warmup in NORM_RUNS["runs"]:
        for seed in NORM_RUNS["seeds"]:
            model, history = train_norm_model(norm_first, warmup, seed=seed,
                                              steps=NORM_RUNS["steps"], progress=progress)
            runs[f"{name}-s{seed}"] = {"state": model.state_dict(),
                                       "history": {"loss": history["loss"],
                                                   "grad_norm": history["grad_norm"]}}
    return NORM_RUNS, runs


RECIPES: dict[str, Callable[[bool], tuple[dict, dict]]] = {
    "ch08_translators": _translator_recipe("ch08_translators"),
    "ch08_long": _translator_recipe("ch08_long"),
    "ch08_context": _translator_recipe("ch08_context"),
    "ch10_translators": _translator_recipe("ch10_translators"),
    "ch10_recall": _ch10_recall,
    "ch10_norms": _ch10_norms,
    "ch14_positions": _ch14,
}


def regenerate(name: str, *, progress: bool = True) -> None:
    """Train every run of recipe ``name`` and store it (replacing the stored weights)."""
    if name not in RECIPES:
        raise ValueError(f"name must be one of {sorted(RECIPES)}, got {name!r}")
    with torch.inference_mode(False):
        recipe, runs = RECIPES[name](progress)
    save_checkpoint(name, dict(recipe), runs)


def load_runs(name: str, build: Callable[[str], nn.Module]) -> dict[str, tuple[nn.Module, dict]]:
    """The stored runs of ``name`` as ``key → (model in eval mode, history)``;
    ``build(key)`` makes the fresh model whose weights are loaded."""
    out = {}
    for key, run in load_checkpoint(name)["runs"].items():
        model = build(key)
        model.load_state_dict(run["state"])
        out[key] = (model.eval(), run["history"])
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", choices=sorted(RECIPES))
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.names:
        regenerate(name)
