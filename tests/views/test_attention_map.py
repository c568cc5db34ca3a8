"""The ``attn_course.views.attention_map`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

import attn_course as ac
from attn_course.views import (
    AttentionMapExplorer,
)


# --- attention maps -----------------------------------------------------------------------
def test_attention_map_views(rng: np.random.Generator) -> None:
    maps = rng.dirichlet(np.ones(5), size=(2, 3, 4, 6))  # (E, L, H, n_q, n_k) = (2, 3, 4, 6, 5)
    view = AttentionMapExplorer(maps)
    E, L, H, n_q, n_k = view.shape
    assert (E, L, H, n_q, n_k) == (2, 3, 4, 6, 5)
    view.example, view.layer, view.head, view.query = 1, 2, 3, 4
    # The maps travel as 16-bit integers on [0, 1] (views/packing.py): within 7.6e-6.
    np.testing.assert_allclose(view.readout()["row"], maps[1, 2, 3, 4], atol=7.7e-6, rtol=0)
    q, k = rng.normal(size=(2, 7, 8)), rng.normal(size=(2, 7, 8))  # (H, N, d_k)
    qk = AttentionMapExplorer.from_qk(q, k, temperature=0.5, causal=True)
    qk.head, qk.query = 1, 3
    q32, k32 = (np.float32(a).astype(np.float64) for a in (q, k))  # shipped as float32
    want = ac.softmax(ac.scaled_dot_score(q32[1], k32[1]), temperature=0.5, mask=ac.causal_mask(7))
    r = qk.readout()
    np.testing.assert_allclose(r["row"], want[3], rtol=0, atol=1e-15)
    assert r["map_sum"] == pytest.approx(7.0)


def test_attention_map_validation(rng: np.random.Generator) -> None:
    with pytest.raises(ValueError, match=r"maps must have shape \(E, L, H, n_q, n_k\)"):
        AttentionMapExplorer(np.zeros(4))
    with pytest.raises(ValueError, match="x_labels must have 4 entries"):
        AttentionMapExplorer(np.full((3, 4), 0.25), x_labels=list("abc"))
    with pytest.raises(ValueError, match="grid"):
        AttentionMapExplorer(np.full((1, 1, 1, 2, 5), 0.2), images=np.zeros((1, 8, 8)))
    with pytest.raises(ValueError, match="does not fit"):
        AttentionMapExplorer(np.full((1, 1, 1, 2, 5), 0.2), images=np.zeros((1, 8, 8)),
                             grid=(3, 3))
    with pytest.raises(ValueError, match="q and k must share"):
        AttentionMapExplorer.from_qk(np.zeros((2, 3, 4)), np.zeros((2, 3, 5)))
