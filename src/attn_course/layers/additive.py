"""Attention with a named score as a ``torch.nn.Module`` (chapter 8): Bahdanau's and Luong's.

``weights = softmax(score(query, keys))`` and ``context = weights · values``, where the
score is one of :mod:`attn_course.core.scores`, computed by its dispatcher
:func:`attn_course.core.scores.score`. The two classes share that forward pass and differ
only in how they hold their parameters:

- :class:`ScoreAttention` — Luong et al.'s comparison (``"dot"``, ``"general"``,
  ``"additive"``): matrices used on the right (``x @ W``), drawn from ``N(0, 1/d)``;
- :class:`AdditiveAttention` — Bahdanau et al.'s additive score
  ``w_vᵀ tanh(q W_q + k W_k)`` with its parameters as ``torch.nn.Linear`` layers
  (torch's initialisation), the module of the attentive RNN decoder.

Shapes: ``query (B, n_q, d_q)`` or ``(B, d_q)`` (one query per sequence); ``keys
(B, n_k, d_k)``; ``values (B, n_k, d_v)`` (defaults to ``keys``) → ``context (B, n_q, d_v)``
(or ``(B, d_v)``) and ``weights (B, n_q, n_k)`` (or ``(B, n_k)``). ``mask`` is boolean,
broadcastable to the weights, **True = may attend**.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._backend import as_like, check_module_input
from ..core.scores import SCORE_PARAMETERS, score
from ..core.softmax import softmax

__all__ = ["AdditiveAttention", "ScoreAttention"]


class _ScoredAttention(nn.Module):
    """The forward pass both classes share; a subclass says which score and its parameters."""

    kind: str

    def score_params(self) -> dict[str, Tensor]:
        """The parameters :func:`attn_course.core.scores.score` needs, as right-hand matrices."""
        raise NotImplementedError

    def forward(
        self, query: Tensor, keys: Tensor, values: Tensor | None = None, *,
        mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """``(context, weights)``; see the module docstring for the shapes.

        No keys (``n_k = 0``) or a fully masked row gives a zero context; the mask follows
        :func:`attn_course.core.masks.check_mask`.

        Raises:
            ValueError: naming the argument: inputs that are not tensors of the parameters'
                dtype, shapes that do not fit (keys and values of another batch or length),
                or a bad mask.
        """
        values = keys if values is None else values
        weight = next(iter(self.score_params().values()), None)
        for name, t in (("query", query), ("keys", keys), ("values", values)):
            if weight is not None:
                check_module_input(name, t, weight)
            elif not isinstance(t, Tensor) or not t.is_floating_point():
                raise ValueError(f"{name} must be a floating-point torch.Tensor, got "
                                 f"{type(t).__name__} {getattr(t, 'dtype', '')}")
        if keys.dim() < 2 or query.dim() not in (keys.dim() - 1, keys.dim()):
            raise ValueError(f"keys must have shape (B, n_k, d_k) and query (B, n_q, d_q) or "
                             f"(B, d_q): got query {tuple(query.shape)}, keys {tuple(keys.shape)}")
        if values.shape[:-1] != keys.shape[:-1]:
            raise ValueError(
                f"keys and values must share the batch and the length n_k: keys "
                f"{tuple(keys.shape)}, values {tuple(values.shape)}"
            )
        single = query.dim() == keys.dim() - 1
        if single:
            query = query.unsqueeze(-2)  # (B, 1, d_q)
        if query.shape[:-2] != keys.shape[:-2]:
            raise ValueError(f"query and keys must share the batch axes: query "
                             f"{tuple(query.shape)}, keys {tuple(keys.shape)}")
        scores = score(self.kind, query, keys, self.score_params())  # (B, n_q, n_k)
        if mask is not None and single:
            mask = as_like(mask, scores, name="mask")
            if mask.dim() == scores.dim() - 1:
                mask = mask.unsqueeze(-2)  # (B, 1, n_k)
        weights = softmax(scores, axis=-1, mask=mask)  # (B, n_q, n_k)
        context = weights @ values  # (B, n_q, d_v)
        if single:
            return context.squeeze(-2), weights.squeeze(-2)
        return context, weights


class ScoreAttention(_ScoredAttention):
    """Attention whose score is ``kind``: ``"dot"`` (``q·k``), ``"general"`` (``q W kᵀ``) or
    ``"additive"`` (``w_vᵀ tanh(q W_q + k W_k)``), for queries and keys of size ``d``
    (the additive hidden size is ``d`` too).

    Parameters are used on the right and drawn from ``N(0, 1/d)``: ``W (d, d)``;
    ``W_q, W_k (d, d)`` and ``w_v (d,)``.
    """

    def __init__(self, kind: str, d: int) -> None:
        super().__init__()
        if kind not in ("dot", "general", "additive"):
            raise ValueError(f"kind must be 'dot', 'general' or 'additive', got {kind!r}")
        self.kind = kind
        if kind == "general":
            self.W = nn.Parameter(torch.randn(d, d) / d**0.5)
        elif kind == "additive":
            self.W_q = nn.Parameter(torch.randn(d, d) / d**0.5)
            self.W_k = nn.Parameter(torch.randn(d, d) / d**0.5)
            self.w_v = nn.Parameter(torch.randn(d) / d**0.5)

    def score_params(self) -> dict[str, Tensor]:
        return {name: getattr(self, name) for name in SCORE_PARAMETERS[self.kind]}


class AdditiveAttention(_ScoredAttention):
    """Bahdanau's ``weights = softmax(w_vᵀ tanh(q W_q + k W_k))``, ``context = weights · values``.

    Args:
        query_dim: ``d_q``, size of a query (e.g. the decoder state).
        key_dim: ``d_k``, size of a key (e.g. an encoder annotation).
        hidden_dim: ``d_a``, size of the hidden layer of the scoring network.

    The parameters are ``nn.Linear`` layers without bias (``d_q → d_a``, ``d_k → d_a``,
    ``d_a → 1``); shapes as in the module docstring.
    """

    kind = "additive"

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.W_q = nn.Linear(query_dim, hidden_dim, bias=False)
        self.W_k = nn.Linear(key_dim, hidden_dim, bias=False)
        self.w_v = nn.Linear(hidden_dim, 1, bias=False)

    def score_params(self) -> dict[str, Tensor]:
        # nn.Linear stores W.T: (d_a, d_q) → the right-hand (d_q, d_a) of the score
        return {"W_q": self.W_q.weight.T, "W_k": self.W_k.weight.T, "w_v": self.w_v.weight[0]}
