"""The Transformer block (chapter 10): attention + feed-forward, residuals, layer norm.

Read top to bottom: the position-wise :class:`FeedForward` network, the
:class:`TransformerEncoderLayer` (post-norm as in Vaswani et al. 2017, or pre-norm
with ``norm_first=True`` as used today) and a stack, :class:`TransformerEncoder`.
The decoder block (causal self-attention + cross-attention) is in
:mod:`attn_course.layers.decoder`. A position method of chapter 14 plugs into every
layer's attention as ``positions=`` (see :mod:`attn_course.layers.positions`).

Conventions: batch-first ``(B, N, d_model)``; masks boolean, **True = may attend**;
attention weights ``(B, n_heads, n_q, n_k)`` per layer, ``(B, L, n_heads, N, N)`` for a stack.
``from_torch`` copies the weights of the matching ``torch.nn`` layer (built with
``batch_first=True``) so the two give the same output.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .multihead import MultiHeadAttention
from .positions import PositionMethod

__all__ = [
    "FeedForward",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


class FeedForward(nn.Module):
    """Position-wise feed-forward network ``W_2 · act(W_1 x + b_1) + b_2``.

    The same two-layer MLP is applied to every position on its own (no mixing
    across positions: that is attention's job).

    Args:
        d_model: input and output width.
        d_ff: hidden width (the paper uses ``4 · d_model``).
        dropout: dropout after the activation.
        activation: ``"relu"`` (the paper) or ``"gelu"``.

    Shapes: ``(..., d_model) → (..., d_model)``.
    """

    def __init__(
        self, d_model: int, d_ff: int, *, dropout: float = 0.0, activation: str = "relu"
    ) -> None:
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}"
            )
        if d_model <= 0 or d_ff <= 0:
            raise ValueError(f"d_model and d_ff must be positive, got {d_model}, {d_ff}")
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)
        self.activation = activation

    def forward(self, x: Tensor) -> Tensor:
        h = _ACTIVATIONS[self.activation](self.linear1(x))  # (..., d_ff)
        if self.training and self.dropout.p:  # (dropout is the identity otherwise: skip the call)
            h = self.dropout(h)
        return self.linear2(h)  # (..., d_model)


def _activation_name(layer: nn.Module) -> str:
    act = layer.activation
    if act is F.relu or isinstance(act, nn.ReLU):
        return "relu"
    if act is F.gelu or isinstance(act, nn.GELU):
        return "gelu"
    raise ValueError(f"unsupported activation {act!r}: only relu and gelu can be copied")


def _copy_linear(dst: nn.Linear, src: nn.Linear) -> None:
    dst.weight.copy_(src.weight)
    dst.bias.copy_(src.bias)


def _check_copyable(m: nn.Module) -> None:
    """Refuse what the copy cannot reproduce (a ``ValueError`` saying what)."""
    for name in ("linear1", "linear2"):
        if getattr(m, name).bias is None:
            raise ValueError(f"m.{name} has no bias (bias=False); the course's blocks always "
                             f"have one, so the copy could not reproduce m")
    for name in ("norm1", "norm2", "norm3"):
        norm = getattr(m, name, None)
        if norm is not None and (not norm.elementwise_affine or norm.bias is None):
            raise ValueError(f"m.{name} has no affine weight or bias; the course's blocks "
                             f"always have both, so the copy could not reproduce m")


def _copy_block(cls: type, m: nn.Module, torch_cls: type) -> nn.Module:
    """A ``cls`` block with the weights of ``m``, a ``torch_cls`` built with ``batch_first``:
    the self-attention, the feed-forward network and every layer norm (the decoder adds its
    cross-attention), in ``m``'s dtype and on its device."""
    if not isinstance(m, torch_cls):
        raise ValueError(f"m must be a torch.nn.{torch_cls.__name__}, got {type(m).__name__}")
    if not m.self_attn.batch_first:
        raise ValueError("m must be built with batch_first=True")
    _check_copyable(m)
    new = cls(m.self_attn.embed_dim, m.self_attn.num_heads, m.linear1.out_features,
              dropout=m.dropout.p, norm_first=m.norm_first, activation=_activation_name(m),
              layer_norm_eps=m.norm1.eps)
    new.self_attn = MultiHeadAttention.from_torch(m.self_attn)  # refuses attention dropout
    weight = m.linear1.weight
    new = new.to(device=weight.device, dtype=weight.dtype)
    with torch.no_grad():
        _copy_linear(new.ff.linear1, m.linear1)
        _copy_linear(new.ff.linear2, m.linear2)
        for name in ("norm1", "norm2", "norm3"):
            if hasattr(m, name):
                getattr(new, name).load_state_dict(getattr(m, name).state_dict())
    return new


class TransformerEncoderLayer(nn.Module):
    """One encoder block: self-attention and feed-forward, each with a residual and a norm.

    Post-norm (``norm_first=False``, the paper)::

        x = LN(x + Dropout(SelfAttn(x)));  x = LN(x + Dropout(FFN(x)))

    Pre-norm (``norm_first=True``, GPT-2 onwards; trains stably without warm-up)::

        x = x + Dropout(SelfAttn(LN(x)));  x = x + Dropout(FFN(LN(x)))

    Args:
        d_model: token width; n_heads: number of heads (divides d_model);
        d_ff: feed-forward hidden width; dropout: dropout rate (0 = deterministic);
        norm_first: pre-norm if True; activation: ``"relu"`` or ``"gelu"``;
        layer_norm_eps: the layer norms' epsilon.
        positions: the position hook of the self-attention
            (see :class:`attn_course.layers.multihead.MultiHeadAttention`).

    Shapes: ``x (B, N, d_model) → (B, N, d_model)``; weights ``(B, n_heads, N, N)``.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        *,
        dropout: float = 0.0,
        norm_first: bool = False,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
        positions: PositionMethod | None = None,
    ) -> None:
        super().__init__()
        self.d_model, self.n_heads, self.norm_first = d_model, n_heads, norm_first
        self.self_attn = MultiHeadAttention(d_model, n_heads, positions=positions)
        self.ff = FeedForward(d_model, d_ff, dropout=dropout, activation=activation)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def forward(
        self,
        x: Tensor,
        *,
        mask: Tensor | None = None,
        is_causal: bool = False,
        need_weights: bool = True,
        head_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        """Apply the block.

        Args:
            x: ``(B, N, d_model)``.
            mask: boolean, broadcastable to ``(B, n_heads, N, N)``, True = may attend
                (a padding mask ``(B, 1, N)`` needs ``[:, None]`` → ``(B, 1, 1, N)``).
            is_causal: add a causal mask (each position sees itself and the past).
            need_weights: return the attention weights (manual path); if False use the
                fused kernel and return None.
            head_mask: ``(n_heads,)`` or ``(B, n_heads)``, 1 keeps and 0 ablates a head.

        Returns:
            ``(x, weights)``: ``(B, N, d_model)`` and ``(B, n_heads, N, N)`` or None.
        """
        if x.dim() != 3 or x.shape[-1] != self.d_model:
            raise ValueError(
                f"x must have shape (B, N, d_model={self.d_model}), got {tuple(x.shape)}"
            )
        kw = dict(mask=mask, is_causal=is_causal, need_weights=need_weights, head_mask=head_mask)
        if self.norm_first:
            h = self.norm1(x)
            a, w = self.self_attn(h, h, h, **kw)
            x = x + self.dropout1(a)
            x = x + self.dropout2(self.ff(self.norm2(x)))
        else:
            a, w = self.self_attn(x, x, x, **kw)
            x = self.norm1(x + self.dropout1(a))
            x = self.norm2(x + self.dropout2(self.ff(x)))
        return x, w

    @classmethod
    def from_torch(cls, m: nn.TransformerEncoderLayer) -> TransformerEncoderLayer:
        """Copy a ``torch.nn.TransformerEncoderLayer(batch_first=True)``, in its dtype and
        on its device.

        The copy's ``forward(x, mask=mask)`` equals ``m(x, src_mask=~mask)`` (torch's
        boolean masks mean True = *blocked*) up to rounding.

        Raises:
            ValueError: for what the copy cannot reproduce: dropout on the attention
                weights (``m.self_attn.dropout``; set it to 0.0 first), another activation
                than relu or gelu, linear layers without bias, layer norms without affine
                parameters, ``batch_first=False``.
        """
        return _copy_block(cls, m, nn.TransformerEncoderLayer)


class TransformerEncoder(nn.Module):
    """A stack of encoder layers, optionally followed by a final layer norm.

    Args:
        layers: the blocks, applied in order (e.g. :class:`TransformerEncoderLayer`).
        norm: a module applied to the output (pre-norm stacks need a final ``LayerNorm``).

    Use :meth:`build` for ``n_layers`` identical-shaped blocks.
    Shapes: ``x (B, N, d_model) → (B, N, d_model)``; weights ``(B, L, n_heads, N, N)``.
    """

    def __init__(self, layers: Iterable[nn.Module], *, norm: nn.Module | None = None) -> None:
        super().__init__()
        self.layers = nn.ModuleList(layers)
        if len(self.layers) == 0:
            raise ValueError("layers must hold at least one layer")
        self.norm = norm

    @classmethod
    def build(
        cls, n_layers: int, d_model: int, n_heads: int, d_ff: int, *, dropout: float = 0.0,
        norm_first: bool = False, activation: str = "relu", final_norm: bool | None = None,
        positions: PositionMethod | None = None,
    ) -> TransformerEncoder:
        """``n_layers`` fresh :class:`TransformerEncoderLayer` s; a final LayerNorm if
        ``final_norm`` (default: only for pre-norm, whose residual stream is otherwise
        never normalised). ``positions``: one position hook shared by every layer."""
        layers = [TransformerEncoderLayer(d_model, n_heads, d_ff, dropout=dropout,
                                          norm_first=norm_first, activation=activation,
                                          positions=positions)
                  for _ in range(n_layers)]
        final_norm = norm_first if final_norm is None else final_norm
        return cls(layers, norm=nn.LayerNorm(d_model) if final_norm else None)

    def forward(
        self,
        x: Tensor,
        *,
        mask: Tensor | None = None,
        is_causal: bool = False,
        need_weights: bool = True,
        head_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        """Run every layer; ``head_mask`` is ``(L, n_heads)`` (1 keeps, 0 ablates a head).

        Returns ``(x (B, N, d_model), weights (B, L, n_heads, N, N) or None)``.
        """
        if head_mask is not None and tuple(head_mask.shape)[:1] != (len(self.layers),):
            raise ValueError(f"head_mask must have shape (L={len(self.layers)}, n_heads), "
                             f"got {tuple(head_mask.shape)}")
        weights = []
        for i, layer in enumerate(self.layers):
            hm = None if head_mask is None else head_mask[i]
            x, w = layer(x, mask=mask, is_causal=is_causal, need_weights=need_weights,
                         head_mask=hm)
            weights.append(w)
        if self.norm is not None:
            x = self.norm(x)
        return x, (torch.stack(weights, dim=1) if need_weights else None)  # (B, L, H, N, N)
