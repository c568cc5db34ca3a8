"""The ``attn_course.views.glimpse`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_course.data.digits import load_digit_images
from attn_course.data.glimpse import make_scenes
from attn_course.experiments.intuition import (
    pixel_saliency,
)
from attn_course.views import prng
from attn_course.views.glimpse import GlimpseView, glimpse_selection


@pytest.fixture(scope="module")
def digits():
    return load_digit_images()


def test_glimpse_view_readout_and_validation(digits):
    images, labels = digits
    s = make_scenes(images[:1], labels[:1], size=32, seed=4)
    sal = pixel_saliency(s.scenes[0])
    v = GlimpseView(s.scenes[0], sal, s.ink[0], budget=20)
    r = v.readout()
    assert r["fraction"] == 20 / 1024 and r["ink"] > 0.5
    v.method = "random"
    v.seed = 5
    u = prng.uniforms(5, 1024)
    assert set(v.selected.tolist()) == set(np.argsort(u, kind="stable")[:20].tolist())
    w = GlimpseView.from_state({**v.state, **v.params})
    assert w.readout() == v.readout()
    assert isinstance(v.fallback_figure(), Figure)
    assert len(glimpse_selection(sal, 7, "grid", 0)) == 7
    with pytest.raises(ValueError, match="budget"):
        GlimpseView(s.scenes[0], sal, s.ink[0], budget=0)
    with pytest.raises(ValueError, match="method"):
        GlimpseView(s.scenes[0], sal, s.ink[0], method="best")
    with pytest.raises(ValueError, match="same shape"):
        GlimpseView(s.scenes[0], sal[:5], s.ink[0])


def test_glimpse_soft_attention_from_hard_to_uniform() -> None:
    view = GlimpseView.demo()
    _, sal, ink = view._arrays()
    view.temperature = 1e-3  # nearly hard: all the weight on the most salient pixel
    r = view.readout()
    assert r["soft_max"] > 0.99 and r["soft_ink"] == pytest.approx(float(ink.ravel()[sal.argmax()] > 0))
    view.temperature = 1e3  # nearly uniform: the weight on the ink is the ink's share of pixels
    assert view.readout()["soft_ink"] == pytest.approx(np.mean(ink > 0), abs=1e-3)
    with pytest.raises(ValueError, match="temperature"):
        GlimpseView(*view._arrays(), temperature=0)
