"""The chapter 10 exercise checkers (``attn_course.exercises.ch10``), with right and wrong answers."""

from __future__ import annotations

import numpy as np

from attn_course.core.masks import causal_mask
from attn_course.exercises.ch10 import (
    check_causal_mask,
    check_encoder_block,
    check_encoder_layer_params,
)


def _problems(result):
    assert not result, f"{result.name} should fail"
    assert "❌" in str(result)
    return " ".join(result.problems)


def _post(layer, x):
    x = layer.norm1(x + layer.self_attn(x, x, x)[0])
    return layer.norm2(x + layer.ff(x))


def _pre(layer, x):
    h = layer.norm1(x)
    x = x + layer.self_attn(h, h, h)[0]
    return x + layer.ff(layer.norm2(x))


def test_encoder_block_checker():
    assert check_encoder_block(lambda layer, x: (_pre if layer.norm_first else _post)(layer, x))
    assert "post-norm" in _problems(check_encoder_block(_post))
    assert "pre-norm" in _problems(check_encoder_block(_pre))

    def no_residual(layer, x):
        return layer.norm2(layer.ff(layer.norm1(layer.self_attn(x, x, x)[0])))

    assert not check_encoder_block(no_residual)


def test_causal_mask_checker():
    assert check_causal_mask(lambda n: causal_mask(n))
    assert "inverted" in _problems(check_causal_mask(lambda n: ~causal_mask(n)))
    assert "itself" in _problems(check_causal_mask(lambda n: np.tril(np.ones((n, n), bool), -1)))
    assert "transpose" in _problems(check_causal_mask(lambda n: causal_mask(n).T))
    assert "boolean" in _problems(check_causal_mask(lambda n: causal_mask(n).astype(float)))


def test_encoder_layer_params_checker():
    def right(d, d_ff):
        return 4 * (d * d + d) + 2 * d * d_ff + d_ff + d + 4 * d

    assert check_encoder_layer_params(right)
    assert "layer norms" in _problems(check_encoder_layer_params(lambda d, f: right(d, f) - 4 * d))
    assert "attention" in _problems(check_encoder_layer_params(lambda d, f: right(d, f) - 4 * d * d - 4 * d))
