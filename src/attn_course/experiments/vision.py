"""Attention on images (chapters 11–12): what it costs, and training the digit classifiers.

Full self-attention over a ``H × W`` feature map treats every pixel as a token, so
``N = H·W`` and the score matrix has ``N² = (H·W)²`` entries: the cost grows with the
*fourth* power of the side length. A 3×3 convolution touches 9 neighbours per pixel:
its cost grows with ``H·W``. :func:`attention_cost`, :func:`conv_cost` and
:func:`measure_pixel_costs` count both (FLOPs, bytes) and measure them.

:func:`train_classifier` trains a digit classifier (a CNN of chapter 11 or a ViT of
chapter 12, images ``(B, 1, 8, 8)`` → logits ``(B, 10)``) on
:func:`attn_course.data.digits.load_digits` with the course's loop.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ..core.attention import scaled_dot_product_attention
from ..data.digits import Digits
from ..tools.measure import time_call, time_calls
from ..tools.threads import torch_threads
from ..tools.training import accuracy, minibatches, train

__all__ = [
    "PixelCost",
    "attention_time_breakdown",
    "TrainResult",
    "attention_cost",
    "conv_cost",
    "measure_pixel_costs",
    "train_classifier",
]


def _check_positive(**kw: int) -> None:
    for name, v in kw.items():
        if int(v) != v or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")


def attention_cost(
    height: int, width: int, d_k: int, d_v: int | None = None, *, bytes_per_float: int = 4
) -> dict[str, int]:
    """FLOPs and weight-matrix memory of one head of self-attention over ``H·W`` pixels.

    Counts the two matrix products (``q kᵀ``: ``2 N² d_k``; ``weights · v``: ``2 N² d_v``),
    not the softmax or the projections (both ``O(N)``, negligible at large ``N``).

    Returns:
        ``{"positions": N, "flops": 2 N² (d_k + d_v), "weight_bytes": N² · bytes_per_float}``
        for one image and one head.
    """
    d_v = d_k if d_v is None else d_v
    _check_positive(height=height, width=width, d_k=d_k, d_v=d_v,
                    bytes_per_float=bytes_per_float)
    n = height * width
    return {"positions": n, "flops": 2 * n * n * (d_k + d_v),
            "weight_bytes": n * n * bytes_per_float}


def conv_cost(
    height: int, width: int, c_in: int, c_out: int, kernel_size: int = 3,
    *, bytes_per_float: int = 4,
) -> dict[str, int]:
    """FLOPs and output memory of a ``kernel_size²`` convolution (stride 1, same padding).

    Returns:
        ``{"flops": 2 · H·W · c_in · c_out · k², "output_bytes": H·W · c_out · bytes_per_float}``.
    """
    _check_positive(height=height, width=width, c_in=c_in, c_out=c_out,
                    kernel_size=kernel_size, bytes_per_float=bytes_per_float)
    n = height * width
    return {"flops": 2 * n * c_in * c_out * kernel_size**2,
            "output_bytes": n * c_out * bytes_per_float}


@dataclass(frozen=True)
class PixelCost:
    """One row of the cost table: a ``size × size`` map, counted and (if small) timed.

    ``attn_seconds`` / ``conv_seconds`` are ``None`` for sizes too large to run.
    """

    size: int
    positions: int
    attn_flops: int
    attn_bytes: int
    conv_flops: int
    attn_seconds: float | None
    conv_seconds: float | None


@torch.no_grad()
def measure_pixel_costs(
    sizes: Sequence[int],
    *,
    channels: int = 32,
    d_k: int = 32,
    max_measured: int = 64,
    repeats: int = 3,
    threads: int | None = 1,
    seed: int = 0,
) -> list[PixelCost]:
    """Count, and time where ``size ≤ max_measured``, attention vs a 3×3 convolution.

    For each ``size`` the map is ``(1, channels, size, size)``. Attention is one head of
    :func:`attn_course.scaled_dot_product_attention` over the ``size²`` positions with
    queries, keys and values of width ``d_k`` (the score matrix is materialised, as in
    the non-local block); the convolution is ``nn.Conv2d(channels, channels, 3)``.
    Times are the best of ``repeats`` runs on ``threads`` CPU threads (restored after).
    """
    if not sizes:
        raise ValueError("sizes must not be empty")
    _check_positive(channels=channels, d_k=d_k, repeats=repeats)
    gen = torch.Generator().manual_seed(seed)
    conv = nn.Conv2d(channels, channels, 3, padding=1)
    rows = []
    with torch_threads(threads):
        for s in sizes:
            _check_positive(size=s)
            a = attention_cost(s, s, d_k)
            c = conv_cost(s, s, channels, channels, 3)
            attn_t = conv_t = None
            if s <= max_measured:
                tokens = torch.randn(1, s * s, d_k, generator=gen)  # (1, N, d_k)
                image = torch.randn(1, channels, s, s, generator=gen)  # (1, C, H, W)
                attn_t = time_call(scaled_dot_product_attention, tokens, tokens, tokens,
                                   repeats=repeats, warmup=1, stat="min")
                conv_t = time_call(conv, image, repeats=repeats, warmup=1, stat="min")
            rows.append(PixelCost(s, a["positions"], a["flops"], a["weight_bytes"],
                                  c["flops"], attn_t, conv_t))
    return rows


@torch.no_grad()
def attention_time_breakdown(
    size: int = 64, *, channels: int = 32, d_k: int = 32, repeats: int = 3,
    threads: int | None = 1, seed: int = 0,
) -> dict[str, float]:
    """Where the time of one attention head over a ``size × size`` map goes, in seconds.

    Times, round-robin on ``threads`` threads (:func:`attn_course.tools.measure.time_calls`):
    ``"conv"`` a 3×3 convolution ``channels → channels``; ``"scores"`` the product
    ``q kᵀ`` ``(N, d_k) × (d_k, N)``; ``"softmax"`` :func:`attn_course.core.softmax.softmax`
    of the ``N × N`` scores; ``"weighted_sum"`` the product ``weights · v``;
    ``"attention"`` the whole of :func:`attn_course.core.attention.scaled_dot_product_attention`;
    ``"fused"`` torch's ``scaled_dot_product_attention``, which never stores the ``N × N``
    matrix (it works through it in tiles, the algorithm of chapter 13).
    """
    from ..core.softmax import softmax

    _check_positive(size=size, channels=channels, d_k=d_k, repeats=repeats)
    gen = torch.Generator().manual_seed(seed)
    n = size * size
    q, k, v = (torch.randn(1, n, d_k, generator=gen) for _ in range(3))  # (1, N, d_k) each
    scores = q @ k.transpose(1, 2)  # (1, N, N)
    weights = softmax(scores, axis=-1)  # (1, N, N)
    image = torch.randn(1, channels, size, size, generator=gen)  # (1, C, H, W)
    conv = nn.Conv2d(channels, channels, 3, padding=1)
    fns = {
        "conv": lambda: conv(image),
        "scores": lambda: q @ k.transpose(1, 2),
        "softmax": lambda: softmax(scores, axis=-1),
        "weighted_sum": lambda: weights @ v,
        "attention": lambda: scaled_dot_product_attention(q, k, v),
        # (1, 1, N, d_k): with a head axis torch's CPU kernel runs fused (flash); a 3-D
        # input falls back to its unfused math path, slower than ours
        "fused": lambda: nn.functional.scaled_dot_product_attention(q[:, None], k[:, None],
                                                                    v[:, None]),
    }
    return time_calls(fns, repeats=repeats, warmup=1, stat="min", threads=threads)


@dataclass
class TrainResult:
    """What :func:`train_classifier` measured: per-step loss, final accuracies, seconds."""

    losses: list[float]
    train_accuracy: float
    test_accuracy: float
    seconds: float


def train_classifier(
    model: nn.Module,
    data: Digits,
    *,
    epochs: int = 10,
    lr: float = 3e-3,
    batch_size: int = 64,
    weight_decay: float = 1e-4,
    seed: int = 0,
    progress: bool = True,
    desc: str = "training",
    threads: int | None = 1,
) -> TrainResult:
    """Train ``model`` (images ``(B, 1, 8, 8)`` → logits ``(B, 10)``) with cross-entropy.

    A thin wrapper of the course's loop :func:`attn_course.tools.training.train`: AdamW,
    a linear warm-up over the first epoch then a cosine decay, minibatches in an order
    fixed by ``seed``, a progress bar. The model's initialisation is the
    caller's business (seed before building it).

    ``threads``: torch CPU threads while training (restored afterwards; None = leave as
    is), passed to the loop. Models this small train fastest on one thread; on a busy
    machine two threads that wait for each other were measured 10× slower.
    """
    if epochs <= 0 or batch_size <= 0:
        raise ValueError(f"epochs and batch_size must be positive, got {epochs}, {batch_size}")
    steps_per_epoch = data.x_train.shape[0] // batch_size
    batches = minibatches(data.x_train, data.y_train, batch_size=batch_size, seed=seed)

    def loss_fn(m: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
        x, y = batch
        return nn.functional.cross_entropy(m(x), y)  # x (b, 1, 8, 8), y (b,)

    start = time.perf_counter()
    history = train(model, batches, loss_fn, epochs * steps_per_epoch, lr, seed=seed,
                    progress=progress, weight_decay=weight_decay, warmup=steps_per_epoch,
                    schedule="cosine", desc=desc, threads=threads)
    seconds = time.perf_counter() - start
    return TrainResult(
        history["loss"],
        accuracy(model, data.x_train, data.y_train),
        accuracy(model, data.x_test, data.y_test),
        seconds,
    )
