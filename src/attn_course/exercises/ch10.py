"""Checkers for chapter 10's exercises (the block's forward pass, causal mask, parameters)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..core.masks import causal_mask
from ..layers.transformer import TransformerEncoderLayer
from ..tools.training import count_parameters
from ._base import Checker, CheckResult

__all__ = ["check_causal_mask", "check_encoder_block", "check_encoder_layer_params"]


def check_encoder_block(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(layer, x) -> y``: the forward pass of a
    :class:`~attn_course.layers.transformer.TransformerEncoderLayer` written with its parts
    ``layer.self_attn``, ``layer.ff``, ``layer.norm1``, ``layer.norm2``,
    for ``layer.norm_first`` False (post-norm) and True (pre-norm)."""
    c = Checker("check_encoder_block")
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 5, 16, generator=g) * 3 + 1  # (B, N, d_model)
    for norm_first in (False, True):
        kind = "pre-norm" if norm_first else "post-norm"
        torch.manual_seed(1)
        layer = TransformerEncoderLayer(16, 4, 32, norm_first=norm_first).eval()
        with c.case(f"{kind}: matches the layer's own forward"):
            with torch.no_grad():
                got, want = fn(layer, x), layer(x)[0]
            c.shape(got, (2, 5, 16), "y")
            if norm_first:
                post = _post(layer, x)
                if torch.allclose(torch.as_tensor(got), post, atol=1e-5):
                    raise AssertionError("that is post-norm; with norm_first=True normalise "
                                         "the *input* of each sublayer: x + f(LN(x))")
            else:
                pre = _pre(layer, x)
                if torch.allclose(torch.as_tensor(got), pre, atol=1e-5):
                    raise AssertionError("that is pre-norm; with norm_first=False normalise "
                                         "*after* the residual sum: LN(x + f(x))")
            c.close(got, want, f"the {kind} output", atol=1e-5)
    return c.result()


def _post(layer: TransformerEncoderLayer, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        x = layer.norm1(x + layer.self_attn(x, x, x)[0])
        return layer.norm2(x + layer.ff(x))


def _pre(layer: TransformerEncoderLayer, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        h = layer.norm1(x)
        x = x + layer.self_attn(h, h, h)[0]
        return x + layer.ff(layer.norm2(x))


def check_causal_mask(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(n) -> (n, n)`` boolean, True where query ``i`` may attend to key ``j ≤ i``."""
    c = Checker("check_causal_mask")
    with c.case("shape (n, n) and boolean"):
        m = np.asarray(fn(5))
        c.shape(m, (5, 5), "the mask")
        c.expect(m.dtype == bool, f"the mask should be boolean (True = may attend), got {m.dtype}")
    with c.case("query i sees keys 0 … i (itself included), never the future"):
        m = np.asarray(fn(6))
        want = np.asarray(causal_mask(6))
        if m.shape == want.shape and np.array_equal(m, ~want):
            raise AssertionError("the mask is inverted: True must mean *may attend*")
        if m.shape == want.shape and np.array_equal(m, np.tril(np.ones((6, 6), bool), -1)):
            raise AssertionError("each query must also see itself: keep the diagonal")
        if m.shape == want.shape and np.array_equal(m, want.T):
            raise AssertionError("that is the transpose: rows are queries, so row i may "
                                 "attend to columns j ≤ i")
        c.expect(np.array_equal(m, want), "the mask differs from the lower triangle")
    with c.case("n = 1 gives [[True]]"):
        c.expect(np.array_equal(np.asarray(fn(1)), [[True]]), "a single token sees itself")
    return c.result()


def check_encoder_layer_params(fn: Callable[..., Any]) -> CheckResult:
    """Check ``fn(d_model, d_ff) -> int``: the parameters of one encoder layer (biases
    included; the number of heads does not matter)."""
    c = Checker("check_encoder_layer_params")
    for d, d_ff, h in ((16, 64, 2), (32, 128, 4), (64, 100, 8), (512, 2048, 8)):
        with c.case(f"d_model={d}, d_ff={d_ff}"):
            want = count_parameters(TransformerEncoderLayer(d, h, d_ff))
            got = int(fn(d, d_ff))
            attn = 4 * d * d + 4 * d
            if got == want - 4 * d:
                raise AssertionError(f"got {got}: the two layer norms have a scale and a "
                                     f"shift each ({4 * d} parameters)")
            if got == want - 4 * d - d_ff - d:
                raise AssertionError(f"got {got}: the biases are missing")
            if got == want - attn:
                raise AssertionError(f"got {got}: the attention's W_q, W_k, W_v, W_o are missing")
            c.expect(got == want, f"expected {want} parameters, got {got}")
    return c.result()
