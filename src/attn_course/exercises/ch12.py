"""Checkers for the exercises of chapter 12 (the Vision Transformer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..experiments.vit import attention_rollout
from ..models.vit import patchify
from ._base import Checker, CheckResult, run

__all__ = ["check_attention_rollout", "check_patchify"]


def _t(x: Any) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))


def check_patchify(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(x, patch_size) → (B, N, C·p·p)``: patches in row-major order, each
    flattened in ``(C, p, p)`` order (so that it matches a ``Conv2d`` kernel)."""
    c = Checker("check_patchify")
    gen = torch.Generator().manual_seed(21)
    for B, C, H, W, p in ((2, 1, 8, 8, 2), (1, 3, 4, 6, 2), (3, 2, 8, 8, 4)):
        x = torch.randn(B, C, H, W, generator=gen)  # (B, C, H, W)
        N = (H // p) * (W // p)
        expected = patchify(x, p)  # (B, N, C·p·p)
        with c.case(f"x of shape {(B, C, H, W)}, patch size {p}"):
            got = _t(run(fn, x, p))
            c.shape(got, (B, N, C * p * p), "the patches")
            got_px = got.flatten(1).sort(-1).values  # (B, N·C·p·p): every pixel once
            same_sets = torch.allclose(got_px, expected.flatten(1).sort(-1).values)
            c.expect(same_sets, "the patches do not hold the image's pixel values: reshape "
                                "(B, C, H/p, p, W/p, p) before moving any axis")
            first = x[:, :, :p, :p].reshape(B, -1)  # the top-left patch, (C, p, p) order
            c.expect(torch.allclose(got[:, 0].sort(-1).values, first.sort(-1).values),
                     "patch 0 should be the top-left p×p square of the image: a plain reshape "
                     "of (B, C, H, W) mixes rows of different patches — permute the axes to "
                     "(B, H/p, W/p, C, p, p) first")
            c.close(got, expected, "the patches (order within a patch: channel, row, column)")
    return c.result()


def check_attention_rollout(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(weights) → (N, N)``, the attention rollout of one image.

    ``weights (L, n_heads, N, N)``: average the heads, add the identity for the residual and
    renormalise (``(A + I) / 2``), multiply the layers from the first to the last:
    ``R = Â_L ⋯ Â_1``.
    """
    c = Checker("check_attention_rollout")
    gen = torch.Generator().manual_seed(22)
    for L, H, N in ((1, 2, 5), (3, 4, 6)):
        w = torch.softmax(2 * torch.randn(L, H, N, N, generator=gen), dim=-1)  # (L, H, N, N)
        expected = attention_rollout(w)
        with c.case(f"{L} layer(s), {H} heads, {N} tokens"):
            got = _t(run(fn, w)).to(expected.dtype)
            c.shape(got, (N, N), "the rollout")
            c.close(got.sum(-1), torch.ones(N), "the row sums of the rollout", atol=1e-5)
            no_res = w.mean(1)[0]
            for layer in range(1, L):
                no_res = w.mean(1)[layer] @ no_res
            c.expect(not torch.allclose(got, no_res, atol=1e-5),
                     "the residual connection is missing: use (A + I) / 2 for each layer")
            if L > 1:
                wrong_order = 0.5 * (w.mean(1) + torch.eye(N))
                r = wrong_order[0]
                for layer in range(1, L):
                    r = r @ wrong_order[layer]
                c.expect(not torch.allclose(got, r, atol=1e-5),
                         "the layers are multiplied in the wrong order: the last layer goes "
                         "on the left, R = Â_L ⋯ Â_1")
            c.close(got, expected, "the rollout", atol=1e-5)
    return c.result()
