"""The chapter 13 exercise checkers (``attn_course.exercises.ch13``), with right and wrong answers."""

from __future__ import annotations

import math

import torch

from attn_course.exercises.ch13 import (
    check_causal_linear_attention,
    check_causal_tiles,
    check_flash_step,
    check_tile_fit,
)
from attn_course.layers.efficient import elu_feature_map, linear_attention


def right_step(m, l, acc, s, v_block):
    m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))
    alpha = torch.exp(m - m_new)
    p = torch.exp(s - m_new)
    return m_new, l * alpha + p.sum(-1, keepdim=True), acc * alpha + p @ v_block


def no_rescale_step(m, l, acc, s, v_block):  # forgets to rescale the old sums
    m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))
    p = torch.exp(s - m_new)
    return m_new, l + p.sum(-1, keepdim=True), acc + p @ v_block


def test_flash_step_checker():
    assert check_flash_step(right_step)
    bad = check_flash_step(no_rescale_step)
    assert not bad
    assert any("blocks of 2" in p and "off by" in p for p in bad.problems)
    assert "❌" in str(bad)


def test_causal_tiles_checker():
    assert check_causal_tiles(lambda n, b: (t := math.ceil(n / b)) * (t + 1) // 2)
    bad = check_causal_tiles(lambda n, b: (n // b) * (n // b + 1) // 2)  # floor: drops the ragged tile
    assert not bad and any("T (T + 1) / 2" in p for p in bad.problems)


def test_causal_linear_attention_checker():
    assert check_causal_linear_attention(lambda q, k, v: linear_attention(q, k, v, causal=True))

    def not_causal(q, k, v):
        return linear_attention(q, k, v)

    bad = check_causal_linear_attention(not_causal)
    assert not bad and any("no peeking" in p for p in bad.problems)

    def loop(q, k, v):
        fq, fk = elu_feature_map(q), elu_feature_map(k)
        S = torch.zeros(q.shape[1], v.shape[1], dtype=q.dtype)
        z = torch.zeros(q.shape[1], dtype=q.dtype)
        out = []
        for i in range(q.shape[0]):
            S = S + torch.outer(fk[i], v[i])
            z = z + fk[i]
            out.append(fq[i] @ S / (fq[i] @ z))
        return torch.stack(out)

    assert check_causal_linear_attention(loop)


def _largest_tile(cache, d, count_blocks=True):
    b = 1
    while 4 * ((2 * b) ** 2 + (8 * b * d if count_blocks else 0)) <= cache:
        b *= 2
    return b


def test_tile_fit_checker():
    assert check_tile_fit(_largest_tile)
    bad = check_tile_fit(lambda cache, d: _largest_tile(cache, d, count_blocks=False))
    assert not bad and any("four b × d blocks" in p for p in bad.problems)
    strict = check_tile_fit(lambda cache, d: _largest_tile(cache - 1, d))  # "fits" as <
    assert not strict
