"""Chapter 15's experiments: train and load the course's language models, time decoding with
and without the KV cache, measure cache memory, and convert multi-head attention to
grouped-query attention.

The models are trained by this module (``python -m attn_course.experiments.language_model``,
or ``scripts/make_lm_weights.py``, rebuilds ``attn_course/data/gpt_pydocs.pt``, 2.1 MB, in
about five minutes of one CPU thread):

- ``"main"``: the chapter's model, ``MAIN`` (a 2-layer, 64-wide character GPT with four
  heads, 106 240 parameters), trained on the Python documentation's prose
  (:mod:`attn_course.data.text`);
- ``"mha-s"``, ``"gqa-s"``, ``"mqa-s"`` for seeds 0, 1, 2: small 2-layer models, identical
  but for their number of key/value heads (4, 2, 1), trained for the same steps
  (``COMPARE``).

The file keeps each model's weights in float16 (what the chapter loads and evaluates), its
configuration, its training loss per step and the corpus fingerprint it was trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..data.text import CharTokenizer, corpus_fingerprint, lm_batch, load_corpus
from ..layers.kv_cache import KVCache, cache_bytes
from ..models.gpt import GPT
from ..models.gpt_decode import DecodePlan
from ..tools.measure import allocated_bytes, storage_bytes, time_calls
from ..tools.training import train

__all__ = ["COMPARE", "MAIN", "WEIGHTS_FILE", "cache_memory", "decode_step_times",
           "kv_heads_from", "load_model", "lm_loss", "per_token_times", "train_lm",
           "validation_loss"]

WEIGHTS_FILE = "gpt_pydocs.pt"
MAIN: dict[str, Any] = {
    "model": dict(d_model=64, n_heads=4, n_layers=2, max_len=256),
    "train": dict(steps=1000, batch_size=16, context=128, lr=3e-3, warmup=50, weight_decay=0.1,
                  seed=0),
}
COMPARE: dict[str, Any] = {
    "model": dict(d_model=64, n_heads=4, n_layers=2, max_len=128),
    "kv_heads": {"mha-s": 4, "gqa-s": 2, "mqa-s": 1},
    "seeds": (0, 1, 2),
    "train": dict(steps=400, batch_size=16, context=64, lr=3e-3, warmup=30, weight_decay=0.1),
}


def lm_loss(model: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
    """Mean next-token cross-entropy (nats per token) of ``batch = (inputs, targets)``,
    both ``(B, N)``: :func:`attn_course.tools.training.train`'s ``loss_fn`` for a language model."""
    x, y = batch
    logits = model(x)  # (B, N, V)
    return F.cross_entropy(logits.flatten(0, 1), y.flatten())  # over B·N tokens


def train_lm(model: GPT, ids: Tensor, *, steps: int, batch_size: int, context: int, lr: float,
             warmup: int = 0, weight_decay: float = 0.0, seed: int, progress: bool = True,
             desc: str = "training") -> dict[str, list[float]]:
    """Train ``model`` on random windows of the token stream ``ids`` (``(n,)``) with the package's
    one training loop: AdamW, linear warm-up, cosine decay, gradients clipped at 1."""
    g = torch.Generator().manual_seed(seed)
    return train(model, lambda step: lm_batch(ids, batch_size, context, g), lm_loss, steps, lr,
                 seed=seed, warmup=warmup, weight_decay=weight_decay, schedule="cosine",
                 clip=1.0, progress=progress, desc=desc)


@torch.no_grad()
def validation_loss(model: nn.Module, ids: Tensor, *, context: int, batch_size: int = 32) -> float:
    """Mean next-token cross-entropy (nats per token) over consecutive non-overlapping
    windows of ``context`` tokens covering ``ids`` (every token predicted once)."""
    n_win = (ids.numel() - 1) // context
    if n_win < 1:
        raise ValueError(f"ids (shape {tuple(ids.shape)}) must hold more than context={context} "
                         "tokens")
    starts = torch.arange(n_win) * context  # (W,)
    total, count = 0.0, 0
    was_training = model.training
    model.eval()
    for i in range(0, n_win, batch_size):
        idx = starts[i:i + batch_size, None] + torch.arange(context + 1)  # (b, context + 1)
        window = ids[idx]
        logits = model(window[:, :-1])  # (b, context, V)
        total += float(F.cross_entropy(logits.flatten(0, 1), window[:, 1:].flatten(),
                                       reduction="sum"))
        count += window[:, 1:].numel()
    model.train(was_training)
    return total / count


# --- the shipped weights -------------------------------------------------------------------

def _weights_path() -> Path:
    return Path(str(resources.files("attn_course.data").joinpath(WEIGHTS_FILE)))


def load_model(name: str = "main", seed: int = 0) -> tuple[GPT, dict[str, Any]]:
    """A shipped model (see the module docstring) and its record.

    Args:
        name: ``"main"``, ``"mha-s"``, ``"gqa-s"`` or ``"mqa-s"``; seed: 0, 1 or 2 for the
            small models.

    Returns:
        ``(model, record)``: the GPT in eval mode (float32 copies of the stored float16
        weights) and a dict with ``"config"``, ``"train"`` (the recipe), ``"history"`` (loss
        per step), ``"alphabet"`` and ``"fingerprint"`` (of the corpus it was trained on).
    """
    store = torch.load(_weights_path(), weights_only=True)
    key = name if name == "main" else f"{name}/{seed}"
    if key not in store["models"]:
        raise ValueError(f"no shipped model {key!r}; there are {sorted(store['models'])}")
    rec = store["models"][key]
    model = GPT(len(store["alphabet"]), **rec["config"])
    model.load_state_dict({k: v.float() for k, v in rec["state"].items()})
    model.eval()
    return model, {**{k: v for k, v in rec.items() if k != "state"},
                   "alphabet": store["alphabet"], "fingerprint": store["fingerprint"]}


def shipped_models() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Every shipped model's key → ``(config, training recipe)``."""
    jobs = {"main": (MAIN["model"], MAIN["train"])}
    for name, n_kv in COMPARE["kv_heads"].items():
        for seed in COMPARE["seeds"]:
            jobs[f"{name}/{seed}"] = ({**COMPARE["model"], "n_kv_heads": n_kv},
                                      {**COMPARE["train"], "seed": seed})
    return jobs


def make_weights(path: str | Path | None = None, *, keys: Sequence[str] | None = None,
                 progress: bool = True) -> Path:
    """Train the shipped models (all, or those in ``keys``) and write them into the file,
    keeping the models it already holds (what ``python -m`` runs). Training is seeded and
    runs on one thread, so a rerun with the same torch writes the same weights."""
    corpus = load_corpus()
    tok = CharTokenizer.ascii()
    ids = tok.encode(corpus.train)
    jobs = shipped_models()
    keys = list(jobs) if keys is None else list(keys)
    unknown = sorted(set(keys) - set(jobs))
    if unknown:
        raise ValueError(f"unknown model keys {unknown}; the shipped ones are {sorted(jobs)}")
    models: dict[str, Any] = {}
    for key in keys:
        config, recipe = jobs[key]
        torch.manual_seed(recipe["seed"])
        model = GPT(tok.vocab_size, **config)
        hist = train_lm(model, ids, progress=progress, desc=key, **recipe)
        models[key] = {"config": config, "train": recipe,
                       "history": torch.tensor(hist["loss"], dtype=torch.float16),
                       "state": {k: v.half() for k, v in model.state_dict().items()}}
    path = _weights_path() if path is None else Path(path)
    fingerprint = corpus_fingerprint(corpus)
    if path.exists():
        old = torch.load(path, weights_only=True)
        if old["fingerprint"] == fingerprint and old["alphabet"] == tok.alphabet:
            models = {**old["models"], **models}
    torch.save({"alphabet": tok.alphabet, "fingerprint": fingerprint,
                "models": {k: models[k] for k in jobs if k in models}}, path)
    return path


# --- decoding speed and cache memory -------------------------------------------------------

def per_token_times(model: GPT, ids: Tensor, positions: Sequence[int], *, repeats: int = 5,
                    threads: int | None = 1, stat: str = "median", lean: bool = True
                    ) -> dict[str, list[float]]:
    """Seconds to produce the token after position ``t − 1``, for each ``t`` in ``positions``.

    ``"uncached"``: one forward pass over ``ids[:, :t]`` (a step of generation without a
    cache). ``"cached"``: one decoding step, ``ids[:, t−1]`` against ``t − 1`` cached tokens.
    ``lean`` (what :meth:`attn_course.GPT.generate` runs): both through one
    :class:`~attn_course.models.gpt_decode.DecodePlan`, else through the modules. Medians (or
    with ``stat="min"`` the best, which resists load) of ``repeats`` calls, round-robin.
    """
    out: dict[str, list[float]] = {"uncached": [], "cached": []}
    cache = model.new_cache(ids.shape[0], capacity=max(positions))
    with torch.no_grad():
        run = DecodePlan(model, max(positions)).logits if lean else (
            lambda idx, cache=None: model(idx, cache=cache))
        for t in positions:
            cache.truncate(0)
            run(ids[:, :t - 1], cache)  # fill the cache with the t − 1 earlier tokens

            def step(t: int = t) -> Tensor:
                cache.truncate(t - 1)
                return run(ids[:, t - 1:t], cache)

            times = time_calls({"uncached": lambda t=t: run(ids[:, :t]), "cached": step},
                               repeats=repeats, threads=threads, stat=stat)
            out["uncached"].append(times["uncached"])
            out["cached"].append(times["cached"])
    return out


def decode_step_times(model: GPT, lengths: Sequence[int], *, repeats: int = 5,
                      threads: int | None = 1, seed: int = 0, stat: str = "median",
                      lean: bool = True) -> list[float]:
    """Seconds of one cached decoding step with ``t`` positions in the cache, per ``t``
    (``stat`` and ``lean`` as in :func:`per_token_times`).

    The cache holds random keys and values (a step's time does not depend on them), which
    reaches lengths far beyond what the model was trained on.
    """
    g = torch.Generator().manual_seed(seed)
    cache = model.new_cache(1, capacity=max(lengths) + 1)
    cache.k.normal_(generator=g)
    cache.v.normal_(generator=g)
    token = torch.zeros(1, 1, dtype=torch.long)
    out = []
    with torch.no_grad():
        run = DecodePlan(model, max(lengths) + 1).logits if lean else (
            lambda idx, cache: model(idx, cache=cache))
        for t in lengths:
            def step(t: int = t) -> Tensor:
                cache.truncate(t)
                return run(token, cache)

            out.append(time_calls({"step": step}, repeats=repeats, threads=threads,
                                  stat=stat)["step"])
    return out


def cache_memory(model: GPT, t: int, *, batch: int = 1, capacity: int | None = None,
                 seed: int = 0) -> dict[str, float]:
    """The bytes of a cache after a prompt of ``t`` tokens for each of ``batch`` sequences:
    by the formula, and measured twice.

    The cache has room for ``capacity`` positions (default ``t``; ``generate`` makes it for
    the prompt plus the new tokens) and is filled by a forward pass over random ids.
    ``"formula"``: ``2 · n_layers · batch · n_kv_heads · d_k · t · 4``. ``"storage"``: the
    distinct storages the filled cache holds (:func:`~attn_course.tools.measure.storage_bytes`:
    spare capacity or a copy of the shared heads would show). ``"allocated"``: what torch's
    allocator gives out and keeps during the pass that makes and fills the cache, minus the
    same for the pass without one (:func:`~attn_course.tools.measure.allocated_bytes`).
    """
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(model.vocab_size, (batch, t), generator=g)
    capacity = t if capacity is None else capacity

    def with_cache() -> tuple[Tensor, KVCache]:
        cache = model.new_cache(batch, capacity=capacity)
        return model(ids, cache=cache), cache

    with torch.no_grad():
        with_cache()  # warm-up: the fused projections and RoPE's tables are made once
        cached, (_, cache) = allocated_bytes(with_cache)
        plain, _ = allocated_bytes(lambda: model(ids))
    return {"formula": float(cache_bytes(model.n_layers, model.n_kv_heads, model.d_k, t,
                                         batch=batch)),
            "storage": float(storage_bytes(cache)),
            "allocated": float(cached - plain)}


# --- from multi-head to grouped-query attention -------------------------------------------

def kv_heads_from(model: GPT, n_kv_heads: int, *, how: str = "mean") -> GPT:
    """A copy of ``model`` with ``n_kv_heads`` key/value heads made from its own (Ainslie et
    al. 2023): each group of ``n_heads / n_kv_heads`` consecutive heads shares one key and
    one value projection, the **mean** of the group's projections (``how="mean"``) or its
    **first** head's (``how="first"``). Everything else is copied.
    """
    if how not in ("mean", "first"):
        raise ValueError(f"how must be 'mean' or 'first', got {how!r}")
    if n_kv_heads < 1 or model.n_kv_heads % n_kv_heads:
        raise ValueError(f"n_kv_heads must divide the model's n_kv_heads={model.n_kv_heads}, "
                         f"got {n_kv_heads}")
    cfg = dict(d_model=model.d_model, n_heads=model.n_heads, n_layers=model.n_layers,
               max_len=model.max_len, n_kv_heads=n_kv_heads, d_ff=model.d_ff)
    new = GPT(model.vocab_size, **cfg)
    state = model.state_dict()
    group = model.n_kv_heads // n_kv_heads
    d_k = model.d_k
    for name, tensor in state.items():
        if name.endswith(("attn.W_k.weight", "attn.W_k.bias", "attn.W_v.weight",
                          "attn.W_v.bias")):
            heads = tensor.view(n_kv_heads, group, d_k, *tensor.shape[1:])  # (H_kv', g, d_k, ...)
            pooled = heads.mean(1) if how == "mean" else heads[:, 0]  # (H_kv', d_k, ...)
            state[name] = pooled.reshape(n_kv_heads * d_k, *tensor.shape[1:])
    new.load_state_dict(state)
    return new.eval()


if __name__ == "__main__":
    import sys

    print(f"wrote {make_weights(keys=sys.argv[1:] or None)}")
