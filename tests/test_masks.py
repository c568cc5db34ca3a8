"""causal_mask and padding_mask: the True = may attend convention."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import attn_course as ac


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


def test_causal_rectangular_aligns_last_queries():
    m = ac.causal_mask(2, 5)
    np.testing.assert_array_equal(m, [[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]])


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
