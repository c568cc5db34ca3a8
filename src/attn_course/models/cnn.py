"""Small CNNs with an attention block (chapter 11) and a plain one for the 8×8 digits (chapter 12).

:class:`AttentionCNN` is the network of chapter 11's two tasks: a two-convolution stem
(3×3, 2×2 max-pool, 3×3, each convolution with batch norm and ReLU), then the attention
block under study — identity, :class:`~attn_course.layers.vision.SqueezeExcitation`,
:class:`~attn_course.layers.vision.CBAM` or :class:`~attn_course.layers.vision.NonLocalBlock`
— then an optional 1×1 convolution, global average pooling and a linear classifier.
Every feature the stem computes sees an 8×8 window of the input (its receptive field),
and the readout *adds up* what every position says: without the block, nothing in the
network combines two places further apart than 8 pixels.

:class:`SmallCNN` is the CNN that chapter 12 compares with the Vision Transformer.
"""

from __future__ import annotations

from torch import Tensor, nn

from ..layers.vision import CBAM, NONLOCAL_FORMS, NonLocalBlock, SqueezeExcitation

__all__ = ["BLOCKS", "AttentionCNN", "SmallCNN", "conv_bn_relu"]

BLOCKS = ("none", "se", "cbam", "nonlocal")


def _make_block(block: str, channels: int, form: str = "embedded_gaussian") -> nn.Module:
    if block == "none":
        return nn.Identity()
    if block == "se":
        return SqueezeExcitation(channels, reduction=4)
    if block == "cbam":
        return CBAM(channels, reduction=4, kernel_size=7)
    if block == "nonlocal":
        return NonLocalBlock(channels, form)
    raise ValueError(f"block must be one of {BLOCKS}, got {block!r}")


def conv_bn_relu(c_in: int, c_out: int, kernel_size: int = 3) -> list[nn.Module]:
    """A ``kernel_size`` convolution (same padding), batch norm and ReLU."""
    return [nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2),
            nn.BatchNorm2d(c_out), nn.ReLU()]


class AttentionCNN(nn.Module):
    """stem → attention block → (1×1 convolution) → global average pool → linear.

    Args:
        block: ``"none"``, ``"se"``, ``"cbam"`` or ``"nonlocal"``.
        widths: ``(c1, c2)`` channels of the two stem convolutions; the block sees ``c2``.
        mixer: width of a 1×1 convolution (batch norm, ReLU) after the block, or ``None``.
        n_classes: number of classes.
        form: the non-local block's pairwise function (one of
            :data:`attn_course.layers.vision.NONLOCAL_FORMS`).

    Shapes: ``x (B, 1, H, W) → logits (B, n_classes)``; :meth:`features` gives the map
    the block sees, ``(B, c2, H/2, W/2)``.
    """

    def __init__(self, block: str = "none", *, widths: tuple[int, int] = (8, 32),
                 mixer: int | None = None, n_classes: int = 10,
                 form: str = "embedded_gaussian") -> None:
        super().__init__()
        if form not in NONLOCAL_FORMS:
            raise ValueError(f"form must be one of {NONLOCAL_FORMS}, got {form!r}")
        c1, c2 = widths
        self.kind, self.form = block, form
        self.stem = nn.Sequential(*conv_bn_relu(1, c1), nn.MaxPool2d(2), *conv_bn_relu(c1, c2))
        self.block = _make_block(block, c2, form)
        mix = conv_bn_relu(c2, mixer, 1) if mixer else []
        self.head = nn.Sequential(*mix, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Linear(mixer or c2, n_classes))

    @classmethod
    def for_canvas(cls, block: str = "none") -> AttentionCNN:
        """The network of the cluttered-canvas task: widths ``(8, 32)``, 10 classes."""
        return cls(block, widths=(8, 32), n_classes=10)

    @classmethod
    def for_marks(cls, block: str = "none", form: str = "embedded_gaussian") -> AttentionCNN:
        """The network of the opposite-marks task: widths ``(8, 8)``, a 1×1 mixer of 16
        channels (the local comparison after the block), 2 classes."""
        return cls(block, widths=(8, 8), mixer=16, n_classes=2, form=form)

    def features(self, x: Tensor) -> Tensor:
        """The map the attention block sees: ``(B, 1, H, W) → (B, c2, H/2, W/2)``."""
        if x.dim() != 4 or x.shape[1] != 1:
            raise ValueError(f"x must have shape (B, 1, H, W), got {tuple(x.shape)}")
        return self.stem(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.block(self.features(x)))  # (B, n_classes)


class SmallCNN(nn.Module):
    """A ~15k-parameter CNN for the 8×8 digits: ``(B, 1, 8, 8)`` → ``(B, n_classes)`` logits.

    Two 3×3 convolutions at full resolution, a 2×2 max-pool, a third convolution,
    global average pooling and a linear classifier (ReLU after each convolution).

    Args:
        block: an attention block after the first two convolutions (``"none"`` by default).
        channels: ``(c1, c2)`` widths of the two first convolutions.
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
