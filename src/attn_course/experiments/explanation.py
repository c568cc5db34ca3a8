"""Chapter 16, part 2: are attention weights explanations?

On :func:`attn_course.data.sentiment.sentiment_task` the tokens that decide the label are
known. A small Transformer classifier (:class:`attn_course.models.token_models.TokenTransformer`,
read at the class token) is trained on it, and four per-token importance scores are
compared with the truth:

- **attention**: the class token's weights in the last layer, averaged over heads;
- **rollout** (Abnar & Zuidema 2020, chapter 12): the weights multiplied through the layers;
- **gradient × input**: ``|∂ log p(y) / ∂e_j · e_j|`` for the embedding ``e_j`` of token ``j``;
- **leave-one-out**: ``|log p(y) − log p(y | token j replaced by a neutral word)|``.

Agreement with the truth is the rank-biserial correlation ``2·AUC − 1`` per sequence (1: every
important token ranks above every other one; 0: chance), averaged over sequences.

Two constructions test whether the weights are *needed* to get the output:
:func:`adversarial_rows` searches, per sequence, for another last-layer attention row that
leaves the prediction unchanged while avoiding the important tokens (Jain & Wallace 2019);
:func:`train_classifier` with ``avoid=λ`` trains a whole model penalised for attending to
them (a model-level adversary, as Wiegreffe & Pinter 2019 ask for).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ..data.sentiment import N_NEG, N_POS, SentimentTask, sentiment_task
from ..experiments.vit import attention_rollout
from ..models.token_models import TokenTransformer
from ..tools.training import train

__all__ = ["EXPLAIN", "adversarial_rows", "importance_scores", "rank_agreement",
           "train_classifier"]

EXPLAIN: dict[str, Any] = {
    "length": 16,
    "model": dict(d_model=32, n_heads=2, d_ff=64, positional="learned", norm_first=True),
    "train": dict(steps=150, batch_size=32, lr=3e-3),
}
NEUTRAL = N_POS + N_NEG  # the id that replaces a token in leave-one-out


def _mass_on(weights: Tensor, important: Tensor) -> Tensor:
    """Mean (over heads) share of the class token's last-layer weight on important tokens,
    per sequence: ``weights (B, L, H, N+1, N+1)``, ``important (B, N)`` → ``(B,)``."""
    row = weights[:, -1, :, 0, 1:]  # (B, H, N)
    return (row * important[:, None].to(row.dtype)).sum(-1).mean(-1)


def train_classifier(n_layers: int, seed: int, *, avoid: float = 0.0, progress: bool = True
                     ) -> TokenTransformer:
    """A :class:`~attn_course.models.token_models.TokenTransformer` of ``EXPLAIN``'s size
    trained on fresh sentiment sequences; ``avoid > 0`` adds ``avoid ·`` (last-layer
    class-token weight on the important tokens) to the loss."""
    n, rec = EXPLAIN["length"], EXPLAIN["train"]
    torch.manual_seed(seed)
    model = TokenTransformer(sentiment_task(1, n, seed=0).vocab_size, 2, n_layers=n_layers,
                             max_len=n + 1, **EXPLAIN["model"])

    def batch(step: int) -> SentimentTask:
        return sentiment_task(rec["batch_size"], n, seed=10_000 * seed + step)

    def loss_fn(m: TokenTransformer, task: SentimentTask) -> Tensor:
        logits, w = m(task.tokens, need_weights=avoid > 0)
        loss = F.cross_entropy(logits[:, 0], task.labels)
        if avoid > 0:
            loss = loss + avoid * _mass_on(w, task.important).mean()
        return loss

    train(model, batch, loss_fn, rec["steps"], rec["lr"], seed=seed, progress=progress,
          desc=f"{n_layers} layer{'s' if n_layers > 1 else ''}, seed {seed}"
               + (", avoiding" if avoid else ""))
    return model


def _logp(model: TokenTransformer, tokens: Tensor, labels: Tensor) -> Tensor:
    logits, _ = model(tokens)
    return logits[:, 0].log_softmax(-1).gather(1, labels[:, None])[:, 0]  # (B,)


def importance_scores(model: TokenTransformer, task: SentimentTask) -> dict[str, Tensor]:
    """The four importance scores of every word, ``(n, N)`` each (see the module docstring)."""
    model.eval()
    with torch.no_grad():
        _, w = model(task.tokens, need_weights=True)  # (n, L, H, N+1, N+1)
    scores = {"attention": w[:, -1, :, 0, 1:].mean(1),
              "rollout": attention_rollout(w)[:, 0, 1:]}
    e = model.embed(task.tokens).detach().requires_grad_(True)  # (n, N+1, d_model)
    x, _ = model.encoder(model.pos(e))
    logp = model.readout(x)[:, 0].log_softmax(-1).gather(1, task.labels[:, None]).sum()
    (grad,) = torch.autograd.grad(logp, e)
    scores["gradient × input"] = (grad * e).sum(-1).abs()[:, 1:].detach()
    with torch.no_grad():
        base = _logp(model, task.tokens, task.labels)
        loo = []
        for j in range(1, task.tokens.shape[1]):
            t = task.tokens.clone()
            t[:, j] = NEUTRAL
            loo.append((base - _logp(model, t, task.labels)).abs())
    scores["leave-one-out"] = torch.stack(loo, 1)
    return scores


def rank_agreement(score: Tensor, important: Tensor) -> float:
    """Mean over rows of the rank-biserial correlation ``2·AUC − 1`` between ``score (n, N)``
    and the boolean truth ``important (n, N)``; rows with no important or no other token
    are skipped. Ties count one half."""
    if score.shape != important.shape:
        raise ValueError(f"score and important must have the same shape, got "
                         f"{tuple(score.shape)} and {tuple(important.shape)}")
    vals = []
    for s, t in zip(score, important):
        pos, neg = s[t], s[~t]
        if pos.numel() == 0 or neg.numel() == 0:
            continue
        diff = pos[:, None] - neg[None, :]
        auc = float(((diff > 0).float() + 0.5 * (diff == 0).float()).mean())
        vals.append(2 * auc - 1)
    return float(sum(vals) / len(vals)) if vals else float("nan")


def _last_layer_with_row(model: TokenTransformer, tokens: Tensor, row: Tensor) -> Tensor:
    """Class-token logits when the last layer's class-token attention row is ``row (B, H, N+1)``
    (pre-norm blocks; everything else as the model computes it)."""
    x = model.pos(model.embed(tokens))  # (B, N+1, d_model)
    layers = model.encoder.layers
    for layer in layers[:-1]:
        x, _ = layer(x, need_weights=False)
    last = layers[-1]
    attn = last.self_attn
    h = last.norm1(x)
    v = attn.split_heads(attn.W_v(h))  # (B, H, N+1, d_k)
    mixed = (row[:, :, None, :] @ v)[:, :, 0]  # (B, H, d_k): the class token's mix of values
    cls = x[:, 0] + attn.W_o(mixed.flatten(1))  # (B, d_model)
    cls = cls + last.ff(last.norm2(cls))
    if model.encoder.norm is not None:
        cls = model.encoder.norm(cls)
    return model.readout(cls)  # (B, 2)


def adversarial_rows(model: TokenTransformer, task: SentimentTask, *, steps: int = 200,
                     penalty: float = 1000.0, lr: float = 0.1) -> dict[str, float]:
    """Per sequence, search for a last-layer class-token attention row (every head) that puts
    as little weight as possible on the important tokens while keeping ``p(label 1)`` —
    gradient descent on ``mass + penalty · Δp²`` over the row's logits.

    Returns the mean weight on the important tokens before and after, the mean and largest
    change of ``p(label 1)``, the share of unchanged decisions and the mean total-variation
    distance between the rows.
    """
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    try:
        with torch.no_grad():
            logits, w = model(task.tokens, need_weights=True)
            p0 = logits[:, 0].softmax(-1)[:, 1]
        orig = w[:, -1, :, 0]  # (B, H, N+1)
        imp = torch.cat([torch.zeros_like(task.important[:, :1]), task.important], 1)  # (B, N+1)
        theta = orig.clamp_min(1e-9).log().clone().requires_grad_(True)
        opt = torch.optim.Adam([theta], lr=lr)
        for _ in range(steps):
            row = theta.softmax(-1)
            p = _last_layer_with_row(model, task.tokens, row).softmax(-1)[:, 1]
            mass = (row * imp[:, None]).sum(-1).mean(-1)  # (B,)
            loss = (mass + penalty * (p - p0) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            row = theta.softmax(-1)
            p = _last_layer_with_row(model, task.tokens, row).softmax(-1)[:, 1]
            sanity = (_last_layer_with_row(model, task.tokens, orig).softmax(-1)[:, 1] - p0)
    finally:
        for q in model.parameters():
            q.requires_grad_(True)
    return {"mass_before": float((orig * imp[:, None]).sum(-1).mean()),
            "mass_after": float((row * imp[:, None]).sum(-1).mean()),
            "dp_mean": float((p - p0).abs().mean()), "dp_max": float((p - p0).abs().max()),
            "same_decision": float(((p > 0.5) == (p0 > 0.5)).float().mean()),
            "tv": float(0.5 * (row - orig).abs().sum(-1).mean()),
            "reconstruction_error": float(sanity.abs().max())}
