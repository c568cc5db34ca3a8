"""Attention-map explorer (chapters 7, 10, 12): browse the maps of a trained model.

Either precomputed maps ``(E, L, H, n_q, n_k)`` (examples, layers, heads) or the queries
and keys ``(E, L, H, N, d_k)`` they come from (:meth:`AttentionMapExplorer.from_qk`: the
browser then recomputes ``softmax(q kᵀ / √d_k / T)`` with a temperature slider and an
optional causal mask, like :func:`attn_course.scaled_dot_product_attention`). The reader
picks example, layer and head; hovering a row (or the query slider) highlights one query
and, for images, shades its patches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets

from ..core.masks import causal_mask
from ..core.scores import scaled_dot_score
from ..core.softmax import softmax
from ._base import AttnView, check_temperature
from .packing import ENCODINGS, PackedArray

__all__ = ["AttentionMapExplorer"]


def _as_5d(name: str, x: Any, last: str) -> np.ndarray:
    """``x`` with 2 to 5 axes, as float64 with leading singleton axes up to 5 axes."""
    a = np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x, dtype=np.float64)
    if not 2 <= a.ndim <= 5:
        raise ValueError(f"{name} must have shape (E, L, H, {last}) (or fewer leading axes), "
                         f"got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (shape {a.shape})")
    return a.reshape((1,) * (5 - a.ndim) + a.shape)  # (E, L, H, n, m)


def _labels(name: str, labels: Any, E: int, n: int, prefix: str) -> list[list[str]]:
    """One list of ``n`` labels per example, or a single list when every example shares it
    (shipped once, not ``E`` times: a view of many snapshots stays small)."""
    if labels is None:
        return [[f"{prefix}{i}" for i in range(n)]]
    labels = list(labels)
    if labels and isinstance(labels[0], (list, tuple)):
        if len(labels) != E or any(len(lab) != n for lab in labels):
            raise ValueError(f"{name} must be {n} labels or {E} lists of {n} labels, "
                             f"got {[len(lab) for lab in labels]}")
        lists = [[str(s) for s in lab] for lab in labels]
        return lists[:1] if all(lab == lists[0] for lab in lists) else lists
    if len(labels) != n:
        raise ValueError(f"{name} must have {n} entries, got {len(labels)}")
    return [[str(s) for s in labels]]


class AttentionMapExplorer(AttnView):
    """Heatmap of one head's attention map with example/layer/head/query controls.

    The page carries the maps rounded to 16 bits on ``[0, 1]`` (absolute error at most
    ``7.6e-6``; float32 for maps outside ``[0, 1]``), ``q`` and ``k`` as float32 and the images
    to 8 bits; :meth:`current_map` and ``readout()`` use these rounded numbers, as the
    browser does.

    Args:
        maps: ``(E, L, H, n_q, n_k)`` weights (``(n_q, n_k)``, ``(H, n_q, n_k)`` and
            ``(L, H, n_q, n_k)`` are accepted too).
        x_labels: ``n_k`` key labels, or one list per example.
        y_labels: ``n_q`` query labels, or one list per example.
        images: optional ``(E, h, w)`` or ``(E, h, w, 3)`` in ``[0, 1]``, one per example (ViT).
        grid: ``(g_h, g_w)`` the patch grid of the images; the keys
            ``patch_offset … patch_offset + g_h·g_w − 1`` are the patches, row by row.
        patch_offset: number of keys before the patches (default ``n_k − g_h·g_w``, e.g. 1
            for a class token).
        example_labels: optional ``E`` names.
        title: a heading shown above the view.
        precision: how the maps travel in the page: ``"uint16"`` (default, error at most
            ``7.6e-6`` on ``[0, 1]``), ``"uint8"`` (half the bytes, error ``1/510 ≈ 0.002``:
            for a view of many maps, e.g. snapshots over training) or ``"float32"``.

    Labels shared by every example are shipped once; ``x_labels``/``y_labels`` then hold one
    list (:meth:`labels_of` gives an example's).
    """

    view_name = "attention_map"
    _view_js = "attention_map.js"

    # Shipped packed (views/packing.py): weights in [0, 1] as uint16 (±7.6e-6, float32 for
    # maps outside [0, 1]; uint8, ±0.002, with precision="uint8"), queries and keys as
    # float32, images as uint8 (±0.002).
    mode = traitlets.Unicode("maps").tag(sync=True, role="data")
    map_precision = traitlets.Enum(ENCODINGS, "uint16").tag(sync=True, role="data")
    maps = PackedArray("uint16", encoding_from="map_precision").tag(
        sync=True, role="data")  # flat (E, L, H, n_q, n_k)
    q = PackedArray("float32").tag(sync=True, role="data")  # flat (E, L, H, N, d_k)
    k = PackedArray("float32").tag(sync=True, role="data")  # flat (E, L, H, N, d_k)
    shape = traitlets.List(traitlets.Int()).tag(sync=True, role="data")  # [E, L, H, n_q, n_k]
    d_k = traitlets.Int(0).tag(sync=True, role="data")
    # one list per example, or one list shared by all of them
    x_labels = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True, role="data")
    y_labels = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True, role="data")
    example_labels = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    images = PackedArray("uint8").tag(sync=True, role="data")  # flat (E, h, w, c)
    image_shape = traitlets.List(traitlets.Int()).tag(sync=True, role="data")
    grid = traitlets.List(traitlets.Int()).tag(sync=True, role="data")
    patch_offset = traitlets.Int(0).tag(sync=True, role="data")
    example = traitlets.Int(0).tag(sync=True, role="param")
    layer = traitlets.Int(0).tag(sync=True, role="param")
    head = traitlets.Int(0).tag(sync=True, role="param")
    query = traitlets.Int(0).tag(sync=True, role="param")
    temperature = traitlets.Float(1.0).tag(sync=True, role="param")
    causal = traitlets.Bool(False).tag(sync=True, role="param")

    def __init__(
        self,
        maps: Any = None,
        x_labels: Sequence[Any] | None = None,
        y_labels: Sequence[Any] | None = None,
        *,
        images: Any = None,
        grid: Sequence[int] | None = None,
        patch_offset: int | None = None,
        example_labels: Sequence[str] | None = None,
        title: str = "Attention maps",
        precision: str = "uint16",
        _qk: tuple[np.ndarray, np.ndarray, float, bool] | None = None,
    ) -> None:
        if precision not in ENCODINGS:
            raise ValueError(f"precision must be one of {ENCODINGS}, got {precision!r}")
        kw: dict[str, Any] = {"map_precision": precision}  # (before maps: it rounds them)
        if _qk is None:
            m = _as_5d("maps", maps, "n_q, n_k")
            E, L, H, n_q, n_k = m.shape
            kw.update(mode="maps", maps=m.ravel())
        else:
            q, k, temperature, causal = _qk
            E, L, H, n_q, d_k = q.shape
            n_k = k.shape[3]
            kw.update(mode="qk", q=q.ravel(), k=k.ravel(), d_k=int(d_k),
                      temperature=check_temperature(temperature), causal=bool(causal))
        if example_labels is None:
            example_labels = [f"example {e + 1}" for e in range(E)]
        if len(example_labels) != E:
            raise ValueError(f"example_labels must have {E} entries, got {len(example_labels)}")
        kw.update(
            shape=[E, L, H, n_q, n_k],
            x_labels=_labels("x_labels", x_labels, E, n_k, "k"),
            y_labels=_labels("y_labels", y_labels, E, n_q, "q"),
            example_labels=[str(s) for s in example_labels],
        )
        if images is not None:
            img = np.asarray(images, dtype=np.float64)
            if img.ndim == 3:
                img = img[..., None]  # (E, h, w, 1)
            if img.ndim != 4 or img.shape[0] != E or img.shape[3] not in (1, 3):
                raise ValueError(f"images must have shape ({E}, h, w) or ({E}, h, w, 3), "
                                 f"got {np.shape(images)}")
            if not (np.all(np.isfinite(img)) and img.min() >= 0 and img.max() <= 1):
                raise ValueError(f"images must hold values in [0, 1] (shape {img.shape})")
            if grid is None or len(grid) != 2:
                raise ValueError(f"grid (g_h, g_w) is needed with images, got {grid!r}")
            gh, gw = int(grid[0]), int(grid[1])
            off = n_k - gh * gw if patch_offset is None else int(patch_offset)
            if off < 0 or off + gh * gw > n_k:
                raise ValueError(f"grid {gh}×{gw} with patch_offset {off} does not fit "
                                 f"n_k = {n_k} keys")
            kw.update(images=img.ravel(), image_shape=list(img.shape),
                      grid=[gh, gw], patch_offset=off)
        super().__init__(title=title, **kw)

    @classmethod
    def from_qk(
        cls,
        q: Any,
        k: Any,
        x_labels: Sequence[Any] | None = None,
        y_labels: Sequence[Any] | None = None,
        *,
        temperature: float = 1.0,
        causal: bool = False,
        **kwargs: Any,
    ) -> AttentionMapExplorer:
        """Maps recomputed in the browser from queries and keys ``(E, L, H, N, d_k)``
        (fewer leading axes are accepted), with a temperature slider and a causal toggle."""
        qa = _as_5d("q", q, "n_q, d_k")
        ka = _as_5d("k", k, "n_k, d_k")
        if qa.shape[:3] != ka.shape[:3] or qa.shape[4] != ka.shape[4]:
            raise ValueError(f"q and k must share (E, L, H) and d_k: q {np.shape(q)}, "
                             f"k {np.shape(k)}")
        return cls(None, x_labels, y_labels, _qk=(qa, ka, temperature, causal), **kwargs)

    @classmethod
    def demo(cls) -> AttentionMapExplorer:
        rng = np.random.default_rng(0)
        words = "the cat sat on the mat".split()
        return cls(rng.dirichlet(np.ones(6), size=(2, 2, 3, 6)), words, words,
                   example_labels=["first", "second"])

    @traitlets.observe("map_precision")
    def _round_maps_again(self, change: dict[str, Any]) -> None:
        if self.maps:
            self.maps = list(self.maps)  # re-rounded as the new precision ships them

    def labels_of(self, name: str, e: int) -> list[str]:
        """Example ``e``'s labels (``name`` is ``"x_labels"`` or ``"y_labels"``)."""
        lists = getattr(self, name)
        return lists[min(e, len(lists) - 1)]

    def current_map(self) -> np.ndarray:
        """``(n_q, n_k)`` the map of the selected example, layer and head."""
        E, L, H, n_q, n_k = self.shape
        e, l, h = self.example, self.layer, self.head
        if self.mode == "maps":
            m = np.asarray(self.maps).reshape(E, L, H, n_q, n_k)  # (E, L, H, n_q, n_k)
            return m[e, l, h]
        q = np.asarray(self.q).reshape(E, L, H, n_q, self.d_k)  # (E, L, H, n_q, d_k)
        k = np.asarray(self.k).reshape(E, L, H, n_k, self.d_k)  # (E, L, H, n_k, d_k)
        mask = causal_mask(n_q, n_k) if self.causal else None
        return softmax(scaled_dot_score(q[e, l, h], k[e, l, h]), axis=-1,
                       temperature=self.temperature, mask=mask)

    def head_distances(self) -> list[float] | None:
        """Mean attention distance in pixels of every head of the selected example and layer
        (:func:`attn_course.experiments.vit.mean_attention_distance`), or ``None`` unless the
        view holds precomputed self-attention maps over an image's patches (``n_q = n_k =
        patch_offset + g_h·g_w``; the patch size is the image height over ``g_h``)."""
        import torch

        from ..experiments.vit import mean_attention_distance

        E, L, H, n_q, n_k = self.shape
        if self.mode != "maps" or not self.grid or n_q != n_k or \
                n_k != self.patch_offset + self.grid[0] * self.grid[1]:
            return None
        m = np.asarray(self.maps).reshape(E, L, H, n_q, n_k)[self.example, self.layer]
        patch = self.image_shape[1] / self.grid[0]
        d = mean_attention_distance(torch.as_tensor(m), tuple(self.grid), patch,
                                    offset=self.patch_offset)  # (H,)
        return d.tolist()

    def readout(self) -> dict[str, Any]:
        m = self.current_map()
        out = {"row": m[max(self.query, 0)].tolist(), "map_sum": float(m.sum()),
               "map_max": float(m.max())}
        d = self.head_distances()
        if d is not None:
            out["head_distance"] = d
        return out

    def fallback_figure(self) -> Any:
        from ..plots.style import attention_heatmap

        e = self.example
        small = max(self.shape[3:]) <= 24
        return attention_heatmap(
            self.current_map(),
            x_labels=self.labels_of("x_labels", e) if small else None,
            y_labels=self.labels_of("y_labels", e) if small else None,
            title=f"{self.example_labels[e]}: layer {self.layer + 1}, head {self.head + 1}",
        )
