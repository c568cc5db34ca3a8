"""Tests of ``attn_course.core.masks``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import attn_course as ac
from attn_course.core.masks import sliding_window_mask


def test_sliding_window_mask():
    m = sliding_window_mask(5, 1)
    assert m.dtype == bool and m.shape == (5, 5)
    assert sliding_window_mask(5, 1, like=torch.zeros(1)).dtype == torch.bool
    assert m.sum().item() == 5 + 2 * 4
    assert not sliding_window_mask(5, 2, causal=True)[0, 1]
    with pytest.raises(ValueError, match="window"):
        sliding_window_mask(5, -1)


def test_causal_square_is_lower_triangle():
    np.testing.assert_array_equal(ac.causal_mask(4), np.tril(np.ones((4, 4), bool)))


def test_causal_matches_torch_is_causal_convention():
    # torch's is_causal uses the top-left aligned lower triangle for square inputs
    q = torch.randn(1, 5, 8)
    k = torch.randn(1, 5, 8)
    v = torch.randn(1, 5, 8)
    ref = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    out, _ = ac.scaled_dot_product_attention(q, k, v, mask=ac.causal_mask(5, like=q))
    torch.testing.assert_close(out, ref, atol=1e-6, rtol=1e-5)


def test_causal_rectangular_is_top_left():
    np.testing.assert_array_equal(ac.causal_mask(2, 5), [[1, 0, 0, 0, 0], [1, 1, 0, 0, 0]])
    np.testing.assert_array_equal(ac.causal_mask(3, 2), [[1, 0], [1, 1], [1, 1]])


def test_causal_offset_gives_the_decoding_alignment():
    # n_q new queries after n_k - n_q cached keys: offset = n_k - n_q (bottom-right)
    np.testing.assert_array_equal(ac.causal_mask(2, 5, offset=3),
                                  [[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]])
    np.testing.assert_array_equal(ac.causal_mask(3, offset=-1), np.tril(np.ones((3, 3)), -1))


@pytest.mark.parametrize("n_q, n_k", [(3, 6), (5, 5), (7, 4), (1, 9), (9, 1)])
def test_one_causal_alignment(n_q, n_k):
    """flash_attention(causal=True), the mask of causal_mask, torch's is_causal and
    MultiHeadAttention(is_causal=True) agree for rectangular shapes too."""
    g = torch.Generator().manual_seed(n_q * 10 + n_k)
    q = torch.randn(2, 3, n_q, 8, generator=g, dtype=torch.float64)
    k = torch.randn(2, 3, n_k, 8, generator=g, dtype=torch.float64)
    v = torch.randn(2, 3, n_k, 5, generator=g, dtype=torch.float64)
    want, _ = ac.scaled_dot_product_attention(q, k, v, mask=ac.causal_mask(n_q, n_k))
    torch.testing.assert_close(ac.flash_attention(q, k, v, causal=True, block_size=2), want)
    torch.testing.assert_close(
        torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True), want)
    mha = ac.MultiHeadAttention(12, 3).double()
    xq = torch.randn(2, n_q, 12, generator=g, dtype=torch.float64)
    xkv = torch.randn(2, n_k, 12, generator=g, dtype=torch.float64)
    with torch.no_grad():
        got, _ = mha(xq, xkv, xkv, is_causal=True)
        ref, _ = mha(xq, xkv, xkv, mask=ac.causal_mask(n_q, n_k))
        fast, _ = mha(xq, xkv, xkv, is_causal=True, need_weights=False)
    torch.testing.assert_close(got, ref)
    torch.testing.assert_close(fast, ref)


def test_causal_like_torch():
    m = ac.causal_mask(3, like=torch.zeros(1))
    assert isinstance(m, torch.Tensor) and m.dtype == torch.bool


def test_padding_mask():
    m = ac.padding_mask([2, 0, 3], 3)
    assert m.shape == (3, 1, 3)
    np.testing.assert_array_equal(m[:, 0], [[1, 1, 0], [0, 0, 0], [1, 1, 1]])
    mt = ac.padding_mask(torch.tensor([1, 2]), 2)
    assert isinstance(mt, torch.Tensor) and mt.dtype == torch.bool


@pytest.mark.parametrize("lengths", [[4], [-1], [[1, 2]]])
def test_padding_mask_bad_lengths(lengths):
    with pytest.raises(ValueError, match="lengths"):
        ac.padding_mask(lengths, 3)
