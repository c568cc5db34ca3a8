"""Learning the bandwidth of Nadaraya–Watson regression (chapter 2).

The leave-one-out error :func:`attn_course.core.retrieval.loo_mse` is differentiable in
the bandwidth ``h``, so ``h`` can be learned by gradient descent like any weight of a
network: the first "trained attention" of the course.
"""

from __future__ import annotations

import numpy as np
import torch

from ..core.retrieval import loo_mse
from ..tools.training import train

__all__ = ["fit_bandwidth"]


def fit_bandwidth(
    x_train: np.ndarray,
    y_train: np.ndarray,
    *,
    init: float = 1.0,
    steps: int = 200,
    lr: float = 0.05,
    progress: bool = True,
) -> tuple[float, list[float]]:
    """Learn the bandwidth by gradient descent on the leave-one-out MSE (Adam on ``log h``,
    with the course's loop :func:`attn_course.tools.training.train`).

    Returns:
        ``(h, losses)``: the learned bandwidth and the loss at every step.
    """
    x = torch.as_tensor(x_train, dtype=torch.float64)
    y = torch.as_tensor(y_train, dtype=torch.float64)
    log_h = torch.tensor(float(np.log(init)), dtype=torch.float64)
    model = torch.nn.ParameterDict({"log_h": log_h})  # the one weight: log h (h stays > 0)

    def loss_fn(m: torch.nn.Module, _batch: None) -> torch.Tensor:
        return loo_mse(x, y, torch.exp(m["log_h"]))

    history = train(model, lambda step: None, loss_fn, steps, lr, seed=None, progress=progress,
                    desc="fitting h")
    return torch.exp(model["log_h"]).item(), history["loss"]
