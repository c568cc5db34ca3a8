"""The ``attn_course.views.complexity`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import pytest

from attn_course.experiments.complexity import (
    LAYER_KINDS,
    layer_flops,
)
from attn_course.views.complexity import ComplexityView


def test_complexity_view_readout() -> None:
    r = ComplexityView(n=64, d=128, k=3).readout()
    assert r["flops"] == [layer_flops(kind, 64, 128, 3) for kind in LAYER_KINDS]
    assert r["path"] == [1, 64, 4] and r["sequential"] == [1, 64, 1]
    assert r["crossover_recurrent"] == 64 and r["cheapest"] == 0  # mixing: n ≤ d/2
    assert ComplexityView(n=1024, d=64).readout()["cheapest"] == 1
    with pytest.raises(ValueError, match="power of two"):
        ComplexityView(n=100)
    with pytest.raises(ValueError, match="k must"):
        ComplexityView(k=1)
    fig = ComplexityView().fallback_figure()
    assert fig.axes
