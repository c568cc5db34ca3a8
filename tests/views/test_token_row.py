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
