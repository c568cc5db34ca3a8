"""Tests of ``attn_course.layers.additive``."""

from __future__ import annotations

import pytest
import torch

import attn_course as ac
from attn_course.core.scores import additive_score, dot_score, general_score
from attn_course.core.softmax import softmax
from attn_course.layers.additive import ScoreAttention


def test_matches_the_formula():
    torch.manual_seed(0)
    m = ac.AdditiveAttention(query_dim=3, key_dim=5, hidden_dim=7)
    s, h = torch.randn(2, 3), torch.randn(2, 4, 5)
    ctx, w = m(s, h)
    e = m.w_v(torch.tanh(m.W_q(s)[:, None, :] + m.W_k(h))).squeeze(-1)  # (B, n_k)
    ref_w = torch.softmax(e, -1)
    torch.testing.assert_close(w, ref_w)
    torch.testing.assert_close(ctx, (ref_w[..., None] * h).sum(1))
    assert ctx.shape == (2, 5) and w.shape == (2, 4)


def test_several_queries_and_separate_values():
    m = ac.AdditiveAttention(3, 5, 7)
    s, h, v = torch.randn(2, 6, 3), torch.randn(2, 4, 5), torch.randn(2, 4, 9)
    ctx, w = m(s, h, v)
    assert ctx.shape == (2, 6, 9) and w.shape == (2, 6, 4)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 6))


def test_padding_mask_zeroes_padded_keys():
    m = ac.AdditiveAttention(3, 5, 7)
    s, h = torch.randn(2, 3), torch.randn(2, 4, 5)
    mask = ac.padding_mask(torch.tensor([2, 4]), 4)[:, 0]  # (B, n_k)
    _, w = m(s, h, mask=mask)
    assert torch.all(w[0, 2:] == 0)
    torch.testing.assert_close(w.sum(-1), torch.ones(2))


def test_length_mismatch_raises():
    m = ac.AdditiveAttention(3, 5, 7)
    with pytest.raises(ValueError, match=r"keys.*\(2, 4, 5\).*values.*\(2, 3, 5\)"):
        m(torch.randn(2, 3), torch.randn(2, 4, 5), torch.randn(2, 3, 5))


@pytest.mark.parametrize("kind", ["dot", "general", "additive"])
def test_score_attention_uses_the_package_scores(kind: str) -> None:
    torch.manual_seed(0)
    att = ScoreAttention(kind, 6)
    q, k = torch.randn(2, 3, 6), torch.randn(2, 5, 6)
    mask = torch.tensor([[[True] * 5], [[True] * 2 + [False] * 3]])
    ctx, w = att(q, k, mask=mask)
    if kind == "dot":
        s = dot_score(q, k)
    elif kind == "general":
        s = general_score(q, k, att.W)
    else:
        s = additive_score(q, k, att.W_q, att.W_k, att.w_v)
    ref = softmax(s, mask=mask)
    torch.testing.assert_close(w, ref)
    torch.testing.assert_close(ctx, ref @ k)
    assert float(w[1, :, 2:].detach().abs().sum()) == 0.0
