"""Tests of ``attn_course.core.positions``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.core.positions import alibi_bias, alibi_slopes, rope_rotate, sinusoidal_encoding


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


def test_rope_offset_and_precomputed_table():
    x = torch.randn(2, 3, 5, 8)
    whole = rope_rotate(torch.cat([torch.zeros(2, 3, 4, 8), x], dim=2))[:, :, 4:]
    torch.testing.assert_close(rope_rotate(x, offset=4), whole)  # rows are positions 4 … 8
    table = sinusoidal_encoding(40, 8, like=x)
    torch.testing.assert_close(rope_rotate(x, offset=4, table=table), rope_rotate(x, offset=4))
    with pytest.raises(ValueError, match="table"):
        rope_rotate(x, offset=36, table=table)  # needs 41 rows
    with pytest.raises(ValueError, match="offset"):
        rope_rotate(x, offset=-1)


def test_alibi_bias_offset_is_the_bottom_rows():
    slopes = alibi_slopes(4)
    torch.testing.assert_close(alibi_bias(2, 6, slopes, offset=4), alibi_bias(6, 6, slopes)[:, 4:])

def test_sinusoidal_encoding_2d_is_rows_then_columns():
    from attn_course.core.positions import sinusoidal_encoding, sinusoidal_encoding_2d

    t = sinusoidal_encoding_2d(3, 5, 8)
    assert t.shape == (15, 8)
    rows = torch.as_tensor(sinusoidal_encoding(3, 4), dtype=torch.float32)
    cols = torch.as_tensor(sinusoidal_encoding(5, 4), dtype=torch.float32)
    for p in range(15):
        r, c = divmod(p, 5)
        torch.testing.assert_close(t[p], torch.cat([rows[r], cols[c]]))
    with pytest.raises(ValueError, match="even"):
        sinusoidal_encoding_2d(2, 2, 7)
