"""Positions measured (chapter 14): score profiles by offset, and which method extrapolates.

:func:`offset_profile` is the score between two positions as a function of their offset,
for the sinusoidal table, RoPE and ALiBi (the chapter's playground computes the same in
the browser). :func:`train_position_model` trains a
:class:`attn_course.models.positions.PositionModel` on the repeat task
(:func:`attn_course.data.tasks.make_repeat_task`) at one length, and
:func:`evaluate_lengths` tests it at others; :func:`attention_near` measures how much of its
attention stays on the few nearest keys the task needs as sequences grow.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..core.positions import alibi_slopes
from ..data.tasks import make_repeat_task
from ..models.positions import PositionModel
from ..tools.training import minibatches, train

__all__ = ["attention_near", "evaluate_lengths", "offset_profile", "train_position_model"]


def offset_profile(method: str, offsets: np.ndarray, *, d_model: int = 64,
                   base: float = 10000.0, content: np.ndarray | None = None,
                   n_heads: int = 8, head: int = 0) -> np.ndarray:
    """The score between two positions as a function of their offset ``Δ = n − m``.

    - ``"sinusoidal"``: ``PE(m) · PE(m + Δ) / (d/2) = mean_i cos(ω_i Δ)`` (the same for every m);
    - ``"rope"``: ``R_m c · R_{m+Δ} c / |c|²`` for a content vector ``c`` (the same token at
      both positions; default all ones), ``= Σ_i |c_i|² cos(ω_i Δ) / |c|²`` over pairs ``i``;
    - ``"alibi"``: ``−slope_head · |Δ|``.

    Returns ``(len(offsets),)`` float64. The chapter's playground computes the same in JS.
    """
    offs = np.asarray(offsets, dtype=np.float64)
    if method == "alibi":
        return -float(alibi_slopes(n_heads)[head]) * np.abs(offs)
    if d_model % 2:
        raise ValueError(f"d_model must be even, got {d_model}")
    omega = base ** (-np.arange(0, d_model, 2, dtype=np.float64) / d_model)  # (d/2,)
    cos = np.cos(offs[:, None] * omega)  # (len, d/2)
    if method == "sinusoidal":
        return cos.mean(axis=1)
    if method == "rope":
        c = np.ones(d_model) if content is None else np.asarray(content, dtype=np.float64)
        if c.shape != (d_model,):
            raise ValueError(f"content must have shape ({d_model},), got {c.shape}")
        w = c[0::2] ** 2 + c[1::2] ** 2  # (d/2,) energy of each rotating pair
        return cos @ w / w.sum()
    raise ValueError(f"method must be 'sinusoidal', 'rope' or 'alibi', got {method!r}")


def train_position_model(method: str, *, length: int = 32, steps: int = 300, seed: int = 0,
                         vocab: int = 6, window: int = 4, progress: bool = True,
                         stop_after: int | None = None,
                         **model_kw: int) -> tuple[PositionModel, dict[str, list[float]]]:
    """Train a :class:`attn_course.models.positions.PositionModel` with ``method`` on the
    repeat task at one ``length``; ``stop_after`` ends the run early (to check the start of
    a stored run against its recorded losses)."""
    torch.manual_seed(seed)
    model = PositionModel(vocab, 2, method, **model_kw)
    tokens, labels = make_repeat_task(2048, length, vocab=vocab, window=window, seed=seed)

    def loss_fn(m: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
        x, y = batch
        return F.cross_entropy(m(x).flatten(0, 1), y.flatten())

    history = train(model, minibatches(tokens, labels, batch_size=32, seed=seed), loss_fn,
                    steps, 3e-3, seed=seed, progress=progress, desc=f"{method}",
                    on_step=None if stop_after is None else lambda s, _: s + 1 >= stop_after)
    return model, history


@torch.no_grad()
def evaluate_lengths(model: PositionModel, lengths: list[int], *, vocab: int = 6,
                     window: int = 4, n_seq: int = 256, seed: int = 1) -> dict[int, float]:
    """Per-position accuracy on fresh sequences of each length (same rule, new seed)."""
    model.eval()
    out = {}
    for n in lengths:
        tokens, labels = make_repeat_task(n_seq, n, vocab=vocab, window=window, seed=seed + n)
        out[n] = float((model(tokens).argmax(-1) == labels).float().mean())
    return out


@torch.no_grad()
def attention_near(model: PositionModel, lengths: list[int], *, max_offset: int = 4,
                   first_query: int = 16, vocab: int = 6, n_seq: int = 64,
                   seed: int = 7) -> dict[int, list[float]]:
    """Share of the attention that stays on keys ``0 … max_offset`` positions back.

    For each length ``n``: fresh repeat-task sequences ``(n_seq, n)``; for every layer, the
    attention weights ``(B, H, n, n)`` summed over the keys ``j`` with
    ``0 ≤ i − j ≤ max_offset``, averaged over heads, sequences and the queries
    ``i ≥ first_query`` (queries with enough past to be diluted). Returns
    ``{n: [share in layer 1, share in layer 2, …]}``.
    """
    if not 0 <= first_query < min(lengths):
        raise ValueError(f"first_query must lie in [0, min(lengths)={min(lengths)}), "
                         f"got {first_query}")
    model.eval()
    out = {}
    for n in lengths:
        tokens, _ = make_repeat_task(n_seq, n, vocab=vocab, seed=seed + n)
        x = model.method.add_to_input(model.embed(tokens))  # (B, n, d_model)
        _, weights = model.encoder(x, is_causal=True, need_weights=True)  # (B, L, H, n, n)
        i = torch.arange(n)
        offset = i[:, None] - i[None, :]  # (n, n): query minus key
        near = (offset >= 0) & (offset <= max_offset)
        share = (weights * near).sum(-1)[..., first_query:]  # (B, L, H, n - first_query)
        out[n] = share.mean(dim=(0, 2, 3)).tolist()  # one number per layer
    return out
