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


def test_attention_map_causal_is_top_left_for_rectangular_maps(rng: np.random.Generator) -> None:
    # n_q != n_k: query i sees keys j <= i (torch's is_causal), not the bottom-right corner.
    q, k = rng.normal(size=(3, 4)), rng.normal(size=(6, 4))  # (n_q, d_k), (n_k, d_k)
    view = AttentionMapExplorer.from_qk(q, k, causal=True)
    m = view.current_map()  # (n_q, n_k) = (3, 6)
    assert m.shape == (3, 6)
    np.testing.assert_array_equal(m > 0, np.tril(np.ones((3, 6), dtype=bool)))
    np.testing.assert_array_equal(m > 0, np.asarray(ac.causal_mask(3, 6)))
    np.testing.assert_allclose(m.sum(axis=-1), 1.0, atol=1e-12)


def test_shared_labels_travel_once_and_per_example_labels_stay(rng: np.random.Generator) -> None:
    maps = rng.dirichlet(np.ones(4), size=(3, 1, 1, 4))  # (E, L, H, n_q, n_k) = (3, 1, 1, 4, 4)
    shared = AttentionMapExplorer(maps, list("abcd"), [list("wxyz")] * 3)
    assert shared.x_labels == [list("abcd")] and shared.y_labels == [list("wxyz")]
    assert shared.labels_of("x_labels", 2) == list("abcd")
    assert AttentionMapExplorer(maps).x_labels == [["k0", "k1", "k2", "k3"]]
    per = [list("abcd"), list("efgh"), list("ijkl")]
    own = AttentionMapExplorer(maps, per, per)
    assert own.x_labels == per and own.labels_of("y_labels", 1) == list("efgh")
    many = AttentionMapExplorer(rng.dirichlet(np.ones(4), size=(40, 1, 1, 4)), list("abcd"))
    few = AttentionMapExplorer(rng.dirichlet(np.ones(4), size=(1, 1, 1, 4)), list("abcd"))
    assert len(many.get_state()["x_labels"]) == len(few.get_state()["x_labels"]) == 1


@pytest.mark.parametrize("precision, error, nbytes", [
    ("uint16", 1 / 131070, 2), ("uint8", 1 / 510, 1), ("float32", 6e-8, 4)])
def test_map_precision_sets_how_the_maps_travel(rng: np.random.Generator, precision: str,
                                                 error: float, nbytes: int) -> None:
    maps = rng.dirichlet(np.ones(16), size=(5, 1, 1, 16))  # (E, L, H, n_q, n_k) = (5, 1, 1, 16, 16)
    view = AttentionMapExplorer(maps, precision=precision)
    state = view.get_state()
    assert state["map_precision"] == precision and state["maps"]["packed"] == precision
    assert len(state["maps"]["data"]) == 4 * -(-maps.size * nbytes // 3)  # base64
    view.example, view.query = 4, 9
    np.testing.assert_allclose(view.readout()["row"], maps[4, 0, 0, 9], atol=error * 1.001, rtol=0)
    # What the page carries is what Python computes from: a copy from the state agrees exactly.
    copy = AttentionMapExplorer.from_state({**{k: state[k] for k in view._data_names},
                                            **view.params})
    assert copy.maps == view.maps and copy.readout() == view.readout()


def test_changing_the_precision_rounds_the_maps_again(rng: np.random.Generator) -> None:
    maps = rng.dirichlet(np.ones(8), size=(2, 1, 1, 8))
    view = AttentionMapExplorer(maps)
    view.map_precision = "uint8"
    levels = np.asarray(view.maps) * 255
    np.testing.assert_allclose(levels, np.rint(levels), atol=1e-9)
    assert view.get_state()["maps"]["packed"] == "uint8"


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
    with pytest.raises(ValueError, match="precision must be one of"):
        AttentionMapExplorer(np.full((3, 4), 0.25), precision="float16")
    with pytest.raises(ValueError, match="q and k must share"):
        AttentionMapExplorer.from_qk(np.zeros((2, 3, 4)), np.zeros((2, 3, 5)))
