"""The fast paths give the reference's answer (issue 20): values and gradients.

:func:`attn_course.softmax` runs torch's fused softmax (torch) or an in-place NumPy version;
:func:`attn_course.core.softmax.softmax_reference` is the definition chapter 5 teaches.
Hypothesis draws shapes (empty and one-element axes included), dtypes, axes, temperatures,
masks (fully masked rows included) and the hostile values of ``tests/test_bad_input.py``
(NaN, ±∞, ±3e38); the two paths must agree — same kind, dtype, shape, NaN in the same
places, values within a rounding of the dtype — and so must their gradients. Attention and
multi-head attention are compared with themselves inside ``reference_path()``. No timing
here: ``benchmarks/core_bench.py`` measures the speed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import attn_course as ac
from attn_course.core.softmax import reference_path, softmax_reference

TOL = {torch.float64: 1e-12, torch.float32: 2e-6, torch.float16: 1e-3, torch.bfloat16: 8e-3,
       np.float64: 1e-12, np.float32: 2e-6, np.float16: 1e-3}
HOSTILE = [math.nan, math.inf, -math.inf, 3e38, -3e38, 1e4, -1e4, 0.0]


def _np(a):
    return a.detach().float().cpu().numpy() if torch.is_tensor(a) else np.asarray(a)


def same(got, want, dtype) -> None:
    """Same kind, dtype, shape; NaN in the same places; values within the dtype's rounding."""
    assert type(got) is type(want)
    assert got.dtype == want.dtype and tuple(got.shape) == tuple(want.shape)
    g, w = _np(got).astype(np.float64), _np(want).astype(np.float64)
    np.testing.assert_array_equal(np.isnan(g), np.isnan(w))
    tol = TOL[dtype]
    np.testing.assert_allclose(g, w, rtol=tol, atol=tol, equal_nan=True)


@st.composite
def logits(draw, hostile: bool = True):
    """(x as float64 NumPy, axis, mask or None, temperature)."""
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=1, max_size=3)))
    ax = draw(st.integers(-len(shape), len(shape) - 1))
    x = np.asarray(draw(st.lists(st.floats(-30, 30), min_size=math.prod(shape),
                                 max_size=math.prod(shape))), dtype=np.float64).reshape(shape)
    if hostile and x.size and draw(st.booleans()):  # a few hostile values at random places
        for _ in range(draw(st.integers(1, 3))):
            idx = tuple(draw(st.integers(0, s - 1)) for s in shape)
            x[idx] = draw(st.sampled_from(HOSTILE))
    mask = None
    if draw(st.booleans()):
        mshape = shape if draw(st.booleans()) else (1,) * (len(shape) - 1) + shape[-1:]
        bits = draw(st.lists(st.booleans(), min_size=math.prod(mshape), max_size=math.prod(mshape)))
        mask = np.asarray(bits, dtype=bool).reshape(mshape)
        if mask.ndim == len(shape) and len(shape) > 1 and shape[0] and draw(st.booleans()):
            mask[0] = False  # fully masked rows
    t = draw(st.sampled_from([1.0, 1.0, 0.5, 1e-3, 3.0]))
    return x, ax, mask, t


@settings(max_examples=150, deadline=None)
@given(case=logits(), dtype=st.sampled_from([torch.float64, torch.float32, torch.float16,
                                             torch.bfloat16]))
def test_torch_softmax_fast_equals_reference(case, dtype):
    x, ax, mask, t = case
    xt = torch.as_tensor(x).to(dtype)
    m = None if mask is None else torch.as_tensor(mask)
    same(ac.softmax(xt, ax, temperature=t, mask=m),
         softmax_reference(xt, ax, temperature=t, mask=m), dtype)


@settings(max_examples=150, deadline=None)
@given(case=logits(), dtype=st.sampled_from([np.float64, np.float32, np.float16]))
def test_numpy_softmax_fast_equals_reference(case, dtype):
    x, ax, mask, t = case
    with np.errstate(over="ignore"):
        xn = x.astype(dtype)  # ±3e38 → ±∞ in float16
    same(ac.softmax(xn, ax, temperature=t, mask=mask),
         softmax_reference(xn, ax, temperature=t, mask=mask), dtype)


@settings(max_examples=100, deadline=None)
@given(case=logits(hostile=False), all_minus_inf=st.booleans())
def test_softmax_gradients_fast_equal_reference(case, all_minus_inf):
    """float64 gradients, fully masked rows and rows of −∞ included (finite logits
    otherwise: the gradient of a NaN row is NaN on both paths, nothing to compare)."""
    x, ax, mask, t = case
    if all_minus_inf and x.size:
        x[(0,) * (x.ndim - 1)] = -math.inf  # one row (along the last axis) of −∞
    m = None if mask is None else torch.as_tensor(mask)
    grads = []
    g = torch.as_tensor(np.random.default_rng(0).standard_normal(x.shape))
    for fn in (ac.softmax, softmax_reference):
        xt = torch.as_tensor(x).requires_grad_(True)
        p = fn(xt, ax, temperature=t, mask=m)
        (p * g).nan_to_num().sum().backward()
        grads.append(xt.grad)
    same(grads[0], grads[1], torch.float64)


@st.composite
def attention_case(draw):
    B, n_q, n_k, d = (draw(st.integers(lo, 4)) for lo in (1, 0, 0, 1))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    q, k, v = (rng.standard_normal(s) for s in ((B, n_q, d), (B, n_k, d), (B, n_k, d + 1)))
    mask = None
    if draw(st.booleans()):
        mask = rng.random((B, n_q, n_k)) < 0.6
        if n_q:
            mask[:, 0] = False  # a fully masked query
    bias = rng.standard_normal((n_q, n_k)) if draw(st.booleans()) else None
    return q, k, v, mask, bias


@settings(max_examples=60, deadline=None)
@given(case=attention_case(), dtype=st.sampled_from([torch.float64, torch.float32,
                                                     torch.float16, torch.bfloat16]))
def test_attention_fast_equals_reference(case, dtype):
    """Values and gradients of ``scaled_dot_product_attention`` on both paths."""
    q, k, v, mask, bias = case
    m = None if mask is None else torch.as_tensor(mask)
    b = None if bias is None else torch.as_tensor(bias).to(dtype)
    results = []
    for ref in (False, True):
        ts = [torch.as_tensor(a).to(dtype).requires_grad_(True) for a in (q, k, v)]
        if ref:
            with reference_path():
                out, w = ac.scaled_dot_product_attention(*ts, mask=m, bias=b)
        else:
            out, w = ac.scaled_dot_product_attention(*ts, mask=m, bias=b)
        (out.sum() + (w * w).sum()).backward()
        results.append([out, w] + [t.grad for t in ts])
    with torch.no_grad():  # no gradient recorded: the fast path overwrites its own scores
        ts = [torch.as_tensor(a).to(dtype) for a in (q, k, v)]
        results.append(list(ac.scaled_dot_product_attention(*ts, mask=m, bias=b)) + [None] * 3)
    tol = {torch.float64: 1e-10, torch.float32: 1e-5}.get(dtype, 1e-2)  # half: one rounding
    for got, want, fast_no_grad in zip(results[0], results[1], results[2]):
        np.testing.assert_allclose(_np(got), _np(want), rtol=tol, atol=tol)
        if fast_no_grad is not None:
            np.testing.assert_allclose(_np(fast_no_grad), _np(want), rtol=tol, atol=tol)


@pytest.mark.parametrize("masked", [False, True])
def test_multihead_weights_fast_equal_reference(masked):
    torch.manual_seed(0)
    mha = ac.MultiHeadAttention(16, 4).double()
    x = torch.randn(3, 6, 16, dtype=torch.float64)
    mask = ac.padding_mask([6, 0, 3], 6, like=x)[:, None] if masked else None  # (B, 1, 1, N)
    outs = []
    for ref in (False, True):
        xi = x.clone().requires_grad_(True)
        if ref:
            with reference_path():
                out, w = mha(xi, xi, xi, mask=mask, is_causal=True)
        else:
            out, w = mha(xi, xi, xi, mask=mask, is_causal=True)
        out.sum().backward()
        outs.append((out, w, xi.grad))
    for got, want in zip(*outs):
        torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)


def test_user_tensor_is_never_modified():
    """The fast path masks and divides in place only what it made itself."""
    x = torch.randn(4, 5)
    keep = x.clone()
    mask = torch.rand(4, 5) < 0.5
    ac.softmax(x, mask=mask, temperature=0.5)
    ac.softmax(x, temperature=3.0)
    q = torch.randn(2, 3, 4)
    q0 = q.clone()
    ac.scaled_dot_product_attention(q, q, q, mask=torch.rand(3, 3) < 0.5)
    assert torch.equal(x, keep) and torch.equal(q, q0)


def test_multihead_self_attention_projection_equals_three_maps():
    """``MultiHeadAttention.project``: one product with ``[W_q W_k W_v]`` when query, key and
    value are one tensor = the three separate maps (values and gradients)."""
    torch.manual_seed(1)
    mha = ac.MultiHeadAttention(16, 4).double()
    x = torch.randn(2, 5, 16, dtype=torch.float64)
    outs = []
    for same_tensor in (True, False):
        mha.zero_grad()
        out, w = mha(x, x, x) if same_tensor else mha(x, x.clone(), x.clone())
        out.sum().backward()
        outs.append((out, w, *(p.grad.clone() for p in mha.parameters())))
    for got, want in zip(*outs):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
