"""The ``attn_course.views.softmax_lab`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import attn_course as ac
from attn_course.views import (
    SoftmaxLab,
)


# --- softmax lab --------------------------------------------------------------------------
@given(st.lists(st.floats(-20, 20), min_size=1, max_size=8), st.floats(0.05, 20))
def test_softmax_lab_readout(logits: list[float], t: float) -> None:
    mask = np.arange(len(logits)) % 2 == 0
    r = SoftmaxLab(logits, temperature=t, mask=mask).readout()
    w = ac.softmax(np.array(logits), temperature=t, mask=mask)
    np.testing.assert_allclose(r["weights"], w, atol=1e-12)
    assert r["entropy"] == pytest.approx(float(ac.entropy(w)), abs=1e-12)
    assert np.asarray(r["weights"])[~mask].max(initial=0) == 0


def test_softmax_lab_validation() -> None:
    with pytest.raises(ValueError, match=r"mask must be boolean with shape \(3,\)"):
        SoftmaxLab([1, 2, 3], mask=[1, 0, 1])
    with pytest.raises(ValueError, match=r"logits must have shape \(n,\), got \(2, 2\)"):
        SoftmaxLab(np.zeros((2, 2)))
    assert SoftmaxLab([10.0, -12.0]).logit_range == [-12.0, 12.0]


def test_softmax_lab_online_stepper() -> None:
    lab = SoftmaxLab([1.0, 3.0, -2.0, 5.0, 0.5], temperature=0.5,
                     mask=np.array([True, True, False, True, True]), block=2)
    r = lab.readout()
    kept = np.array([1.0, 3.0, 5.0, 0.5]) / 0.5  # the masked entry is left out
    assert r["online_m"] == [6.0, 10.0]  # a new maximum in the second block
    np.testing.assert_allclose(r["online_l"][-1], np.exp(kept - kept.max()).sum())
    lab.mask = [False] * 5
    assert lab.readout()["online_m"] == []
    with pytest.raises(ValueError, match="block"):
        SoftmaxLab([1.0, 2.0], block=3)
