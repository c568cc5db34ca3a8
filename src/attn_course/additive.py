"""Bahdanau's additive attention (chapter 8) as a ``torch.nn.Module``."""

from __future__ import annotations

from torch import Tensor, nn

from .core.scores import additive_score
from .core.softmax import softmax

__all__ = ["AdditiveAttention"]


class AdditiveAttention(nn.Module):
    """``weights = softmax(w_vᵀ tanh(q W_q + k W_k))``, ``context = weights · values``.

    Args:
        query_dim: ``d_q``, size of a query (e.g. the decoder state).
        key_dim: ``d_k``, size of a key (e.g. an encoder annotation).
        hidden_dim: ``d_a``, size of the hidden layer of the scoring network.

    Shapes: ``query (B, n_q, d_q)`` or ``(B, d_q)``; ``keys (B, n_k, d_k)``;
    ``values (B, n_k, d_v)`` (defaults to ``keys``) → ``context (B, n_q, d_v)``
    (or ``(B, d_v)``) and ``weights (B, n_q, n_k)`` (or ``(B, n_k)``).
    """

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.W_q = nn.Linear(query_dim, hidden_dim, bias=False)
        self.W_k = nn.Linear(key_dim, hidden_dim, bias=False)
        self.w_v = nn.Linear(hidden_dim, 1, bias=False)

    def forward(
        self,
        query: Tensor,
        keys: Tensor,
        values: Tensor | None = None,
        *,
        mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """``mask``: boolean broadcastable to the weights, **True = may attend**."""
        values = keys if values is None else values
        single = query.dim() == keys.dim() - 1
        if single:
            query = query.unsqueeze(-2)  # (B, 1, d_q)
        if keys.shape[-2] != values.shape[-2]:
            raise ValueError(
                f"keys and values must have the same length n_k: keys {tuple(keys.shape)}, "
                f"values {tuple(values.shape)}"
            )
        scores = additive_score(
            query, keys, self.W_q.weight.T, self.W_k.weight.T, self.w_v.weight[0]
        )  # (B, n_q, n_k)
        if mask is not None and single and mask.dim() == scores.dim() - 1:
            mask = mask.unsqueeze(-2)  # (B, 1, n_k)
        weights = softmax(scores, axis=-1, mask=mask)  # (B, n_q, n_k)
        context = weights @ values  # (B, n_q, d_v)
        if single:
            return context.squeeze(-2), weights.squeeze(-2)
        return context, weights
