"""The ``attn_course.views.retrieval`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

import attn_course as ac
from attn_course.core.retrieval import soft_lookup
from attn_course.data.key_value import make_key_value_store
from attn_course.views import (
    RetrievalPlayground,
)


@pytest.fixture
def store() -> tuple[np.ndarray, np.ndarray]:
    return make_key_value_store(6, seed=0)


# --- retrieval ----------------------------------------------------------------------------
def test_retrieval_readout_is_soft_lookup(store: tuple[np.ndarray, np.ndarray]) -> None:
    keys, values = store
    view = RetrievalPlayground(keys, values, query=(1.0, -0.5), temperature=0.5)
    value, weights = soft_lookup(np.array([1.0, -0.5]), keys, values, temperature=0.5)
    r = view.readout()
    np.testing.assert_allclose(r["weights"], weights, atol=1e-12)
    assert r["value"] == pytest.approx(float(value))
    assert r["entropy"] == pytest.approx(float(ac.entropy(weights)))
    view.query = [0.0, 0.0]  # what a reader's drag does through the kernel
    np.testing.assert_allclose(view.weights, soft_lookup(np.zeros(2), keys, values,
                                                        temperature=0.5)[1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"keys": np.zeros((3, 3)), "values": np.zeros(3)}, r"keys must have shape \(n, 2\), got \(3, 3\)"),
        ({"keys": np.zeros((3, 2)), "values": np.zeros(4)}, r"values must have shape \(3,\), got \(4,\)"),
        ({"keys": np.zeros((3, 2)), "values": np.zeros(3), "query": (1, 2, 3)}, r"query must have shape \(2,\)"),
        ({"keys": np.zeros((3, 2)), "values": np.zeros(3), "temperature": 0}, "temperature must be a positive"),
        ({"keys": np.full((3, 2), np.nan), "values": np.zeros(3)}, "keys must be finite"),
        ({"keys": np.zeros((2, 2)), "values": np.zeros(2), "labels": ["a"]}, "labels must have 2 entries"),
    ],
)
def test_retrieval_validation(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RetrievalPlayground(**kwargs)
