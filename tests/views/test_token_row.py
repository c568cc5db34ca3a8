"""The ``attn_course.views.token_row`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

import attn_course as ac
from attn_course.views import (
    TokenRowView,
)


# --- token row ----------------------------------------------------------------------------
@pytest.mark.parametrize("causal", [False, True])
def test_token_row_matches_attention(rng: np.random.Generator, causal: bool) -> None:
    X, Wq, Wk, Wv = (rng.normal(size=s) for s in [(5, 6), (6, 4), (6, 4), (6, 3)])
    view = TokenRowView(list("abcde"), X, Wq, Wk, Wv, selected=2, causal=causal)
    out, w = ac.scaled_dot_product_attention(X @ Wq, X @ Wk, X @ Wv,
                                             mask=ac.causal_mask(5) if causal else None)
    r = view.readout()
    np.testing.assert_allclose(r["weights"], w[2])
    np.testing.assert_allclose(r["output"], out[2])
    if causal:
        assert r["weights"][3:] == [0.0, 0.0]


def test_token_row_validation(rng: np.random.Generator) -> None:
    with pytest.raises(ValueError, match=r"X must have shape \(3, n\), got \(4, 6\)"):
        TokenRowView(list("abc"), rng.normal(size=(4, 6)), *(rng.normal(size=(6, 2)),) * 3)
    with pytest.raises(ValueError, match=r"W_k must have shape \(6, 2\)"):
        TokenRowView(list("abc"), rng.normal(size=(3, 6)), rng.normal(size=(6, 2)),
                     rng.normal(size=(6, 3)), rng.normal(size=(6, 2)))


def test_token_row_swap_and_positions(rng: np.random.Generator) -> None:
    X, Wq, Wk, Wv, P = (rng.normal(size=s) for s in [(5, 6), (6, 4), (6, 4), (6, 3), (5, 6)])
    view = TokenRowView(list("abcde"), X, Wq, Wk, Wv, selected=2, P=P, swap_pair=(0, 4))
    plain = view.readout()
    view.swap = True  # no positions: swapping two other tokens leaves token 2's output alone
    np.testing.assert_allclose(view.readout()["output"], plain["output"], atol=1e-12)
    assert view.inputs()[0] == list("ebcda")
    view.positions = 0.5
    Xs = X[[4, 1, 2, 3, 0]] + 0.5 * P  # (5, 6): swapped rows, positions stay
    out, w = ac.scaled_dot_product_attention(Xs @ Wq, Xs @ Wk, Xs @ Wv)
    np.testing.assert_allclose(view.readout()["weights"], w[2])
    np.testing.assert_allclose(view.readout()["output"], out[2])
    assert np.abs(np.asarray(view.readout()["output"]) - plain["output"]).max() > 1e-6
    with pytest.raises(ValueError, match="swap_pair"):
        TokenRowView(list("abc"), X[:3], Wq, Wk, Wv, swap_pair=(1, 1))
    with pytest.raises(ValueError, match=r"P must have shape \(3, 6\)"):
        TokenRowView(list("abc"), X[:3], Wq, Wk, Wv, P=P)
    with pytest.raises(ValueError, match="positions"):
        TokenRowView(list("abc"), X[:3], Wq, Wk, Wv, positions=2.0)
