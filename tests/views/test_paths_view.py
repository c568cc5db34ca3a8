"""The ``attn_course.views.paths`` view: its readout is the package's path functions, bad
input is refused, positions beyond ``n`` are clipped."""

from __future__ import annotations

import pytest

from attn_course.experiments.complexity import max_path_length
from attn_course.experiments.paths import PATH_KINDS
from attn_course.views.paths import PathsView


def test_paths_view_readout() -> None:
    r = PathsView(n=24, i=23, j=0, k=3, r=4).readout()
    assert r["lengths"] == [max_path_length(kind, 24, 3, r=4) for kind in PATH_KINDS]
    assert r["route_self-attention"] == [[0, 0], [1, 23]]
    r = PathsView(n=24, i=20, j=3, k=3, r=4).readout()
    assert r["lengths"] == [18, 3, 9, 5, 1]  # 17 apart: 17 = 122 in base 3
    assert r["route_convolutional"] == [[0, 3], [1, 5], [2, 11], [3, 20]]


def test_paths_view_clips_and_refuses() -> None:
    v = PathsView.from_state({"n": 8, "i": 20, "j": 15, "k": 2, "r": 3,
                              "kinds": list(PATH_KINDS)})
    assert v.positions() == (7, 7) and v.readout()["lengths"] == [1] * 5
    with pytest.raises(ValueError, match="j must"):
        PathsView(n=10, i=3, j=4)
    with pytest.raises(ValueError, match="n must"):
        PathsView(n=40)
    with pytest.raises(ValueError, match="r must"):
        PathsView(r=0)
    assert PathsView.demo().fallback_figure().axes
