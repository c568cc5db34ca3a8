"""Tests of ``attn_course.core.online_softmax``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import attn_course as ac
from attn_course.core.online_softmax import (
    online_attention_update,
    online_logsumexp,
    online_softmax,
    online_softmax_init,
    online_softmax_state,
    online_softmax_trace,
    online_softmax_update,
)

finite = st.floats(-1e3, 1e3, allow_nan=False, width=64)


logits = arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 12)), elements=finite)


@given(logits, st.integers(1, 13))
def test_equals_softmax_for_any_block_size(x, b):
    np.testing.assert_allclose(online_softmax(x, b), ac.softmax(x), atol=1e-12)


@given(logits, st.integers(1, 13))
def test_logsumexp_matches(x, b):
    np.testing.assert_allclose(online_logsumexp(x, b), ac.logsumexp(x), rtol=1e-12, atol=1e-9)


@given(logits, st.integers(1, 5), st.data())
def test_masks_like_softmax(x, b, data):
    mask = data.draw(arrays(np.bool_, x.shape))
    p = online_softmax(x, b, mask=mask)
    np.testing.assert_allclose(p, ac.softmax(x, mask=mask), atol=1e-12)
    assert np.all(np.isfinite(p))
    assert np.all(p[~mask.any(-1)] == 0)


def test_large_logits_and_torch():
    x = torch.tensor([[1000.0, 999.0, -1000.0, 1001.0, 3.0]], dtype=torch.float32)
    p = online_softmax(x, 2)
    assert isinstance(p, torch.Tensor) and torch.isfinite(p).all()
    torch.testing.assert_close(p, torch.softmax(x, dim=-1))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_other_axes(axis):
    x = np.random.default_rng(1).normal(size=(4, 6, 5)) * 10
    np.testing.assert_allclose(online_softmax(x, 2, axis=axis), ac.softmax(x, axis=axis), atol=1e-12)


def test_update_rule_by_hand():
    m, l = online_softmax_init(np.zeros((1, 3)))
    assert m.shape == (1, 1) and m[0, 0] == -math.inf and l[0, 0] == 0
    m, l, r = online_softmax_update(m, l, np.array([[1.0, 2.0]]))
    assert r[0, 0] == 0.0 and m[0, 0] == 2.0
    np.testing.assert_allclose(l[0, 0], math.exp(-1) + 1)
    m, l, r = online_softmax_update(m, l, np.array([[5.0]]))
    np.testing.assert_allclose(r[0, 0], math.exp(2 - 5))
    np.testing.assert_allclose(l[0, 0], (math.exp(-1) + 1) * math.exp(-3) + 1)
    np.testing.assert_allclose(m[0, 0] + np.log(l[0, 0]), ac.logsumexp(np.array([1.0, 2, 5])))


def test_fully_masked_blocks_keep_empty_state():
    m, l = online_softmax_init(np.zeros((1, 2)))
    m, l, r = online_softmax_update(m, l, np.array([[-np.inf, -np.inf]]))
    assert m[0, 0] == -np.inf and l[0, 0] == 0 and np.isfinite(r).all()


def test_state_and_trace():
    x = np.array([0.0, 3.0, 1.0, 7.0, 2.0])
    m, l = online_softmax_state(x, 2)
    assert m.shape == (1,) and m[0] == 7.0
    t = online_softmax_trace(x, 2)
    assert t["end"] == [2, 4, 5] and t["m"] == [3.0, 7.0, 7.0]
    np.testing.assert_allclose(t["l"][-1], np.exp(x - 7).sum())


def test_bad_input():
    with pytest.raises(ValueError, match="block_size"):
        online_softmax(np.zeros(3), 0)
    with pytest.raises(ValueError, match="m and l"):
        online_softmax_update(np.zeros((2, 1)), np.zeros((2, 1)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="mask"):
        online_softmax(np.zeros((2, 3)), 2, mask=np.ones((4,), dtype=bool))


def _stream_attention(q, k, v, block, mask=None):
    """Fold key blocks one by one with ``online_attention_update``; return ``acc / l``."""
    xp = np if isinstance(q, np.ndarray) else torch
    m, l = online_softmax_init(q[..., :1])
    acc = xp.zeros(q.shape[:-1] + (v.shape[-1],), dtype=q.dtype)
    for j0 in range(0, k.shape[-2], block):
        s = q @ xp.swapaxes(k[..., j0:j0 + block, :], -1, -2) / math.sqrt(q.shape[-1])
        if mask is not None:
            s = xp.where(mask[..., j0:j0 + block], s, -math.inf)
        m, l, acc = online_attention_update(m, l, acc, s, v[..., j0:j0 + block, :])
    return acc / xp.where(l > 0, l, 1.0)


@given(st.integers(1, 9), st.integers(1, 12), st.integers(1, 12), st.booleans())
def test_attention_update_streams_to_exact_attention(block, n_q, n_k, use_numpy):
    g = torch.Generator().manual_seed(n_q * 100 + n_k)
    q, k, v = (torch.randn(2, n, 3, generator=g, dtype=torch.float64) for n in (n_q, n_k, n_k))
    mask = ac.causal_mask(n_q, n_k, like=q)
    want = ac.scaled_dot_product_attention(q, k, v, mask=mask)[0]
    if use_numpy:
        q, k, v, mask = q.numpy(), k.numpy(), v.numpy(), mask.numpy()
    got = _stream_attention(q, k, v, block, mask)
    assert type(got) is type(q)
    np.testing.assert_allclose(np.asarray(got), want.numpy(), atol=1e-12)


def test_attention_update_after_a_fully_masked_block_and_huge_scores():
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[900.0, 0.0], [1000.0, 0.0], [0.0, 1.0]])
    v = torch.tensor([[1.0], [2.0], [3.0]])
    mask = torch.tensor([[False, True, True]])
    want = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(_stream_attention(q, k, v, 1, mask), want)


def test_attention_update_names_the_shapes():
    m, l = online_softmax_init(torch.zeros(4, 1))
    with pytest.raises(ValueError, match=r"acc .* scores .* v"):
        online_attention_update(m, l, torch.zeros(4, 3), torch.zeros(4, 5), torch.zeros(6, 3))
