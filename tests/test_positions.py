"""RoPE, ALiBi and the position methods: their laws, shapes and the small model."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.core.positions import alibi_bias, alibi_slopes, rope_rotate, sinusoidal_encoding
from attn_course.data.tasks import make_repeat_task
from attn_course.experiments.positions import evaluate_lengths, offset_profile, train_position_model
from attn_course.layers.multihead import MultiHeadAttention
from attn_course.layers.positions import (
    ALiBi,
    LearnedAbsolute,
    NoPosition,
    RoPE,
    Sinusoidal,
    make_method,
)
from attn_course.models.positions import PositionModel


def _rot(x, pos):
    """RoPE of a single vector x (d,) at position pos, by explicit 2×2 rotations."""
    d = x.shape[0]
    out = x.clone()
    for i in range(d // 2):
        theta = pos * 10000 ** (-2 * i / d)
        c, s = math.cos(theta), math.sin(theta)
        out[2 * i] = c * x[2 * i] - s * x[2 * i + 1]
        out[2 * i + 1] = s * x[2 * i] + c * x[2 * i + 1]
    return out


def test_rope_matches_explicit_rotations():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(7, 8, generator=g, dtype=torch.float64)
    got = rope_rotate(x, offset=3)
    want = torch.stack([_rot(x[r], 3 + r) for r in range(7)])
    torch.testing.assert_close(got, want)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(0, 200), n=st.integers(0, 200), shift=st.integers(0, 300),
       seed=st.integers(0, 10_000))
def test_rope_score_depends_on_offset_only(m, n, shift, seed):
    g = torch.Generator().manual_seed(seed)
    q, k = torch.randn(2, 16, generator=g, dtype=torch.float64)
    s1 = rope_rotate(q[None], offset=m)[0] @ rope_rotate(k[None], offset=n)[0]
    s2 = rope_rotate(q[None], offset=m + shift)[0] @ rope_rotate(k[None], offset=n + shift)[0]
    assert abs(float(s1 - s2)) < 1e-9


def test_rope_keeps_norms_and_needs_even_d():
    x = torch.randn(2, 3, 10, 8)
    torch.testing.assert_close(rope_rotate(x).norm(dim=-1), x.norm(dim=-1))
    with pytest.raises(ValueError, match="even"):
        rope_rotate(torch.randn(4, 5))


def test_alibi_slopes_and_bias():
    s = alibi_slopes(8)
    torch.testing.assert_close(s, torch.tensor([2.0 ** -(h + 1) for h in range(8)]))
    b = alibi_bias(4, 4, s)
    assert b.shape == (8, 4, 4)
    assert torch.all(torch.diagonal(b, dim1=-2, dim2=-1) == 0)
    assert b[0, 3, 0] == -3 * s[0] and b[0, 0, 3] == -3 * s[0]
    with pytest.raises(ValueError, match="n_heads"):
        alibi_slopes(0)


def test_methods_change_only_their_hook():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, 5, 8, generator=g)
    q = torch.randn(2, 2, 5, 4, generator=g)
    for method in (NoPosition(), Sinusoidal(), LearnedAbsolute(10, 8), ALiBi(2)):
        torch.testing.assert_close(method.rotate(q), q)  # only RoPE rotates
    for method in (NoPosition(), RoPE(), ALiBi(2)):
        torch.testing.assert_close(method.add_to_input(x), x)  # relative: the input is kept
    for method in (NoPosition(), Sinusoidal(), LearnedAbsolute(10, 8), RoPE()):
        assert method.score_bias(5, 5, like=q) is None  # only ALiBi adds a bias
    torch.testing.assert_close(Sinusoidal().add_to_input(x),
                               x + sinusoidal_encoding(5, 8, like=x))
    torch.testing.assert_close(RoPE().rotate(q), rope_rotate(q))
    torch.testing.assert_close(ALiBi(2).score_bias(5, 5, like=q), alibi_bias(5, 5, alibi_slopes(2)))
    assert LearnedAbsolute(10, 8).add_to_input(x).shape == x.shape
    with pytest.raises(ValueError, match="method"):
        make_method("xpos", d_model=8, n_heads=2, max_len=10)


def _position_attention_by_hand(mha, method, x):
    """Causal multi-head self-attention with positions, written out as chapter 14 derives it
    (what the deleted ``PositionAttention`` computed): rotate q and k by position (RoPE),
    add −slope_h |i − j| to the scores (ALiBi), mask the future, softmax, mix the heads."""
    B, N, d_model = x.shape
    H = mha.num_heads
    d_k = d_model // H

    def heads(t):
        return t.view(B, N, H, d_k).transpose(1, 2)  # (B, H, N, d_k)

    q, k, v = heads(mha.W_q(x)), heads(mha.W_k(x)), heads(mha.W_v(x))
    if isinstance(method, RoPE):
        q = torch.stack([torch.stack([_rot(q[b, h, i], i) for i in range(N)])
                         for b in range(B) for h in range(H)]).view(B, H, N, d_k)
        k = torch.stack([torch.stack([_rot(k[b, h, i], i) for i in range(N)])
                         for b in range(B) for h in range(H)]).view(B, H, N, d_k)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (B, H, N, N)
    if isinstance(method, ALiBi):
        i = torch.arange(N)
        dist = (i[:, None] - i[None, :]).abs().to(x.dtype)  # (N, N)
        slopes = torch.tensor([2.0 ** (-8.0 * h / H) for h in range(1, H + 1)], dtype=x.dtype)
        scores = scores - slopes[:, None, None] * dist
    future = torch.triu(torch.ones(N, N, dtype=torch.bool), 1)
    weights = torch.softmax(scores.masked_fill(future, -math.inf), dim=-1)
    out = (weights @ v).transpose(1, 2).reshape(B, N, d_model)
    return mha.W_o(out), weights


@pytest.mark.parametrize("name", ["none", "sinusoidal", "learned", "rope", "alibi"])
def test_hooked_multihead_equals_position_attention_by_hand(name):
    """MultiHeadAttention(positions=method) is the one attention of chapter 14's model: equal
    to the derivation, on the manual and the fused path."""
    torch.manual_seed(0)
    method = make_method(name, d_model=16, n_heads=4, max_len=32)
    mha = MultiHeadAttention(16, 4, positions=method).double()
    x = torch.randn(2, 7, 16, dtype=torch.float64)
    want, want_w = _position_attention_by_hand(mha, method, x)
    with torch.no_grad():
        got, got_w = mha(x, x, x, is_causal=True)
        fast, _ = mha(x, x, x, is_causal=True, need_weights=False)
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(got_w, want_w)
    torch.testing.assert_close(fast, want)


def test_offset_profiles():
    offs = np.arange(-20, 21)
    sin = offset_profile("sinusoidal", offs, d_model=16)
    assert sin[20] == pytest.approx(1.0) and np.allclose(sin, sin[::-1])
    # the profile is the dot product of the sinusoidal table's rows, for any start m
    pe = sinusoidal_encoding(60, 16)
    np.testing.assert_allclose(pe[30] @ pe[30 + offs].T / 8, sin, atol=1e-12)
    rope = offset_profile("rope", offs, d_model=16)
    np.testing.assert_allclose(rope, sin, atol=1e-12)  # all-ones content: the same curve
    c = np.random.default_rng(0).normal(size=16)
    x = torch.tensor(c)[None].expand(41, 16)
    rot = rope_rotate(x.contiguous(), offset=0)  # positions 0 … 40
    got = (rot[20] * rot).sum(-1).numpy() / (c @ c)  # offsets −20 … 20
    np.testing.assert_allclose(offset_profile("rope", offs, d_model=16, content=c), got,
                               atol=1e-12)
    ali = offset_profile("alibi", offs, n_heads=4, head=1)
    np.testing.assert_allclose(ali, -0.0625 * np.abs(offs))
    with pytest.raises(ValueError, match="method"):
        offset_profile("learned", offs)


def test_repeat_task_labels():
    tokens, labels = make_repeat_task(50, 30, vocab=5, window=3, seed=0)
    t2, l2 = make_repeat_task(50, 30, vocab=5, window=3, seed=0)
    assert torch.equal(tokens, t2) and torch.equal(labels, l2)
    for b in range(5):
        for i in range(30):
            want = int(any(tokens[b, j] == tokens[b, i] for j in range(max(0, i - 3), i)))
            assert labels[b, i] == want


@pytest.mark.parametrize("method", ["none", "sinusoidal", "learned", "rope", "alibi"])
def test_model_shapes_and_causality(method):
    torch.manual_seed(0)
    model = PositionModel(6, 2, method, d_model=16, n_heads=2, n_layers=1, max_len=40)
    tokens = torch.randint(6, (3, 20))
    out = model(tokens)
    assert out.shape == (3, 20, 2)
    changed = tokens.clone()
    changed[:, -1] = (changed[:, -1] + 1) % 6
    torch.testing.assert_close(model(changed)[:, :-1], out[:, :-1])  # no peeking ahead


def test_training_reduces_the_loss():
    model, hist = train_position_model("rope", length=16, steps=40, progress=False,
                                       d_model=16, n_layers=1)
    assert np.mean(hist["loss"][-5:]) < np.mean(hist["loss"][:5])
    acc = evaluate_lengths(model, [16, 32], n_seq=16)
    assert set(acc) == {16, 32} and all(0 <= a <= 1 for a in acc.values())
