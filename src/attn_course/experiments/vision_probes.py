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

from ..data.vision_tasks import Cluttered, Marks
from ..tools.training import accuracy

__all__ = ["gate_variances", "receptive_fields", "summarize", "test_accuracy"]


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
