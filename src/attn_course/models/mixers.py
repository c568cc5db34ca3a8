"""Three sequence layers of equal width for chapter 9: attention, recurrence, convolution.

Each maps ``x (B, N, d)`` to ``(B, N, d)``:

- :class:`SelfAttentionLayer` — every position attends to every position in one
  step (the package's :func:`~attn_course.core.attention.scaled_dot_product_attention`);
  with ``projections=False`` it is the bare ``softmax(x xᵀ/√d) x`` that Table 1 counts.
- :class:`RecurrentLayer` — an Elman RNN written as the loop it is:
  ``h_t = tanh(x_t W + h_{t-1} U + b)``, one time step after another.
- :class:`DilatedConvStack` — ``n_layers`` causal convolutions of kernel ``k``
  with dilations ``1, k, k², …``, so ``⌈log_k N⌉`` layers see the whole sequence.

:class:`LastTokenClassifier` puts any of them between an embedding (with learned
positions) and a linear read-out of the last position, for the long-range task.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from ..core.attention import scaled_dot_product_attention
from ..core.masks import causal_mask

__all__ = [
    "DilatedConvStack",
    "LastTokenClassifier",
    "RecurrentLayer",
    "SelfAttentionLayer",
    "dilated_depth",
    "make_layer",
]


def _check_x(x: Tensor, d: int) -> None:
    if x.dim() != 3 or x.shape[-1] != d:
        raise ValueError(f"x must have shape (B, N, d={d}), got {tuple(x.shape)}")


class SelfAttentionLayer(nn.Module):
    """Self-attention over ``x (B, N, d)``; ``causal=True`` lets position i see only ≤ i."""

    def __init__(self, d: int, *, projections: bool = True, causal: bool = False) -> None:
        super().__init__()
        self.d, self.causal = d, causal
        self.qkv = nn.Linear(d, 3 * d, bias=False) if projections else None

    def forward(self, x: Tensor) -> Tensor:
        _check_x(x, self.d)
        if self.qkv is None:
            q = k = v = x
        else:
            q, k, v = self.qkv(x).chunk(3, dim=-1)  # 3 × (B, N, d)
        mask = causal_mask(x.shape[1], like=x) if self.causal else None
        out, _ = scaled_dot_product_attention(q, k, v, mask=mask)
        return out


class RecurrentLayer(nn.Module):
    """Elman RNN, one explicit step per position: ``(B, N, d) → (B, N, d)``.

    ``window``: if given, the state is restarted from zero ``window`` steps before
    each output, so an output depends on at most ``window`` inputs (used to measure
    how many sequential steps a path needs).
    """

    def __init__(self, d: int) -> None:
        super().__init__()
        self.d = d
        self.W = nn.Parameter(torch.randn(d, d) / d**0.5)
        self.U = nn.Parameter(torch.randn(d, d) / d**0.5)
        self.b = nn.Parameter(torch.zeros(d))

    def forward(self, x: Tensor, window: int | None = None) -> Tensor:
        _check_x(x, self.d)
        B, N, _ = x.shape
        if window is not None:
            h = torch.zeros(B, self.d)
            for t in range(max(0, N - window), N):
                h = torch.tanh(x[:, t] @ self.W + h @ self.U + self.b)
            return h.unsqueeze(1).expand(B, N, self.d)  # only the last position is meaningful
        h = torch.zeros(B, self.d)
        outs = []
        for t in range(N):
            h = torch.tanh(x[:, t] @ self.W + h @ self.U + self.b)  # (B, d)
            outs.append(h)
        return torch.stack(outs, 1)  # (B, N, d)


class DilatedConvStack(nn.Module):
    """``n_layers`` causal 1-D convolutions ``d → d``, kernel ``k``, dilation ``k^l``, tanh between.

    ``forward(x, n_layers)`` can run only the first ``n_layers`` layers.
    """

    def __init__(self, d: int, k: int = 3, n_layers: int = 1) -> None:
        super().__init__()
        if k < 2 or n_layers < 1:
            raise ValueError(f"need k ≥ 2 and n_layers ≥ 1, got k={k}, n_layers={n_layers}")
        self.d, self.k = d, k
        self.convs = nn.ModuleList(
            nn.Conv1d(d, d, k, dilation=k**layer) for layer in range(n_layers)
        )

    def forward(self, x: Tensor, n_layers: int | None = None) -> Tensor:
        _check_x(x, self.d)
        h = x.transpose(1, 2)  # (B, d, N)
        for i, conv in enumerate(self.convs[: n_layers or len(self.convs)]):
            h = conv(F.pad(h, ((self.k - 1) * conv.dilation[0], 0)))  # causal: pad the left
            if i < len(self.convs) - 1:
                h = torch.tanh(h)
        return h.transpose(1, 2)  # (B, N, d)


def dilated_depth(n: int, k: int = 3) -> int:
    """``⌈log_k n⌉`` (at least 1): the dilated convolutions of kernel ``k`` (dilations
    ``1, k, k², …``) that connect the first and the last of ``n`` positions."""
    if n < 1 or k < 2:
        raise ValueError(f"need n ≥ 1 and k ≥ 2, got n={n}, k={k}")
    layers, reach = 0, 1
    while reach < n:  # integer version of ⌈log_k n⌉ (no floating-point surprises)
        reach *= k
        layers += 1
    return max(layers, 1)


def make_layer(kind: str, d: int, n: int, k: int = 3) -> nn.Module:
    """One layer of ``kind`` ("self-attention", "recurrent", "convolutional") that spans ``n``.

    The convolution gets the :func:`dilated_depth` layers it needs to see all ``n`` positions.
    """
    if kind == "self-attention":
        return SelfAttentionLayer(d)
    if kind == "recurrent":
        return RecurrentLayer(d)
    if kind == "convolutional":
        return DilatedConvStack(d, k, dilated_depth(n, k))
    raise ValueError(f"kind must be 'self-attention', 'recurrent' or 'convolutional', got {kind!r}")


class LastTokenClassifier(nn.Module):
    """Tokens ``(B, N)`` → embedding + learned positions → mixer → logits ``(B, n_classes)``.

    The prediction is read from the mixer's output at the last position only, so
    the information it needs must travel there from wherever it sits.
    """

    def __init__(self, mixer: nn.Module, vocab: int, n: int, d: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(n, d) * 0.5)
        self.mixer = mixer
        self.readout = nn.Linear(d, vocab)

    def embed_tokens(self, tokens: Tensor) -> Tensor:
        """``(B, N)`` ids → ``(B, N, d)`` inputs of the mixer."""
        return self.embed(tokens) + self.pos[: tokens.shape[1]]

    def forward(self, tokens: Tensor) -> Tensor:
        return self.readout(self.mixer(self.embed_tokens(tokens))[:, -1])  # (B, vocab)
