"""A small CNN for the 8×8 digits, with an optional attention block (chapter 11).

``stem`` (two 3×3 convolutions at full 8×8 resolution) → ``block`` (identity,
:class:`~attn_course.layers.vision.SqueezeExcitation`, :class:`~attn_course.layers.vision.CBAM` or
:class:`~attn_course.layers.vision.NonLocalBlock`) → ``head`` (2×2 max-pool, a 3×3 convolution,
global average pooling, a linear classifier). The block sits where the map still has
one position per pixel, so its weights can be drawn over the image.
"""

from __future__ import annotations

from torch import Tensor, nn

from ..layers.vision import CBAM, NonLocalBlock, SqueezeExcitation

__all__ = ["BLOCKS", "SmallCNN"]

BLOCKS = ("none", "se", "cbam", "nonlocal")


def _make_block(block: str, channels: int) -> nn.Module:
    if block == "none":
        return nn.Identity()
    if block == "se":
        return SqueezeExcitation(channels, reduction=4)
    if block == "cbam":
        return CBAM(channels, reduction=4, kernel_size=7)
    if block == "nonlocal":
        return NonLocalBlock(channels)
    raise ValueError(f"block must be one of {BLOCKS}, got {block!r}")


class SmallCNN(nn.Module):
    """A ~15k-parameter CNN: ``(B, 1, 8, 8)`` images → ``(B, n_classes)`` logits.

    Args:
        block: ``"none"``, ``"se"``, ``"cbam"`` or ``"nonlocal"``.
        channels: ``(c1, c2)`` widths of the two stem convolutions; the block sees ``c2``.
        n_classes: number of classes.
        in_channels: image channels.
    """

    def __init__(
        self,
        block: str = "none",
        channels: tuple[int, int] = (16, 32),
        n_classes: int = 10,
        in_channels: int = 1,
    ) -> None:
        super().__init__()
        c1, c2 = channels
        self.kind = block
        self.in_channels = in_channels
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, c1, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(),
        )
        self.block = _make_block(block, c2)
        self.head = nn.Sequential(
            nn.MaxPool2d(2),
            nn.Conv2d(c2, c2, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(c2, n_classes),
        )

    def features(self, x: Tensor) -> Tensor:
        """The map the attention block sees: ``(B, 1, H, W) → (B, c2, H, W)``."""
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"x must have shape (B, {self.in_channels}, H, W), got {tuple(x.shape)}"
            )
        return self.stem(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.block(self.features(x)))  # (B, n_classes)
