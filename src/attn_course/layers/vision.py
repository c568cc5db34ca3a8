"""Attention blocks for convolutional feature maps (chapter 11).

Three ways to let a CNN reweight its own features, each a drop-in module that maps a
feature map ``(B, C, H, W)`` to one of the same shape:

- :class:`SqueezeExcitation` — *channel* attention (Hu et al., 2018): one weight in
  ``(0, 1)`` per channel, computed from the globally pooled map.
- :class:`CBAM` — channel attention followed by *spatial* attention (Woo et al., 2018):
  one weight in ``(0, 1)`` per position.
- :class:`NonLocalBlock` — *self-attention* over the ``N = H·W`` positions (Wang et al.,
  2018; Zhang et al., 2019 "SAGAN"): 1×1 projections to queries, keys and values,
  scaled dot-product attention from the core package, and a residual added through a
  learned gate ``gamma`` that starts at zero.

No module stores activations. Each exposes the weights it computes through a method
(``weights``, ``channel_weights``/``spatial_weights``, ``attention``) that ``forward``
itself uses, so a plot sees exactly what the model multiplies by.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..core.attention import scaled_dot_product_attention

__all__ = ["CBAM", "NonLocalBlock", "SqueezeExcitation", "SpatialAttention", "check_feature_map"]


def check_feature_map(x: Tensor, channels: int, name: str = "x") -> None:
    """Raise ``ValueError`` unless ``x`` has shape ``(B, channels, H, W)``."""
    if x.dim() != 4 or x.shape[1] != channels:
        raise ValueError(
            f"{name} must have shape (B, C={channels}, H, W), got {tuple(x.shape)}"
        )


def _hidden(channels: int, reduction: int) -> int:
    if channels <= 0 or reduction <= 0:
        raise ValueError(
            f"channels and reduction must be positive, got channels={channels}, "
            f"reduction={reduction}"
        )
    return max(1, channels // reduction)


class SqueezeExcitation(nn.Module):
    """Channel attention: ``y = x · σ(W₂ relu(W₁ mean_{h,w} x))``.

    Args:
        channels: ``C``, the number of feature channels.
        reduction: the bottleneck ``C → C / reduction → C`` of the excitation MLP.

    Shapes: ``x (B, C, H, W) → y (B, C, H, W)``; :meth:`weights` gives ``(B, C)``.
    """

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        self.channels = channels
        hidden = _hidden(channels, reduction)
        self.mlp = nn.Sequential(
            nn.Linear(channels, hidden), nn.ReLU(), nn.Linear(hidden, channels)
        )

    def weights(self, x: Tensor) -> Tensor:
        """One weight in ``(0, 1)`` per channel: ``(B, C, H, W) → (B, C)``."""
        check_feature_map(x, self.channels)
        squeezed = x.mean(dim=(2, 3))  # (B, C): the "squeeze"
        return torch.sigmoid(self.mlp(squeezed))  # (B, C): the "excitation"

    def forward(self, x: Tensor) -> Tensor:
        return x * self.weights(x)[:, :, None, None]  # (B, C, H, W)


class SpatialAttention(nn.Module):
    """CBAM's spatial half: ``σ(conv_k([mean_c x; max_c x]))``, one weight per position.

    Shapes: ``x (B, C, H, W) → y (B, C, H, W)``; :meth:`weights` gives ``(B, 1, H, W)``.
    """

    def __init__(self, kernel_size: int = 7) -> None:
        super().__init__()
        if kernel_size <= 0 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be a positive odd number, got {kernel_size}")
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2)

    def weights(self, x: Tensor) -> Tensor:
        """``(B, C, H, W) → (B, 1, H, W)`` weights in ``(0, 1)``."""
        if x.dim() != 4:
            raise ValueError(f"x must have shape (B, C, H, W), got {tuple(x.shape)}")
        pooled = torch.cat(
            [x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1
        )  # (B, 2, H, W)
        return torch.sigmoid(self.conv(pooled))  # (B, 1, H, W)

    def forward(self, x: Tensor) -> Tensor:
        return x * self.weights(x)  # (B, C, H, W)


class CBAM(nn.Module):
    """Convolutional Block Attention Module: channel attention, then spatial attention.

    The channel half pools with both the mean and the max and passes each through one
    shared MLP (``σ(MLP(avg) + MLP(max))``); the spatial half is :class:`SpatialAttention`.

    Shapes: ``x (B, C, H, W) → y (B, C, H, W)``; :meth:`channel_weights` gives ``(B, C)``,
    :meth:`spatial_weights` ``(B, 1, H, W)`` (of the channel-reweighted map).
    """

    def __init__(self, channels: int, reduction: int = 4, kernel_size: int = 7) -> None:
        super().__init__()
        self.channels = channels
        hidden = _hidden(channels, reduction)
        self.mlp = nn.Sequential(
            nn.Linear(channels, hidden), nn.ReLU(), nn.Linear(hidden, channels)
        )
        self.spatial = SpatialAttention(kernel_size)

    def channel_weights(self, x: Tensor) -> Tensor:
        """``(B, C, H, W) → (B, C)`` weights in ``(0, 1)``."""
        check_feature_map(x, self.channels)
        avg = self.mlp(x.mean(dim=(2, 3)))  # (B, C)
        mx = self.mlp(x.amax(dim=(2, 3)))  # (B, C)
        return torch.sigmoid(avg + mx)  # (B, C)

    def spatial_weights(self, x: Tensor) -> Tensor:
        """The spatial weights the block applies to ``x``: ``(B, C, H, W) → (B, 1, H, W)``."""
        x_c = x * self.channel_weights(x)[:, :, None, None]  # (B, C, H, W)
        return self.spatial.weights(x_c)

    def forward(self, x: Tensor) -> Tensor:
        x_c = x * self.channel_weights(x)[:, :, None, None]  # (B, C, H, W)
        return self.spatial(x_c)  # (B, C, H, W)


class NonLocalBlock(nn.Module):
    """Self-attention over the positions of a feature map (non-local / SAGAN block).

    ``q = W_q x``, ``k = W_k x`` (1×1 convolutions to ``d_k`` channels), ``v = W_v x``
    (to ``d_v`` channels); every position attends to all ``N = H·W`` positions with
    :func:`attn_course.scaled_dot_product_attention`; ``W_o`` (1×1) maps back to ``C``
    channels and ``y = x + gamma · W_o(attention)``, with the gate ``gamma`` starting
    at 0 so the block begins as the identity (SAGAN).

    Args:
        channels: ``C``.
        d_k: query/key channels (default ``max(1, C // 8)`` as in SAGAN).
        d_v: value channels (default ``max(1, C // 2)``).

    Shapes: ``x (B, C, H, W) → y (B, C, H, W)``; :meth:`attention` gives ``(B, N, N)``
    with ``N = H·W`` positions in row-major order (position ``i·W + j`` is pixel
    ``(i, j)``); row ``p`` is where position ``p`` looks.
    """

    def __init__(self, channels: int, d_k: int | None = None, d_v: int | None = None) -> None:
        super().__init__()
        if channels <= 0:
            raise ValueError(f"channels must be positive, got {channels}")
        self.channels = channels
        self.d_k = d_k if d_k is not None else max(1, channels // 8)
        self.d_v = d_v if d_v is not None else max(1, channels // 2)
        if self.d_k <= 0 or self.d_v <= 0:
            raise ValueError(f"d_k and d_v must be positive, got d_k={d_k}, d_v={d_v}")
        self.W_q = nn.Conv2d(channels, self.d_k, 1)
        self.W_k = nn.Conv2d(channels, self.d_k, 1)
        self.W_v = nn.Conv2d(channels, self.d_v, 1)
        self.W_o = nn.Conv2d(self.d_v, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(()))

    @staticmethod
    def _tokens(x: Tensor) -> Tensor:
        """``(B, c, H, W) → (B, N, c)``: one row per position, row-major."""
        return x.flatten(2).transpose(1, 2)  # (B, H·W, c)

    def _attend(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_feature_map(x, self.channels)
        q = self._tokens(self.W_q(x))  # (B, N, d_k)
        k = self._tokens(self.W_k(x))  # (B, N, d_k)
        v = self._tokens(self.W_v(x))  # (B, N, d_v)
        return scaled_dot_product_attention(q, k, v)  # (B, N, d_v), (B, N, N)

    def attention(self, x: Tensor) -> Tensor:
        """Attention weights ``(B, N, N)``, ``N = H·W``: row ``p`` sums to one."""
        return self._attend(x)[1]

    def forward(self, x: Tensor) -> Tensor:
        check_feature_map(x, self.channels)
        B, _, H, W = x.shape
        out, _ = self._attend(x)  # (B, N, d_v)
        out = out.transpose(1, 2).reshape(B, self.d_v, H, W)  # (B, d_v, H, W)
        return x + self.gamma * self.W_o(out)  # (B, C, H, W)
