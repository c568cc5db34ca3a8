"""The ``attn_course.views.positions`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_course.experiments.positions import offset_profile
from attn_course.views.positions import PositionsView


def test_positions_view_readout_is_offset_profile():
    v = PositionsView("sinusoidal", 32, offset=-5, max_offset=20)
    r = v.readout()
    want = offset_profile("sinusoidal", np.arange(-20, 21), d_model=32)
    np.testing.assert_allclose(r["profile"], want)
    assert r["score"] == pytest.approx(want[15])
    a = PositionsView("alibi", 16, offset=10, max_offset=20, n_heads=4, head=1).readout()
    assert a["score"] == pytest.approx(-10 * 2 ** -4)
    rr = PositionsView("rope", 16, random_content=True, seed=3).readout()
    assert rr["profile"][128] == pytest.approx(1.0)
    assert isinstance(PositionsView().fallback_figure(), Figure)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "learned"}, "method"), ({"d_model": 7}, "d_model"),
    ({"offset": 500}, "offset"), ({"head": 9}, "head"),
])
def test_positions_view_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PositionsView(**kwargs)
