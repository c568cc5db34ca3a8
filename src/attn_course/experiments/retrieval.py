"""Learning the bandwidth of Nadaraya–Watson regression (chapter 2).

The leave-one-out error :func:`attn_course.core.retrieval.loo_mse` is differentiable in
the bandwidth ``h``, so ``h`` can be learned by gradient descent like any weight of a
network: the first "trained attention" of the course.
"""

from __future__ import annotations

import numpy as np

from ..core.retrieval import loo_mse

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
    """Learn the bandwidth by gradient descent on the leave-one-out MSE (Adam on ``log h``).

    Returns:
        ``(h, losses)``: the learned bandwidth and the loss at every step.
    """
    import torch
    from tqdm.auto import tqdm

    x = torch.as_tensor(x_train, dtype=torch.float64)
    y = torch.as_tensor(y_train, dtype=torch.float64)
    log_h = torch.tensor(float(np.log(init)), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([log_h], lr=lr)
    losses = []
    for _ in tqdm(range(steps), desc="fitting h", disable=not progress):
        opt.zero_grad()
        loss = loo_mse(x, y, torch.exp(log_h))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return torch.exp(log_h).item(), losses
