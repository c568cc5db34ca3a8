"""The Vision Transformer (chapter 12): patches as tokens, a class token, learned positions.

Read top to bottom: :func:`patchify` cuts an image into flattened patches,
:class:`PatchEmbedding` maps each patch to a ``d_model`` vector (a reshape and one
linear layer — the same as a convolution whose stride equals its kernel,
:meth:`PatchEmbedding.as_conv`), :class:`VisionTransformer` prepends a learned class
token, adds learned position embeddings and runs the Transformer encoder of Part II
(:class:`attn_course.layers.transformer.TransformerEncoder`, pre-norm); its class token's
final vector is classified. What the chapter measures on it (attention rollout, the
similarity of the learned positions, FLOPs) is in :mod:`attn_course.experiments.vit`.

Shapes: images ``(B, C, H, W)``; patch size ``p`` divides ``H`` and ``W``; the grid is
``(H/p, W/p)``, ``N = (H/p)·(W/p)`` patches in row-major order; tokens ``(B, 1 + N,
d_model)`` with the class token first; attention ``(B, L, n_heads, 1 + N, 1 + N)``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..core.positions import sinusoidal_encoding_2d
from ..layers.positions import FixedPositionalEmbedding, LearnedPositionalEmbedding
from ..layers.transformer import TransformerEncoder

__all__ = ["POSITIONS", "PatchEmbedding", "VisionTransformer", "patchify"]


def _check_image(x: Tensor, patch_size: int, channels: int | None = None) -> None:
    if x.dim() != 4:
        raise ValueError(f"x must have shape (B, C, H, W), got {tuple(x.shape)}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"x must have C={channels} channels, got shape {tuple(x.shape)}")
    if patch_size <= 0 or x.shape[2] % patch_size or x.shape[3] % patch_size:
        raise ValueError(f"patch_size={patch_size} must be positive and divide H and W of x "
                         f"with shape {tuple(x.shape)}")


def patchify(x: Tensor, patch_size: int) -> Tensor:
    """Cut images into non-overlapping ``p × p`` patches, flattened channel-first.

    ``(B, C, H, W) → (B, N, C·p·p)`` with ``N = (H/p)(W/p)`` patches in row-major order;
    within a patch the order is ``(C, p, p)``, as in a ``Conv2d`` weight.
    """
    _check_image(x, patch_size)
    B, C, H, W = x.shape
    p = patch_size
    x = x.reshape(B, C, H // p, p, W // p, p)  # (B, C, gh, p, gw, p)
    x = x.permute(0, 2, 4, 1, 3, 5)  # (B, gh, gw, C, p, p)
    return x.reshape(B, (H // p) * (W // p), C * p * p)  # (B, N, C·p·p)


class PatchEmbedding(nn.Module):
    """Patches → tokens: ``patchify`` then one ``nn.Linear(C·p·p, d_model)``.

    Shapes: ``(B, C, H, W) → (B, N, d_model)``.
    """

    def __init__(self, patch_size: int, in_channels: int, d_model: int) -> None:
        super().__init__()
        if patch_size <= 0 or in_channels <= 0 or d_model <= 0:
            raise ValueError(f"patch_size, in_channels and d_model must be positive, got "
                             f"{patch_size}, {in_channels}, {d_model}")
        self.patch_size, self.in_channels, self.d_model = patch_size, in_channels, d_model
        self.proj = nn.Linear(in_channels * patch_size**2, d_model)

    def forward(self, x: Tensor) -> Tensor:
        _check_image(x, self.patch_size, self.in_channels)
        return self.proj(patchify(x, self.patch_size))  # (B, N, d_model)

    def as_conv(self) -> nn.Conv2d:
        """The same map as a ``Conv2d(C, d_model, kernel_size=p, stride=p)``.

        ``conv(x).flatten(2).transpose(1, 2)`` equals ``self(x)``: the kernel is the linear
        weight reshaped to ``(d_model, C, p, p)``.
        """
        p = self.patch_size
        conv = nn.Conv2d(self.in_channels, self.d_model, kernel_size=p, stride=p)
        with torch.no_grad():
            kernel = self.proj.weight.reshape(self.d_model, self.in_channels, p, p)  # (d, C, p, p)
            conv.weight.copy_(kernel)
            conv.bias.copy_(self.proj.bias)
        return conv


POSITIONS = ("learned", "sincos")
"""The position embeddings a :class:`VisionTransformer` can use."""


class VisionTransformer(nn.Module):
    """A small ViT: patch embedding, class token, positions, encoder, linear head.

    Args:
        image_size: ``H = W`` of the input images.
        patch_size: ``p``; must divide ``image_size``.
        in_channels: ``C``.
        d_model, n_heads, n_layers, d_ff: the encoder (pre-norm blocks of Part II).
        n_classes: number of classes.
        dropout: dropout inside the blocks.
        activation: of the blocks' MLP, ``"gelu"`` (ViT's choice) or ``"relu"``.
        positions: ``"learned"`` (one trained vector per token, ViT's choice) or
            ``"sincos"`` (the fixed 2-D table of
            :func:`attn_course.core.positions.sinusoidal_encoding_2d`, zero for the class
            token).

    Shapes: ``x (B, C, H, W) → logits (B, n_classes)``; :meth:`attention` gives
    ``(B, n_layers, n_heads, 1 + N, 1 + N)``, token 0 being the class token.
    """

    def __init__(
        self,
        image_size: int = 8,
        patch_size: int = 2,
        in_channels: int = 1,
        d_model: int = 32,
        n_heads: int = 4,
        n_layers: int = 2,
        d_ff: int = 64,
        n_classes: int = 10,
        dropout: float = 0.0,
        activation: str = "gelu",
        positions: str = "learned",
    ) -> None:
        super().__init__()
        if patch_size <= 0 or image_size % patch_size:
            raise ValueError(f"patch_size={patch_size} must divide image_size={image_size}")
        if positions not in POSITIONS:
            raise ValueError(f"positions must be one of {POSITIONS}, got {positions!r}")
        self.image_size, self.patch_size = image_size, patch_size
        self.grid = (image_size // patch_size, image_size // patch_size)
        self.n_patches = self.grid[0] * self.grid[1]
        self.patch_embed = PatchEmbedding(patch_size, in_channels, d_model)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d_model))
        nn.init.normal_(self.cls_token, std=0.02)
        if positions == "learned":
            self.pos_embed = LearnedPositionalEmbedding(1 + self.n_patches, d_model)
        else:
            grid = sinusoidal_encoding_2d(*self.grid, d_model)  # (N, d_model)
            table = torch.cat([torch.zeros(1, d_model), grid])  # (1 + N, d_model)
            self.pos_embed = FixedPositionalEmbedding(table)
        self.encoder = TransformerEncoder.build(n_layers, d_model, n_heads, d_ff,
                                                dropout=dropout, norm_first=True,
                                                activation=activation)
        self.head = nn.Linear(d_model, n_classes)

    def tokens(self, x: Tensor) -> Tensor:
        """The encoder's input: ``(B, C, H, W) → (B, 1 + N, d_model)``."""
        if x.dim() != 4 or tuple(x.shape[2:]) != (self.image_size, self.image_size):
            raise ValueError(f"x must have shape (B, C, {self.image_size}, {self.image_size}), "
                             f"got {tuple(x.shape)}")
        patches = self.patch_embed(x)  # (B, N, d_model)
        cls = self.cls_token.expand(x.shape[0], -1, -1)  # (B, 1, d_model)
        return self.pos_embed(torch.cat([cls, patches], dim=1))  # (B, 1 + N, d_model)

    def forward(self, x: Tensor) -> Tensor:
        h, _ = self.encoder(self.tokens(x), need_weights=False)  # (B, 1 + N, d_model)
        return self.head(h[:, 0])  # (B, n_classes): read out the class token

    def attention(self, x: Tensor) -> Tensor:
        """Attention weights of every layer and head: ``(B, L, n_heads, 1 + N, 1 + N)``."""
        _, weights = self.encoder(self.tokens(x), need_weights=True)
        return weights

    def position_embeddings(self) -> Tensor:
        """The position vectors of the ``N`` patches, class token excluded: ``(N, d)``."""
        return self.pos_embed.positions(1 + self.n_patches)[1:]
