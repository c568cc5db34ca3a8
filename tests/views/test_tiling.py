"""The ``attn_course.views.tiling`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from attn_course.experiments.efficient import tiling_costs
from attn_course.views.tiling import TilingView


def test_tiling_view_readout_is_tiling_costs():
    v = TilingView(2048, 256, causal=True, window=300)
    assert v.readout() == tiling_costs(2048, 256, d=64, causal=True, window=300)
    assert TilingView(1024, 128).readout()["computed"] == 64
    assert isinstance(v.fallback_figure(), Figure)


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 100}, "multiple of 64"), ({"block": 100}, "block"), ({"window": -1}, "window"),
    ({"d": 0}, "d must"),
])
def test_tiling_view_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TilingView(**kwargs)
