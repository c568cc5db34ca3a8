"""Checkers for the exercises of chapter 11 (attention on feature maps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..core.attention import scaled_dot_product_attention
from ..experiments.vision import attention_cost
from ..layers.vision import SqueezeExcitation
from ._base import Checker, CheckResult, run

__all__ = ["check_attention_memory", "check_pixel_attention", "check_squeeze_excitation"]


def _t(x: Any) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))


def check_squeeze_excitation(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(x, W1, b1, W2, b2) → y``, a squeeze-and-excitation block.

    ``x (B, C, H, W)``, ``W1 (C_r, C)``, ``b1 (C_r,)``, ``W2 (C, C_r)``, ``b2 (C,)``;
    ``y = x · σ(W2 relu(W1 mean_{h,w}(x) + b1) + b2)`` broadcast over ``(H, W)``.
    """
    c = Checker("check_squeeze_excitation")
    gen = torch.Generator().manual_seed(11)
    for B, C, H, W, r in ((2, 8, 5, 5, 2), (3, 12, 4, 6, 4)):
        block = SqueezeExcitation(C, reduction=r)
        with torch.no_grad():
            for p in block.parameters():
                p.copy_(torch.randn(p.shape, generator=gen))
        x = torch.randn(B, C, H, W, generator=gen) + 0.5  # (B, C, H, W)
        args = (x, block.mlp[0].weight.detach(), block.mlp[0].bias.detach(),
                block.mlp[2].weight.detach(), block.mlp[2].bias.detach())
        with c.case(f"x of shape {(B, C, H, W)}, bottleneck {C}→{C // r}→{C}"):
            y = _t(run(fn, *args))
            c.shape(y, (B, C, H, W), "y")
            with torch.no_grad():
                expected = block(x)
                w = block.weights(x)  # (B, C)
            ratio = (y / x).flatten(2)  # (B, C, H·W): one weight per channel
            spread = float((ratio.amax(-1) - ratio.amin(-1)).abs().max())
            c.expect(spread < 1e-4, "each channel should be multiplied by ONE number (the same "
                                    "at every pixel): pool over H and W before the MLP")
            got_w = ratio.mean(-1)
            c.expect(bool(((got_w > 0) & (got_w < 1)).all()),
                     "the channel weights y/x should lie in (0, 1): apply a sigmoid at the end")
            c.close(got_w, w, "the channel weights y / x", atol=1e-4)
            c.close(y, expected, "y", atol=1e-4)
    return c.result()


def check_attention_memory(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(height, width, *, batch=1, n_heads=1, bytes_per_float=4) → bytes``.

    The memory of the attention weights of full self-attention over the pixels:
    ``batch · n_heads · (H·W)² · bytes_per_float``.
    """
    c = Checker("check_attention_memory")
    cases = [((8, 8), {}), ((32, 32), {}), ((14, 20), {}),
             ((224, 224), {"batch": 1, "n_heads": 1, "bytes_per_float": 4}),
             ((16, 16), {"batch": 8, "n_heads": 4, "bytes_per_float": 2})]
    for (h, w), kw in cases:
        b, nh = kw.get("batch", 1), kw.get("n_heads", 1)
        expected = b * nh * attention_cost(h, w, 1, bytes_per_float=kw.get("bytes_per_float", 4))[
            "weight_bytes"]
        with c.case(f"H={h}, W={w}, {kw or 'defaults'}"):
            got = run(fn, h, w, **kw)
            n = h * w
            c.expect(got != n * kw.get("bytes_per_float", 4) * b * nh,
                     f"got {got:,} bytes, which counts N = H·W = {n} entries per head: the weight "
                     f"matrix has one entry per (query pixel, key pixel) pair, N² of them")
            c.expect(int(got) == expected, f"expected {expected:,} bytes, got {got:,}")
    return c.result()


def check_pixel_attention(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(x, W_q, W_k, row, col) → (H, W)``: where pixel ``(row, col)`` attends.

    ``x (C, H, W)`` a feature map, ``W_q, W_k (d_k, C)`` 1×1 projections (no bias). The
    answer is the attention row of query pixel ``(row, col)`` over all key pixels, with
    scaled dot-product scores, laid out on the ``(H, W)`` grid; it sums to one.
    """
    c = Checker("check_pixel_attention")
    gen = torch.Generator().manual_seed(12)
    for C, H, W, d_k, (row, col) in ((6, 5, 5, 3, (2, 1)), (8, 4, 7, 4, (0, 6))):
        x = torch.randn(C, H, W, generator=gen)  # (C, H, W)
        W_q = torch.randn(d_k, C, generator=gen)  # (d_k, C)
        W_k = torch.randn(d_k, C, generator=gen)  # (d_k, C)
        tokens = x.reshape(C, H * W).T  # (N, C)
        _, weights = scaled_dot_product_attention(tokens @ W_q.T, tokens @ W_k.T,
                                                  tokens)  # (N, N)
        expected = weights[row * W + col].reshape(H, W)  # (H, W)
        with c.case(f"x of shape {(C, H, W)}, d_k={d_k}, query pixel ({row}, {col})"):
            got = _t(run(fn, x, W_q, W_k, row, col))
            c.shape(got, (H, W), "the attention map")
            column = weights[:, row * W + col].reshape(H, W)  # (H, W)
            c.expect(not torch.allclose(got.float(), column, atol=1e-4),
                     "this is the COLUMN of the pixel (how much every pixel attends to it); "
                     "take its ROW (where it attends)")
            c.close(got.sum(), 1.0, "the sum of the map (a query's weights sum to one)",
                    atol=1e-4)
            c.close(got, expected, "the attention map", atol=1e-4)
    return c.result()
