"""Sinusoidal and learned positional encodings (chapters 6, 10, 14)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.core.positions import sinusoidal_encoding
from attn_course.layers.positions import LearnedPositionalEmbedding, SinusoidalPositionalEncoding


def reference_pe(N, d, base=10000.0):
    """Straight from the paper's formula, one entry at a time."""
    pe = np.zeros((N, d))
    for pos in range(N):
        for j in range(d):
            i2 = j - (j % 2)
            angle = pos / base ** (i2 / d)
            pe[pos, j] = np.sin(angle) if j % 2 == 0 else np.cos(angle)
    return pe


@pytest.mark.parametrize("N,d", [(1, 1), (5, 4), (7, 9), (50, 16)])
def test_matches_formula(N, d):
    np.testing.assert_allclose(sinusoidal_encoding(N, d), reference_pe(N, d), atol=1e-12)


def test_first_row_and_range():
    pe = sinusoidal_encoding(100, 8)
    np.testing.assert_allclose(pe[0], [0, 1, 0, 1, 0, 1, 0, 1])
    assert np.abs(pe).max() <= 1.0


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 60), st.integers(1, 8), st.integers(1, 20))
def test_relative_offset_is_a_rotation(pos, half, k):
    """PE[pos + k] is a fixed linear map (a rotation per pair) of PE[pos], for every pos."""
    d = 2 * half
    pe = sinusoidal_encoding(pos + k + 1, d)
    omega = 10000.0 ** (-np.arange(0, d, 2) / d)
    out = np.empty(d)
    for i, w in enumerate(omega):
        s, c = pe[pos, 2 * i], pe[pos, 2 * i + 1]
        out[2 * i] = s * np.cos(w * k) + c * np.sin(w * k)
        out[2 * i + 1] = c * np.cos(w * k) - s * np.sin(w * k)
    np.testing.assert_allclose(out, pe[pos + k], atol=1e-9)


def test_torch_like():
    x = torch.zeros(2, dtype=torch.float64)
    t = sinusoidal_encoding(4, 6, like=x)
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float64 and t.shape == (4, 6)


@pytest.mark.parametrize("bad", [dict(N=-1, d_model=4), dict(N=3, d_model=0), dict(N=3, d_model=4, base=1.0)])
def test_bad_arguments(bad):
    with pytest.raises(ValueError):
        sinusoidal_encoding(**bad)


def test_modules_add_positions():
    torch.manual_seed(0)
    x = torch.randn(3, 10, 8)
    sin = SinusoidalPositionalEncoding(8, max_len=32)
    torch.testing.assert_close(sin(x) - x, torch.as_tensor(sinusoidal_encoding(10, 8),
                                                           dtype=torch.float32).expand(3, -1, -1))
    assert len(list(sin.parameters())) == 0
    learned = LearnedPositionalEmbedding(32, 8)
    torch.testing.assert_close(learned(x) - x, learned.embedding.weight[:10].expand(3, -1, -1))
    assert sum(p.numel() for p in learned.parameters()) == 32 * 8


def test_modules_reject_bad_shapes():
    sin = SinusoidalPositionalEncoding(8, max_len=4)
    with pytest.raises(ValueError, match="max_len"):
        sin(torch.zeros(1, 5, 8))
    with pytest.raises(ValueError, match="d_model"):
        LearnedPositionalEmbedding(4, 8)(torch.zeros(1, 3, 7))
