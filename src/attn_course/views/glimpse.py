"""Glimpse view (chapter 1): spend a pixel budget on a scene by saliency, at random or on a grid.

The browser selects the ``budget`` pixels (the most salient, a random set drawn with
the shared ``mulberry32`` generator, or an evenly spaced grid), draws what the observer
sees, and reports the share of the digit's ink inside the selection. Python computes
the same readout with :mod:`attn_course.experiments.intuition` and :mod:`attn_course.views.prng`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from ..experiments.intuition import ink_recovered, select_pixels
from . import prng
from ._base import AttnView
from .packing import PackedArray

__all__ = ["GlimpseView", "glimpse_selection"]

METHODS = ("saliency", "random", "grid")


def glimpse_selection(saliency: np.ndarray, k: int, method: str, seed: int) -> np.ndarray:
    """Flat indices ``(k,)`` the view selects: as
    :func:`attn_course.experiments.intuition.select_pixels`, except that ``"random"`` uses
    the browser's generator
    (:func:`attn_course.views.prng.uniforms`)."""
    if method == "random":
        n = saliency.size
        u = prng.uniforms(seed, n)
        return np.lexsort((np.arange(n), u))[:k]
    return select_pixels(saliency, k, method)


class GlimpseView(AttnView):
    """A scene, a budget slider (share of the pixels), a method and a seed.

    Args:
        scene: ``(H, W)`` brightness in ``[0, 1]``.
        saliency: ``(H, W)`` saliency of each pixel (e.g. from
            :func:`attn_course.experiments.intuition.pixel_saliency`).
        ink: ``(H, W)`` the digit's own ink (what matters), ≥ 0 with a positive sum.
        budget: number of pixels the observer may look at, in ``[1, H·W]``.
        method: ``"saliency"``, ``"random"`` or ``"grid"``.
        seed: seed of the random selection.

    Traits: ``budget``, ``method``, ``seed`` (params); ``scene``, ``saliency``, ``ink``
    (flat; shipped packed: the scene to 8 bits on ``[0, 1]``, saliency and ink to 16 bits on
    ``[0, 2^e]``, the power of two above their largest value), ``height``, ``width`` (data).
    """

    view_name = "glimpse"
    _view_js = "glimpse.js"

    budget = traitlets.Int(41).tag(sync=True, role="param")
    method = traitlets.Unicode("saliency").tag(sync=True, role="param")
    seed = traitlets.Int(0).tag(sync=True, role="param")
    scene = PackedArray("uint8").tag(sync=True, role="data")  # flat (H·W,), display only
    saliency = PackedArray("uint16", hi=None).tag(sync=True, role="data")  # flat (H·W,)
    ink = PackedArray("uint16", hi=None).tag(sync=True, role="data")  # flat (H·W,)
    height = traitlets.Int(1).tag(sync=True, role="data")
    width = traitlets.Int(1).tag(sync=True, role="data")

    def __init__(
        self, scene: Any, saliency: Any, ink: Any, *, budget: int = 41,
        method: str = "saliency", seed: int = 0, title: str = "Glimpse: a budget of pixels",
    ) -> None:
        arrays = {}
        for name, x in (("scene", scene), ("saliency", saliency), ("ink", ink)):
            a = np.asarray(x, dtype=np.float64)
            if a.ndim != 2 or not np.all(np.isfinite(a)):
                raise ValueError(f"{name} must be a finite (H, W) array, got shape {a.shape}")
            arrays[name] = a
        shapes = {n: a.shape for n, a in arrays.items()}
        if len(set(shapes.values())) != 1:
            raise ValueError(f"scene, saliency and ink must have the same shape, got {shapes}")
        if arrays["ink"].min() < 0 or arrays["ink"].sum() <= 0:
            raise ValueError("ink must be non-negative with a positive sum")
        h, w = arrays["scene"].shape
        if not 1 <= int(budget) <= h * w:
            raise ValueError(f"budget must lie in [1, {h * w}] (the pixels), got {budget}")
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        if int(seed) != seed or not 0 <= seed < 2**32:
            raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
        super().__init__(
            scene=arrays["scene"].ravel(), saliency=arrays["saliency"].ravel(),
            ink=arrays["ink"].ravel(), height=h, width=w, budget=int(budget),
            method=method, seed=int(seed), title=title,
        )

    @classmethod
    def demo(cls) -> GlimpseView:
        from ..experiments.intuition import pixel_saliency

        yy, xx = np.mgrid[0:32, 0:32]  # (32, 32) each: a ring-shaped "digit" and faint clutter
        ink = np.clip(1 - np.abs(np.hypot(yy - 15, xx - 17) - 7) / 2, 0, 1)  # (32, 32)
        clutter = (np.random.default_rng(0).random((32, 32)) > 0.97) * 0.8
        scene = np.maximum(ink, clutter)
        return cls(scene, pixel_saliency(scene), ink, budget=40)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        shape = (self.height, self.width)
        return tuple(np.asarray(getattr(self, n), dtype=np.float64).reshape(shape)  # (H, W)
                     for n in ("scene", "saliency", "ink"))

    @property
    def selected(self) -> np.ndarray:
        """Flat indices ``(budget,)`` of the pixels the observer looks at."""
        _, sal, _ = self._arrays()
        return glimpse_selection(sal, self.budget, self.method, self.seed)

    def readout(self) -> dict[str, Any]:
        _, _, ink = self._arrays()
        n = self.height * self.width
        return {"ink": ink_recovered(ink, self.selected), "fraction": self.budget / n}

    def fallback_figure(self) -> Any:
        from ..plots.style import new_figure

        scene, _, ink = self._arrays()
        seen = np.zeros(scene.size)
        seen[self.selected] = scene.ravel()[self.selected]
        fig, (a0, a1) = new_figure(2, width=3.0, height=3.0)
        a0.imshow(scene, cmap="gray", vmin=0, vmax=1)
        a0.set_title("the scene")
        a1.imshow(seen.reshape(scene.shape), cmap="gray", vmin=0, vmax=1)
        r = self.readout()
        a1.set_title(f"{self.method}: {100 * r['fraction']:.2f}% of pixels,\n"
                     f"{100 * r['ink']:.0f}% of the digit's ink")
        for ax in (a0, a1):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel("column")
            ax.set_ylabel("row")
        return fig
