"""The ``attn_course.views.scaling`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

import attn_course as ac
from attn_course.views import (
    ScalingExplorer,
)
from attn_course.views.scaling import scaling_draws


def test_scaling_readout_and_effect() -> None:
    q, K = scaling_draws(0, 64, 16, 100)
    assert q.shape == (100, 1, 64) and K.shape == (100, 16, 64)
    r = ScalingExplorer(d_k=64, scaled=True).readout()
    w = ac.softmax(ac.scaled_dot_score(q, K)[:, 0], axis=-1)
    np.testing.assert_allclose(r["weights"], w[0])
    assert r["mean_entropy"] == pytest.approx(float(ac.entropy(w).mean()))
    unscaled = ScalingExplorer(d_k=256, scaled=False).readout()
    scaled = ScalingExplorer(d_k=256, scaled=True).readout()
    assert unscaled["score_std"] > 10 * scaled["score_std"] * 0.9
    assert unscaled["mean_entropy"] < scaled["mean_entropy"]


@pytest.mark.parametrize("kwargs", [{"d_k": 3}, {"d_k": 2048}, {"n_keys": 1}, {"seed": -2}])
def test_scaling_validation(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        ScalingExplorer(**kwargs)
