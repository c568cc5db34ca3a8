"""The Transformer block measured (chapter 10): post- vs pre-norm, and a Transformer against
a GRU of the same size on associative recall.

- :func:`norm_model` / :func:`train_norm_model`: a 6-layer causal Transformer on
  associative recall with post-norm or pre-norm blocks, with or without warm-up;
  :func:`layer_grad_norms` is the measurement behind Xiong et al.'s explanation — the
  gradient norm of each layer's feed-forward output matrix ``W_2`` at initialisation.
- :func:`recall_model` / :func:`train_recall_model`: the two contestants (2 pre-norm
  blocks, or a GRU with 60 state numbers) at a given budget; :func:`recall_accuracy` and
  :func:`recall_loss` score them on fresh lists.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..data.tasks import associative_recall, recall_batches
from ..models.token_models import RecurrentBaseline, TokenTransformer
from ..tools.seed import set_seed
from ..tools.training import masked_accuracy, token_cross_entropy, train

__all__ = ["N_KEYS", "N_VALUES", "RECALL", "layer_grad_norms", "norm_model", "recall_accuracy",
           "recall_loss", "recall_model", "train_norm_model", "train_recall_model"]

N_KEYS, N_VALUES = 16, 10
VOCAB = N_KEYS * (N_VALUES + 1)
RECALL = {"pairs": (2, 16), "batch_size": 64, "lr": 1e-2, "warmup": 20, "schedule": "cosine"}
NORMS = {"pairs": (2, 8), "batch_size": 32, "lr": 1e-2, "n_layers": 6}


def norm_model(norm_first: bool, *, n_layers: int = 6, seed: int = 0) -> TokenTransformer:
    """The model of the post-/pre-norm comparison: ``n_layers`` causal blocks, width 32,
    2 heads, no positions (the facts' order does not matter)."""
    set_seed(seed)
    return TokenTransformer(VOCAB, N_VALUES, d_model=32, n_heads=2, d_ff=64, n_layers=n_layers,
                            max_len=16, positional=None, causal=True, norm_first=norm_first)


def train_norm_model(norm_first: bool, warmup: int, *, seed: int = 0, steps: int = 400,
                     stop_after: int | None = None, progress: bool = True
                     ) -> tuple[TokenTransformer, dict[str, list[float]]]:
    """Train :func:`norm_model` with AdamW at learning rate 1e-2 (constant after ``warmup``
    linear warm-up steps) on lists of 2 to 8 facts."""
    model = norm_model(norm_first, n_layers=NORMS["n_layers"], seed=seed)
    batches = recall_batches(NORMS["batch_size"], NORMS["pairs"], seed=seed, n_keys=N_KEYS,
                             n_values=N_VALUES)
    name = ("pre" if norm_first else "post") + f"-norm, warm-up {warmup}"
    history = train(model, batches, token_cross_entropy, steps, NORMS["lr"], warmup=warmup,
                    seed=seed, progress=progress, desc=name,
                    on_step=None if stop_after is None else lambda s, _: s + 1 >= stop_after)
    return model, history


def layer_grad_norms(norm_first: bool, *, n_layers: int = 6, seeds: tuple[int, ...] = (0, 1, 2),
                     n_batches: int = 4) -> np.ndarray:
    """``‖∂L/∂W_2‖`` of each layer's feed-forward output matrix at initialisation.

    Returns ``(len(seeds), n_layers)``: per seed, the norm averaged over ``n_batches``
    batches of lists of 2–8 facts (layer 1 is the one nearest the input).
    """
    out = np.zeros((len(seeds), n_layers))
    for s, seed in enumerate(seeds):
        model = norm_model(norm_first, n_layers=n_layers, seed=seed)
        batches = recall_batches(NORMS["batch_size"], NORMS["pairs"], seed=seed, n_keys=N_KEYS,
                                 n_values=N_VALUES)
        for step in range(n_batches):
            model.zero_grad()
            token_cross_entropy(model, batches(step)).backward()
            for i, layer in enumerate(model.encoder.layers):
                out[s, i] += float(layer.ff.linear2.weight.grad.norm()) / n_batches
    return out


def recall_model(kind: str, *, seed: int = 0) -> nn.Module:
    """``"transformer"``: 2 pre-norm causal blocks (width 32, 2 heads, learned positions);
    ``"gru"``: the same embedding and read-out around a GRU with 60 state numbers."""
    set_seed(seed)
    if kind == "transformer":
        return TokenTransformer(VOCAB, N_VALUES, d_model=32, n_heads=2, d_ff=64, n_layers=2,
                                max_len=20, positional="learned", causal=True, norm_first=True)
    if kind == "gru":
        return RecurrentBaseline(VOCAB, N_VALUES, d_embed=32, hidden=60, kind="gru")
    raise ValueError(f"kind must be 'transformer' or 'gru', got {kind!r}")


def train_recall_model(kind: str, steps: int, *, seed: int = 0, stop_after: int | None = None,
                       progress: bool = True) -> tuple[nn.Module, dict[str, list[float]]]:
    """Train :func:`recall_model` for ``steps`` steps of AdamW (learning rate 1e-2, 20 warm-up
    steps, cosine decay over ``steps``) on batches of 64 lists of 2–16 facts."""
    model = recall_model(kind, seed=seed)
    batches = recall_batches(RECALL["batch_size"], RECALL["pairs"], seed=seed, n_keys=N_KEYS,
                             n_values=N_VALUES)
    history = train(model, batches, token_cross_entropy, steps, RECALL["lr"],
                    warmup=RECALL["warmup"], schedule=RECALL["schedule"], seed=seed,
                    progress=progress, desc=f"{kind}, {steps} steps, seed {seed}",
                    on_step=None if stop_after is None else lambda s, _: s + 1 >= stop_after)
    return model, history


@torch.no_grad()
def recall_accuracy(model: nn.Module, n_facts: list[int], *, n: int = 500) -> list[float]:
    """Accuracy on ``n`` fresh lists of each length (four questions each; fewer if shorter)."""
    model.eval()
    out = []
    for k in n_facts:
        tokens, targets = associative_recall(n, k, n_keys=N_KEYS, n_values=N_VALUES,
                                             n_queries=min(4, k), seed=1000 + k)
        out.append(masked_accuracy(model(tokens)[0], targets))
    return out


@torch.no_grad()
def recall_loss(model: nn.Module, *, pairs: tuple[int, int] = (2, 8), n_batches: int = 8,
                seed: int = 12345) -> float:
    """Mean cross-entropy on ``n_batches`` fresh batches of 64 lists (held out)."""
    model.eval()
    batches = recall_batches(64, pairs, seed=seed, n_keys=N_KEYS, n_values=N_VALUES)
    return float(np.mean([float(token_cross_entropy(model, batches(i)))
                          for i in range(n_batches)]))
