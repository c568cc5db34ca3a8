"""Self- and cross-attention from projections (chapter 6) against torch, and the toy data."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.core.attention import cross_attention, self_attention
from attn_course.data.toy_sentence import toy_sentence, toy_translation


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cross_attention_matches_torch_sdpa(seed):
    g = torch.Generator().manual_seed(seed)
    Xq, Xkv = torch.randn(2, 4, 6, generator=g), torch.randn(2, 7, 6, generator=g)
    Wq, Wk, Wv = (torch.randn(6, d, generator=g) for d in (5, 5, 3))
    out, w = cross_attention(Xq, Xkv, Wq, Wk, Wv)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(Xq @ Wq, Xkv @ Wk, Xkv @ Wv))
    assert w.shape == (2, 4, 7)


def test_numpy_and_torch_agree_and_mask_is_applied():
    s = toy_sentence()
    out_np, w_np = self_attention(s.X, s.W_q, s.W_k, s.W_v, mask=np.tril(np.ones((6, 6), bool)))
    t = [torch.as_tensor(a) for a in (s.X, s.W_q, s.W_k, s.W_v)]
    out_t, w_t = self_attention(*t, mask=torch.tril(torch.ones(6, 6, dtype=torch.bool)))
    np.testing.assert_allclose(out_np, out_t.numpy(), atol=1e-12)
    assert np.all(np.triu(w_np, 1) == 0)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 8))
def test_self_attention_is_permutation_equivariant(seed, N):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 5))
    Wq, Wk, Wv = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    perm = rng.permutation(N)
    out, w = self_attention(X, Wq, Wk, Wv)
    out_p, w_p = self_attention(X[perm], Wq, Wk, Wv)
    np.testing.assert_allclose(out_p, out[perm], atol=1e-10)
    np.testing.assert_allclose(w_p, w[perm][:, perm], atol=1e-10)


def test_bad_shapes_name_the_argument():
    X = np.zeros((4, 6))
    with pytest.raises(ValueError, match="W_q"):
        self_attention(X, np.zeros((5, 3)), np.zeros((6, 3)), np.zeros((6, 3)))
    with pytest.raises(ValueError, match="W_q and W_k"):
        self_attention(X, np.zeros((6, 3)), np.zeros((6, 2)), np.zeros((6, 3)))
    with pytest.raises(ValueError, match="X_q"):
        cross_attention(np.zeros(6), X, np.zeros((6, 3)), np.zeros((6, 3)), np.zeros((6, 3)))


def test_toy_data_reads_as_described():
    s = toy_sentence()
    _, w = self_attention(s.X, s.W_q, s.W_k, s.W_v)
    assert s.tokens[int(w[2].argmax())] == "cat"  # the verb finds its subject
    assert s.tokens[int(w[3].argmax())] == "mat"  # the preposition finds the place
    fr, X_fr, Wq = toy_translation()
    _, wc = cross_attention(X_fr, s.X, Wq, np.eye(8), s.W_v)
    assert wc.shape == (7, 6)
    assert [s.tokens[j] for j in wc.argmax(1)][1:5] == ["cat", "sat", "sat", "on"]
