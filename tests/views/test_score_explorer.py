"""The ``attn_course.views.score_explorer`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

import attn_course as ac
from attn_course.views import (
    ScoreExplorer,
)
from attn_course.views.score_explorer import SCORE_KINDS, score_matrix


def _score_view(rng: np.random.Generator) -> ScoreExplorer:
    return ScoreExplorer(
        rng.normal(size=(3, 4)), rng.normal(size=(5, 4)),
        params={"W": rng.normal(size=(4, 4)), "W_q": rng.normal(size=(4, 6)),
                "W_k": rng.normal(size=(4, 6)), "w_v": rng.normal(size=6),
                "W_loc": rng.normal(size=(4, 5))},
    )


# --- score explorer -----------------------------------------------------------------------
def test_score_explorer_matches_scores(rng: np.random.Generator) -> None:
    view = _score_view(rng)
    assert view.kinds == list(SCORE_KINDS)
    for kind in SCORE_KINDS:
        view.score = kind
        view.temperature = 0.5
        r = view.readout()
        params = {"W": view.W, "W_q": view.W_q, "W_k": view.W_k, "w_v": view.w_v,
                  "W_loc": view.W_loc}
        s = score_matrix(kind, view.queries, view.key_vectors, params)
        np.testing.assert_allclose(r["scores"], s)
        np.testing.assert_allclose(r["weights"], ac.softmax(s, temperature=0.5))
    np.testing.assert_allclose(
        score_matrix("general", view.queries, view.key_vectors, {"W": view.W}),
        ac.general_score(np.array(view.queries), np.array(view.key_vectors), np.array(view.W)))


def test_score_explorer_validation(rng: np.random.Generator) -> None:
    q, k = rng.normal(size=(2, 3)), rng.normal(size=(4, 3))
    assert ScoreExplorer(q, k).kinds == ["dot", "scaled_dot", "cosine"]
    with pytest.raises(ValueError, match="score must be one of"):
        ScoreExplorer(q, k, score="general")
    with pytest.raises(ValueError, match=r"params\['W'\] must have shape \(3, 3\)"):
        ScoreExplorer(q, k, params={"W": np.zeros((2, 3))})
    with pytest.raises(ValueError, match="needs W_q, W_k and w_v"):
        ScoreExplorer(q, k, params={"W_q": np.zeros((3, 2))})


def test_score_explorer_shuffle_and_key_length() -> None:
    rng = np.random.default_rng(3)
    q, k = rng.normal(size=(2, 4)), rng.normal(size=(5, 4))
    W_loc = rng.normal(size=(4, 5))
    view = ScoreExplorer(q, k, score="cosine", params={"W_loc": W_loc}, long_key=1)
    before = np.asarray(view.readout()["weights"])
    view.shuffle = True  # key j + 1 now sits in slot j
    labels, keys = view.inputs()
    assert labels == ["k2", "k3", "k4", "k5", "k1"]
    np.testing.assert_allclose(view.readout()["weights"], np.roll(before, -1, axis=1))
    view.score = "location"  # location weighs slots: the shuffle changes nothing ...
    loc = np.asarray(view.readout()["weights"])
    view.shuffle = False
    np.testing.assert_allclose(view.readout()["weights"], loc)  # ... so it now reads other keys
    view.score, view.key_length = "dot", 3.0
    np.testing.assert_allclose(view.readout()["scores"], q @ (k * [[1], [3], [1], [1], [1]]).T)
    with pytest.raises(ValueError, match="long_key"):
        ScoreExplorer(q, k, long_key=7)
    with pytest.raises(ValueError, match="key_length"):
        ScoreExplorer(q, k, long_key=1, key_length=9.0)
