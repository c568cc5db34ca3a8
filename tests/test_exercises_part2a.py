"""Chapters 6, 7 and 10: each checker accepts a right answer and explains wrong ones."""

from __future__ import annotations

import numpy as np

from attn_course.core.attention import cross_attention, self_attention
from attn_course.core.masks import causal_mask
from attn_course.core.positions import sinusoidal_encoding
from attn_course.core.softmax import softmax
from attn_course.exercises.ch06 import (
    check_cross_attention,
    check_self_attention,
    check_sinusoidal_encoding,
)
from attn_course.exercises.ch07 import (
    check_mha_flops,
    check_previous_token_score,
    check_split_merge,
)
from attn_course.exercises.ch10 import (
    check_causal_mask,
    check_encoder_block,
    check_encoder_layer_params,
)
from attn_course.experiments.multi_head import mha_flops, previous_token_score


def _problems(result):
    assert not result, f"{result.name} should fail"
    assert "❌" in str(result)
    return " ".join(result.problems)


# --- chapter 6 ------------------------------------------------------------------------------


def test_self_attention_checker():
    assert check_self_attention(lambda X, Wq, Wk, Wv: self_attention(X, Wq, Wk, Wv))

    def unscaled(X, Wq, Wk, Wv):
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        w = softmax(Q @ K.T, axis=-1)
        return w @ V, w

    assert "1/√d_k" in _problems(check_self_attention(unscaled))

    def naive(X, Wq, Wk, Wv):
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        with np.errstate(all="ignore"):
            e = np.exp(Q @ K.T / np.sqrt(Q.shape[-1]))
            w = e / e.sum(-1, keepdims=True)
        return w @ V, w

    assert "stable softmax" in _problems(check_self_attention(naive))

    def wrong_axis(X, Wq, Wk, Wv):
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        w = softmax(Q @ K.T / np.sqrt(Q.shape[-1]), axis=0)
        return w @ V, w

    assert "row sums" in _problems(check_self_attention(wrong_axis))


def test_cross_attention_checker():
    assert check_cross_attention(cross_attention)

    def swapped(Xq, Xkv, Wq, Wk, Wv):
        return cross_attention(Xkv, Xq, Wq, Wk, Wv)

    assert "X_q" in _problems(check_cross_attention(swapped))


def test_sinusoidal_checker():
    assert check_sinusoidal_encoding(sinusoidal_encoding)

    def swapped(N, d):  # cosines in the even columns, sines in the odd ones
        pairs_swapped = np.arange(d).reshape(-1, 2)[:, ::-1].ravel()
        return sinusoidal_encoding(N, d)[:, pairs_swapped]

    assert "swapped" in _problems(check_sinusoidal_encoding(swapped))

    def blocked(N, d):
        a = np.arange(N)[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d)
        return np.concatenate([np.sin(a), np.cos(a)], 1)

    assert "interleave" in _problems(check_sinusoidal_encoding(blocked))


# --- chapter 7 ------------------------------------------------------------------------------


def _split(x, H):
    B, N, d = x.shape
    return x.reshape(B, N, H, d // H).transpose(1, 2)


def _merge(h):
    B, H, N, d_k = h.shape
    return h.transpose(1, 2).reshape(B, N, H * d_k)


def test_split_merge_checker():
    assert check_split_merge(_split, _merge)

    def naive_split(x, H):
        B, N, d = x.shape
        return x.reshape(B, H, N, d // H)

    def naive_merge(h):
        B, H, N, d_k = h.shape
        return h.reshape(B, N, H * d_k)

    assert "mix tokens" in _problems(check_split_merge(naive_split, naive_merge))


def test_mha_flops_checker():
    assert check_mha_flops(lambda a, b, d, h: mha_flops(a, b, d, h)["total"])
    assert "2 FLOPs" in _problems(check_mha_flops(lambda a, b, d, h: mha_flops(a, b, d, h)["total"] // 2))
    no_proj = check_mha_flops(lambda a, b, d, h: 4 * a * b * d)
    assert "projections" in _problems(no_proj)

    def per_head(a, b, d, h):  # forgets that there are h heads
        f = mha_flops(a, b, d, h)
        return f["projections"] + (f["scores"] + f["weighted_sum"]) // h

    assert "expected" in _problems(check_mha_flops(per_head))


def test_previous_token_score_checker():
    assert check_previous_token_score(lambda w: previous_token_score(np.asarray(w)))

    def including_first(w):
        w = np.asarray(w)
        sub = np.diagonal(w, -1, -2, -1)
        return sub.sum(-1) / w.shape[-1]

    assert "query 0" in _problems(check_previous_token_score(including_first))
    next_token = check_previous_token_score(lambda w: np.diagonal(np.asarray(w), 1, -2, -1).mean(-1))
    assert "next" in _problems(next_token)


# --- chapter 10 -----------------------------------------------------------------------------


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


def test_checkers_survive_a_crashing_solution():
    def boom(*args):
        raise RuntimeError("boom")

    for check in (check_self_attention, check_sinusoidal_encoding, check_mha_flops,
                  check_previous_token_score, check_causal_mask, check_encoder_layer_params):
        res = check(boom)
        assert not res and "RuntimeError" in " ".join(res.problems)
    assert not check_split_merge(boom, boom) and not check_encoder_block(boom)
    assert not check_cross_attention(boom)
