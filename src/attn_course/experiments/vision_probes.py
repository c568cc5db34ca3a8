"""What chapter 11 measures on its trained networks: per-seed summaries, how much a gate
depends on the image, the receptive field of each output position of a stem, and test
accuracy. Gates ``(n_images, C)``, receptive fields ``(P, side, side)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor, nn

from ..data.vision_tasks import DIGIT, Cluttered, Marks
from ..tools.training import accuracy

__all__ = [
    "box_share",
    "canvas_gates",
    "gate_variances",
    "map_box",
    "map_box_bounds",
    "receptive_fields",
    "summarize",
    "test_accuracy",
]


def summarize(values: Sequence[float]) -> dict[str, float]:
    """Mean, sample standard deviation, min and max of a few per-seed numbers."""
    a = np.asarray(values, dtype=np.float64)
    sd = float(a.std(ddof=1)) if len(a) > 1 else math.nan
    return {"mean": float(a.mean()), "sd": sd, "min": float(a.min()), "max": float(a.max()),
            "n": len(a)}


def gate_variances(gates: Tensor) -> dict[str, float]:
    """How much a gate depends on the image: ``gates (n_images, C)`` (one weight per channel
    or position for each image).

    Returns:
        A dict with ``"per_image"``, the mean over channels of the variance across images,
        and ``"between_channels"``, the variance across channels of the mean over images.
        A gate with ``per_image`` ≪ ``between_channels`` is a fixed per-channel scale, the
        same for every image; comparable values mean the image decides.
    """
    if gates.dim() != 2:
        raise ValueError(f"gates must have shape (n_images, C), got {tuple(gates.shape)}")
    g = gates.double()
    return {"per_image": float(g.var(0, unbiased=True).mean()),
            "between_channels": float(g.mean(0).var(unbiased=True))}


def receptive_fields(stem: nn.Sequential, side: int) -> Tensor:
    """The input pixels each output position of ``stem`` can see: ``(P, side, side)`` bool.

    The stem's geometry is copied with every convolution's weight set to one and every
    max-pool replaced by an average pool of the same size (a max-pool's gradient only
    reaches the pixel that won), and no nonlinearity; the gradient of each output
    position with respect to the input is then nonzero exactly on its receptive field.
    """
    layers: list[nn.Module] = []
    for m in stem:
        if isinstance(m, nn.Conv2d):
            conv = nn.Conv2d(1, 1, m.kernel_size, m.stride, m.padding, bias=False)
            nn.init.ones_(conv.weight)
            layers.append(conv)
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            layers.append(nn.AvgPool2d(m.kernel_size, m.stride))
    probe = nn.Sequential(*layers)
    x = torch.zeros(1, 1, side, side, requires_grad=True)
    out = probe(x).flatten()  # (P,)
    fields = []
    for p in range(out.numel()):
        (g,) = torch.autograd.grad(out[p], x, retain_graph=True)
        fields.append(g[0, 0] != 0)  # (side, side)
    return torch.stack(fields)  # (P, side, side)


@torch.no_grad()
def test_accuracy(model: nn.Module, data: Cluttered | Marks) -> float:
    """Accuracy of ``model`` on a test batch."""
    return accuracy(model, data.x, data.y)


def map_box(data: Cluttered, map_side: int) -> Tensor:
    """The cells of a ``map_side × map_side`` feature map (a stride of ``side / map_side``
    pixels) that overlap each canvas's digit: ``(n, map_side, map_side)`` bool."""
    n, _, side, _ = data.x.shape
    if side % map_side:
        raise ValueError(f"map_side must divide the canvas side {side}, got {map_side}")
    s = side // map_side
    pix = data.digit_mask()  # (n, side, side)
    return pix.reshape(n, map_side, s, map_side, s).any(4).any(2)  # (n, map_side, map_side)


def map_box_bounds(data: Cluttered, map_side: int) -> Tensor:
    """The box of :func:`map_box` as ``(n, 4)`` int64 ``(r0, c0, r1, c1)``, ends excluded."""
    side = data.x.shape[-1]
    if side % map_side:
        raise ValueError(f"map_side must divide the canvas side {side}, got {map_side}")
    s = side // map_side
    lo = data.corner // s  # (n, 2)
    hi = (data.corner + DIGIT - 1) // s + 1  # (n, 2)
    return torch.cat([lo, hi], 1)  # (n, 4)


def box_share(maps: Tensor, box: Tensor) -> dict[str, Tensor]:
    """How much of a spatial gate lies on the digit: ``maps (n, h, w)`` ≥ 0, ``box (n, h, w)``
    bool.

    Returns:
        ``"share"`` ``(n,)``, the share of each map's total weight on the box, and
        ``"area"`` ``(n,)``, the share of the cells the box covers (what a flat map gives).
    """
    if maps.shape != box.shape or maps.dim() != 3:
        raise ValueError(f"maps and box must have the same shape (n, h, w), got "
                         f"{tuple(maps.shape)} and {tuple(box.shape)}")
    m = maps.double()
    share = (m * box).flatten(1).sum(1) / m.flatten(1).sum(1)  # (n,)
    return {"share": share, "area": box.flatten(1).double().mean(1)}


@torch.no_grad()
def canvas_gates(model: nn.Module, x: Tensor) -> dict[str, Tensor]:
    """The gates a trained canvas network applies to the images ``x (n, 1, side, side)``.

    Returns:
        For an SE block, ``"channel"`` ``(n, C)``; for CBAM, ``"channel"`` ``(n, C)`` and
        ``"spatial"`` ``(n, side/2, side/2)``.
    """
    f = model.features(x)  # (n, C, side/2, side/2)
    kind = getattr(model, "kind", None)
    if kind == "se":
        return {"channel": model.block.weights(f)}
    if kind == "cbam":
        return {"channel": model.block.channel_weights(f),
                "spatial": model.block.spatial_weights(f)[:, 0]}
    raise ValueError(f"model must have an 'se' or 'cbam' block, got {kind!r}")
