"""Sequence layers of equal width for chapter 9: attention, recurrence, convolution.

Each maps ``x (B, N, d)`` to ``(B, N, d)``:

- :class:`SelfAttentionLayer` — every position attends to every position in one
  step (the package's :func:`~attn_course.core.attention.scaled_dot_product_attention`);
  with ``projections=False`` it is the bare ``softmax(x xᵀ/√d) x`` that Table 1 counts.
- :class:`WindowedAttentionLayer` — Table 1's *restricted* self-attention: each position
  attends to itself and the ``r`` positions before it
  (:func:`~attn_course.layers.efficient.local_attention`).
- :class:`RecurrentLayer` — an Elman RNN written as the loop it is:
  ``h_t = tanh(x_t W + h_{t-1} U + b)``, one time step after another, so autograd records
  every step; :class:`TorchRecurrentLayer` — torch's ``nn.RNN`` / ``nn.GRU`` / ``nn.LSTM``
  (the same recurrence, its loop in C++).
- :class:`ConvStack` — ``n_layers`` causal convolutions of kernel ``k``, contiguous
  (dilation 1: ``⌈(N−1)/(k−1)⌉`` layers see the whole sequence) or dilated
  (dilations ``1, k, k², …``: ``⌈log_k N⌉`` layers).

:class:`LastTokenClassifier` puts any of them between an embedding (with learned
positions) and a linear read-out of the last position, for the long-range task.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from ..core.attention import scaled_dot_product_attention
from ..core.masks import causal_mask
from ..layers.efficient import local_attention

__all__ = [
    "ConvStack",
    "LastTokenClassifier",
    "MIXER_KINDS",
    "RecurrentLayer",
    "SelfAttentionLayer",
    "TorchRecurrentLayer",
    "WindowedAttentionLayer",
    "dilated_depth",
    "make_layer",
]

MIXER_KINDS = ("self-attention", "recurrent", "gru", "convolutional")


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

    :meth:`states` returns the list of states ``h_0 … h_{N-1}``, each ``(B, d)``, as the
    loop made them, so that autograd's graph of ``h_t`` holds one ``tanh`` per step.
    """

    def __init__(self, d: int) -> None:
        super().__init__()
        self.d = d
        self.W = nn.Parameter(torch.randn(d, d) / d**0.5)
        self.U = nn.Parameter(torch.randn(d, d) / d**0.5)
        self.b = nn.Parameter(torch.zeros(d))

    def states(self, x: Tensor) -> list[Tensor]:
        """The states ``h_t = tanh(x_t W + h_{t-1} U + b)``, ``h_{-1} = 0``: ``N × (B, d)``."""
        _check_x(x, self.d)
        h = torch.zeros(x.shape[0], self.d, dtype=x.dtype)
        out = []
        for t in range(x.shape[1]):
            h = torch.tanh(x[:, t] @ self.W + h @ self.U + self.b)  # (B, d)
            out.append(h)
        return out

    def forward(self, x: Tensor) -> Tensor:
        return torch.stack(self.states(x), 1)  # (B, N, d)


class TorchRecurrentLayer(nn.Module):
    """torch's recurrent layer ``cell`` (``"rnn"``: tanh Elman, ``"gru"``, ``"lstm"``),
    batch-first, ``d → d``: ``(B, N, d) → (B, N, d)``, the outputs at every step."""

    def __init__(self, d: int, cell: str = "gru") -> None:
        super().__init__()
        rnn = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}.get(cell)
        if rnn is None:
            raise ValueError(f"cell must be 'rnn', 'gru' or 'lstm', got {cell!r}")
        self.d, self.cell = d, cell
        self.rnn = rnn(d, d, batch_first=True)

    def forward(self, x: Tensor) -> Tensor:
        _check_x(x, self.d)
        return self.rnn(x)[0]  # (B, N, d)


class WindowedAttentionLayer(nn.Module):
    """Restricted (sliding-window) self-attention: position ``i`` attends to ``i − r … i``.

    ``r`` positions back (``r + 1`` keys, itself included); with ``projections`` the queries,
    keys and values are linear maps of ``x`` (no biases), else ``q = k = v = x``.
    ``block_size`` is passed to :func:`~attn_course.layers.efficient.local_attention` (1 makes
    every query its own block, so a FLOP counter sees exactly the ``r + 1`` keys per query).
    """

    def __init__(self, d: int, r: int, *, projections: bool = True,
                 block_size: int | None = None) -> None:
        super().__init__()
        if r < 0:
            raise ValueError(f"r must be ≥ 0 (positions each query sees back), got {r}")
        self.d, self.r, self.block_size = d, r, block_size
        self.qkv = nn.Linear(d, 3 * d, bias=False) if projections else None

    def forward(self, x: Tensor) -> Tensor:
        _check_x(x, self.d)
        q, k, v = (x, x, x) if self.qkv is None else self.qkv(x).chunk(3, dim=-1)  # (B, N, d)
        return local_attention(q, k, v, self.r, causal=True, block_size=self.block_size)


class ConvStack(nn.Module):
    """``n_layers`` causal 1-D convolutions ``d → d`` of kernel ``k``, tanh between them.

    Dilated (the default): layer ``l`` has dilation ``k^l``; contiguous (``dilated=False``):
    every layer has dilation 1. ``forward(x, n_layers)`` can run only the first ``n_layers``.
    """

    def __init__(self, d: int, k: int = 3, n_layers: int = 1, *, dilated: bool = True) -> None:
        super().__init__()
        if k < 2 or n_layers < 1:
            raise ValueError(f"need k ≥ 2 and n_layers ≥ 1, got k={k}, n_layers={n_layers}")
        self.d, self.k, self.dilated = d, k, dilated
        self.convs = nn.ModuleList(
            nn.Conv1d(d, d, k, dilation=k**layer if dilated else 1) for layer in range(n_layers)
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
    """One layer of ``kind`` (one of ``MIXER_KINDS``) that spans ``n`` positions.

    ``"recurrent"`` is the Elman loop, ``"gru"`` torch's GRU; the convolution gets the
    :func:`dilated_depth` dilated layers it needs to see all ``n`` positions.
    """
    if kind == "self-attention":
        return SelfAttentionLayer(d)
    if kind == "recurrent":
        return RecurrentLayer(d)
    if kind == "gru":
        return TorchRecurrentLayer(d, "gru")
    if kind == "convolutional":
        return ConvStack(d, k, dilated_depth(n, k))
    raise ValueError(f"kind must be one of {MIXER_KINDS}, got {kind!r}")


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
