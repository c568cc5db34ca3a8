"""Chapter 16, part 1: induction heads in a small attention-only model.

Train a 2-layer attention-only GPT (:class:`attn_course.GPT` with ``d_ff=0``) on
:func:`attn_course.data.repeats.periodic_sequences` and watch, during training, the
in-context loss (on the second copy of a repeated random segment) together with two
attention scores of every head (Olsson et al. 2022):

- **previous-token score**: the mean weight a query puts on the position just before it;
- **prefix-matching score**: on ``[segment][segment]``, the mean weight a query in the second
  copy puts on the token *after* its own earlier occurrence (position ``i − S + 1``) — where
  an induction head looks;

and, from the weights alone, the **copying score** of a head's output–value circuit: the
eigenvalues ``λ`` of ``W_E W_V W_O W_Uᵀ`` (embedding → the head's value and output maps →
unembedding), ``Σ λ / Σ |λ|`` — near 1 when the head raises the logit of the token it attends
to. Ablating a head (zeroing its output) tests what it is needed for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ..data.repeats import periodic_sequences
from ..models.gpt import GPT
from ..tools.training import train

__all__ = ["INDUCTION", "ONE_LAYER_RECIPE", "copying_scores", "head_scores", "in_context_loss",
           "load_one_layer_runs", "make_one_layer_runs", "train_induction_model"]

INDUCTION: dict[str, Any] = {
    "model": dict(d_model=32, n_heads=2, max_len=48, d_ff=0),
    "data": dict(length=48, vocab_size=32, min_period=8, max_period=24),
    "train": dict(steps=400, batch_size=32, lr=3e-3),
}


def _torch_init(model: GPT) -> GPT:
    """PyTorch's default initialisation (embeddings N(0, 1), linear layers uniform in
    ``±1/√fan_in``) instead of GPT-2's N(0, 0.02): with the small init the attention-only model
    stays on the unigram plateau far longer."""
    for mod in model.modules():
        if isinstance(mod, (torch.nn.Linear, torch.nn.Embedding)):
            mod.reset_parameters()
    return model


def head_scores(weights: Tensor, segment: int) -> dict[str, Tensor]:
    """Previous-token and prefix-matching scores of every head, ``(L, H)`` each.

    Args:
        weights: ``(B, L, H, 2S, 2S)`` attention weights on ``[segment][segment]`` inputs.
        segment: ``S``.
    """
    if weights.dim() != 5 or weights.shape[-1] != 2 * segment or weights.shape[-2] != 2 * segment:
        raise ValueError(f"weights must have shape (B, L, H, 2S, 2S) with S={segment}, got "
                         f"{tuple(weights.shape)}")
    i = torch.arange(segment, 2 * segment)  # queries in the second copy
    j = torch.arange(1, 2 * segment)  # every query with a previous position
    return {"previous": weights[..., j, j - 1].mean(dim=(0, -1)),  # (L, H)
            "prefix": weights[..., i, i - segment + 1].mean(dim=(0, -1))}  # (L, H)


@torch.no_grad()
def copying_scores(model: GPT) -> Tensor:
    """``Σ λ / Σ |λ|`` of each head's OV circuit ``W_E · W_V^h · W_O^h · W_Uᵀ`` — ``(L, H)``.

    The layer norms in front of the head and of the unembedding are left out (the usual
    simplification); the embeddings stand in for the residual stream.
    """
    E = model.embed.weight  # (V, d_model)
    U = model.unembedding  # (V, d_model)
    out = torch.zeros(model.n_layers, model.n_heads)
    group = model.n_heads // model.n_kv_heads
    for l, block in enumerate(model.blocks):
        attn = block.attn
        for h in range(model.n_heads):
            kv = h // group
            W_v = attn.W_v.weight[kv * model.d_k:(kv + 1) * model.d_k]  # (d_k, d_model)
            W_o = attn.W_o.weight[:, h * model.d_k:(h + 1) * model.d_k]  # (d_model, d_k)
            circuit = E @ W_v.T @ W_o.T @ U.T  # (V, V): source token → logits
            lam = torch.linalg.eigvals(circuit)
            out[l, h] = lam.real.sum() / lam.abs().sum()
    return out


@torch.no_grad()
def in_context_loss(model: GPT, tokens: Tensor, segment: int, *,
                    head_mask: Tensor | None = None) -> dict[str, float]:
    """Mean next-token loss on ``[segment][segment]`` inputs ``(B, 2S)``: on the first copy
    (nothing to copy from: ``ln V`` at best) and on the second (predictable in context)."""
    logits = model(tokens[:, :-1], head_mask=head_mask)  # (B, 2S − 1, V)
    loss = F.cross_entropy(logits.transpose(1, 2), tokens[:, 1:], reduction="none")  # (B, 2S − 1)
    return {"first": float(loss[:, :segment - 1].mean()),
            "second": float(loss[:, segment:].mean())}


def train_induction_model(seed: int, *, n_layers: int = 2, probe: Tensor | None = None,
                          segment: int = 20, record_every: int = 25, progress: bool = True,
                          steps: int | None = None) -> tuple[GPT, dict[str, Any]]:
    """Train an attention-only GPT of ``INDUCTION``'s size on periodic sequences (its own
    unembedding, PyTorch's default initialisation).

    With ``probe`` (``[segment][segment]`` tokens), every ``record_every`` steps record the
    in-context loss and the head scores on it.

    ``steps`` overrides the recipe's number of training steps (the one-layer control is also
    trained longer, to its plateau).

    Returns ``(model, record)``: ``record["history"]`` is the training history and
    ``record["probe"]`` a list of ``(step, in_context_loss, scores)``.
    """
    cfg, data, rec = INDUCTION["model"], INDUCTION["data"], INDUCTION["train"]
    torch.manual_seed(seed)
    model = _torch_init(GPT(data["vocab_size"], n_layers=n_layers, tie_embeddings=False, **cfg))
    g = torch.Generator().manual_seed(seed)
    probes: list[tuple[int, dict[str, float], dict[str, Tensor]]] = []

    def batch(step: int) -> Tensor:
        tokens, _ = periodic_sequences(rec["batch_size"], data["length"], data["vocab_size"],
                                       min_period=data["min_period"],
                                       max_period=data["max_period"], generator=g)
        return tokens

    def loss_fn(m: GPT, tokens: Tensor) -> Tensor:
        logits = m(tokens[:, :-1])  # (B, N − 1, V)
        return F.cross_entropy(logits.flatten(0, 1), tokens[:, 1:].flatten())

    def record(step: int) -> None:
        if probe is None:
            return
        with torch.no_grad():
            _, w = model.run(probe, need_weights=True)
        probes.append((step, in_context_loss(model, probe, segment), head_scores(w, segment)))

    def on_step(step: int, loss: float) -> None:
        if (step + 1) % record_every == 0:
            record(step + 1)

    record(0)
    n_steps = rec["steps"] if steps is None else steps
    hist = train(model, batch, loss_fn, n_steps, rec["lr"], seed=seed, progress=progress,
                 desc=f"{n_layers}-layer, seed {seed}", on_step=on_step)
    return model, {"history": hist, "probe": probes}


# --- the one-layer control (Olsson et al.: induction heads need two layers) ---------------
ONE_LAYER_RUNS = Path(__file__).resolve().parents[1] / "data" / "induction_one_layer.json"
ONE_LAYER_RECIPE: dict[str, Any] = {"model": INDUCTION["model"], "data": INDUCTION["data"],
                                    "train": INDUCTION["train"], "n_layers": 1,
                                    "probe": dict(n=64, segment=20, seed=123),
                                    "seeds": [0, 1, 2], "record_every": 25,
                                    "long": {"steps": 2000, "record_every": 100}}


def make_one_layer_runs(path: Path = ONE_LAYER_RUNS, *, progress: bool = True) -> Path:
    """Train the one-layer attention-only control for every seed of ``ONE_LAYER_RECIPE`` (the
    two-layer recipe with one layer: ``runs``; and trained longer, ``runs_long``) and store
    its probe record as JSON (a few kB): per seed the steps, the losses on the two copies and
    the final head scores."""
    from ..data.repeats import repeated_segments

    r = ONE_LAYER_RECIPE
    probe = repeated_segments(r["probe"]["n"], r["probe"]["segment"],
                              r["data"]["vocab_size"], seed=r["probe"]["seed"])
    out: dict[str, Any] = {"recipe": r}
    for key, steps, every in (("runs", None, r["record_every"]),
                              ("runs_long", r["long"]["steps"], r["long"]["record_every"])):
        runs = out[key] = {}
        for seed in r["seeds"]:
            _, rec = train_induction_model(seed, n_layers=1, probe=probe,
                                           segment=r["probe"]["segment"], record_every=every,
                                           progress=progress, steps=steps)
            runs[str(seed)] = {"steps": [s for s, _, _ in rec["probe"]],
                               "first": [round(l["first"], 4) for _, l, _ in rec["probe"]],
                               "second": [round(l["second"], 4) for _, l, _ in rec["probe"]],
                               "previous": rec["probe"][-1][2]["previous"].tolist(),
                               "prefix": rec["probe"][-1][2]["prefix"].tolist()}
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return path


def load_one_layer_runs(path: Path = ONE_LAYER_RUNS) -> dict[str, Any]:
    """The stored one-layer control (``scripts/make_induction_control.py`` rebuilds it);
    a ``ValueError`` if it was made with another recipe than ``ONE_LAYER_RECIPE``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data["recipe"] != json.loads(json.dumps(ONE_LAYER_RECIPE)):
        raise ValueError(f"{path} was made with another recipe: run "
                         "scripts/make_induction_control.py")
    return data
