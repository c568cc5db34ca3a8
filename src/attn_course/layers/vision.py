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
from ..core.scores import score

__all__ = [
    "CBAM",
    "NONLOCAL_FORMS",
    "NonLocalBlock",
    "SpatialAttention",
    "SqueezeExcitation",
    "check_feature_map",
]


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


NONLOCAL_FORMS = ("gaussian", "embedded_gaussian", "dot_product", "concatenation")
"""Wang et al.'s four choices of the pairwise function ``f`` (and of ``C(x)``)."""


class NonLocalBlock(nn.Module):
    """The non-local block (Wang et al., 2018): every position gathers from all positions.

    ``y_i = (1 / C(x)) Σ_j f(x_i, x_j) g(x_j)`` over the ``N = H·W`` positions, then
    ``z = x + γ · W_o y``. With ``q = W_q x`` (Wang's θ), ``k = W_k x`` (φ) and
    ``v = W_v x`` (g), all 1×1 convolutions, the four forms are

    ========================  ====================================  ===========
    ``form``                  ``f(x_i, x_j)``                        ``C(x)``
    ========================  ====================================  ===========
    ``"gaussian"``            ``exp(x_i · x_j)`` (no ``W_q, W_k``)   ``Σ_j f``
    ``"embedded_gaussian"``   ``exp(s · q_i · k_j)``                 ``Σ_j f``
    ``"dot_product"``         ``q_i · k_j``                          ``N``
    ``"concatenation"``       ``relu(w_f · [q_i; k_j])``             ``N``
    ========================  ====================================  ===========

    The two Gaussian forms are a softmax over the dot score, computed by
    :func:`attn_course.core.attention.scaled_dot_product_attention` with ``scale = s``
    (default ``s = 1``: neither Wang et al. nor SAGAN divide by ``√d_k``; pass
    ``scale=None`` for ``1/√d_k``). The embedded Gaussian is SAGAN's block (Zhang et al.,
    2019). The other two normalise by the number of positions, so their weights need
    not be positive or sum to one.

    The output enters through a scalar gate ``γ`` that starts at 0, so the block starts
    as the identity (SAGAN's choice; Wang et al. reach the same start with a batch norm
    after ``W_o`` whose scale is initialised to zero).

    Args:
        channels: ``C``.
        form: one of :data:`NONLOCAL_FORMS`.
        d_k: query/key channels (default ``max(1, C // 2)``, Wang et al.'s bottleneck).
        d_v: value channels (default ``max(1, C // 2)``).
        scale: the score multiplier ``s`` of the Gaussian forms (``None`` = ``1/√d_k``).

    Shapes: ``x (B, C, H, W) → z (B, C, H, W)``; :meth:`attention` gives ``(B, N, N)``
    with ``N = H·W`` positions in row-major order (position ``i·W + j`` is pixel
    ``(i, j)``); row ``p`` holds the weights ``f(x_p, x_j) / C(x)`` of position ``p``.
    """

    def __init__(self, channels: int, form: str = "embedded_gaussian", *,
                 d_k: int | None = None, d_v: int | None = None,
                 scale: float | None = 1.0) -> None:
        super().__init__()
        if channels <= 0:
            raise ValueError(f"channels must be positive, got {channels}")
        if form not in NONLOCAL_FORMS:
            raise ValueError(f"form must be one of {NONLOCAL_FORMS}, got {form!r}")
        self.channels, self.form = channels, form
        self.d_k = d_k if d_k is not None else max(1, channels // 2)
        self.d_v = d_v if d_v is not None else max(1, channels // 2)
        if self.d_k <= 0 or self.d_v <= 0:
            raise ValueError(f"d_k and d_v must be positive, got d_k={d_k}, d_v={d_v}")
        if scale is not None and not scale > 0:
            raise ValueError(f"scale must be positive or None, got {scale!r}")
        self.scale = scale
        if form != "gaussian":  # the plain Gaussian compares the features themselves
            self.W_q = nn.Conv2d(channels, self.d_k, 1)
            self.W_k = nn.Conv2d(channels, self.d_k, 1)
        if form == "concatenation":
            self.w_f = nn.Parameter(torch.randn(2 * self.d_k) / (2 * self.d_k) ** 0.5)
        self.W_v = nn.Conv2d(channels, self.d_v, 1)
        self.W_o = nn.Conv2d(self.d_v, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(()))

    @staticmethod
    def _tokens(x: Tensor) -> Tensor:
        """``(B, c, H, W) → (B, N, c)``: one row per position, row-major."""
        return x.flatten(2).transpose(1, 2)  # (B, H·W, c)

    def _gather(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(y, weights)``: ``y (B, N, d_v)`` and ``weights (B, N, N)``."""
        check_feature_map(x, self.channels)
        v = self._tokens(self.W_v(x))  # (B, N, d_v)
        if self.form == "gaussian":
            t = self._tokens(x)  # (B, N, C)
            return scaled_dot_product_attention(t, t, v, scale=self.scale)
        q = self._tokens(self.W_q(x))  # (B, N, d_k)
        k = self._tokens(self.W_k(x))  # (B, N, d_k)
        if self.form == "embedded_gaussian":
            return scaled_dot_product_attention(q, k, v, scale=self.scale)
        n = q.shape[1]
        if self.form == "dot_product":
            weights = score("dot", q, k) / n  # (B, N, N)
        else:  # concatenation: w_f · [q_i; k_j] = w_q · q_i + w_k · k_j
            w_q, w_k = self.w_f[: self.d_k], self.w_f[self.d_k :]  # (d_k,) each
            weights = torch.relu((q @ w_q)[:, :, None] + (k @ w_k)[:, None, :]) / n  # (B, N, N)
        return weights @ v, weights  # (B, N, d_v), (B, N, N)

    def attention(self, x: Tensor) -> Tensor:
        """The weights ``f(x_i, x_j) / C(x)``: ``(B, C, H, W) → (B, N, N)``."""
        return self._gather(x)[1]

    def forward(self, x: Tensor) -> Tensor:
        check_feature_map(x, self.channels)
        B, _, H, W = x.shape
        y, _ = self._gather(x)  # (B, N, d_v)
        y = y.transpose(1, 2).reshape(B, self.d_v, H, W)  # (B, d_v, H, W)
        return x + self.gamma * self.W_o(y)  # (B, C, H, W)
