"""Widget state: arrays shipped packed (``views/packing.py``) and each chapter view's budget.

A view's state is saved into its chapter page; issue 17 asks for at most 150 kB of widget
state per page. ``test_chapter_views_fit_the_budget`` builds each chapter's view with data of
the chapter's shapes (the shapes its notebook passes) and measures
:meth:`~attn_course.views._base.AttnView.state_bytes` (the view's model and its layout's, as
``ipywidgets.embed`` writes them; the bundled script is part of it).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest
import traitlets

from attn_course.data.digits import load_digit_images
from attn_course.data.glimpse import make_scenes
from attn_course.data.key_value import make_key_value_store
from attn_course.experiments.intuition import pixel_saliency
from attn_course.views import (
    AttentionMapExplorer,
    RetrievalPlayground,
    ScalingExplorer,
    ScoreExplorer,
    SoftmaxLab,
    TokenRowView,
)
from attn_course.views.flash_step import FlashStepView
from attn_course.views.gates import GateView
from attn_course.views.glimpse import GlimpseView
from attn_course.views.packing import PackedArray, is_packed, pack, quantize, unpack
from attn_course.views.paths import PathsView
from attn_course.views.positions import PositionsView
from attn_course.views.ring import RingView
from attn_course.views.tiling import TilingView

VIEW_BUDGET = 100_000  # bytes of widget state per chapter view (the page's budget is 150 kB)


# --- packing -------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding, lo, hi, error", [
    ("float32", 0.0, 1.0, None), ("uint16", 0.0, 1.0, 1 / 131070), ("uint8", 0.0, 1.0, 1 / 510),
    ("uint16", -2.0, 3.0, 5 / 131070),
])
def test_quantize_error_and_lossless_repacking(encoding: str, lo: float, hi: float,
                                               error: float | None) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(lo, hi, size=(40, 7))
    x[0, :2] = lo, hi  # the ends of the range are kept exactly
    q = quantize(x, encoding, lo=lo, hi=hi)
    assert q.shape == x.shape and q[0, 0] == lo and q[0, 1] == hi
    if error is None:
        np.testing.assert_allclose(q, x, rtol=2**-24, atol=0)
    else:
        assert np.abs(q - x).max() <= error * (1 + 1e-9)
    p = pack(q, encoding, lo=lo, hi=hi)
    assert p["packed"] == encoding and p["shape"] == [40, 7]
    np.testing.assert_array_equal(unpack(p), q)  # what the page carries is what Python holds
    np.testing.assert_array_equal(quantize(q, encoding, lo=lo, hi=hi), q)  # idempotent
    assert pack(q, encoding, lo=lo, hi=hi) == p


@pytest.mark.parametrize("top", [1.0, 1.0 + 1e-12, 0.37, 3.0, 1e-3, 0.0])
def test_auto_range_is_a_power_of_two_and_repacks_losslessly(top: float) -> None:
    x = np.random.default_rng(1).random(300) * top
    x[7] = top
    q = quantize(x, "uint16", hi=None)
    p = pack(q, "uint16", hi=None)
    hi = p["hi"]
    assert hi == (2.0 ** np.ceil(np.log2(top)) if top > 0 else 1.0)
    assert np.abs(q - x).max() <= hi / 131070 * (1 + 1e-9)
    np.testing.assert_array_equal(unpack(p), q)
    np.testing.assert_array_equal(quantize(q, "uint16", hi=None), q)
    assert pack(q, "uint16", hi=None) == p


def test_values_off_the_range_fall_back_to_float32() -> None:
    half = 1 / 131070
    np.testing.assert_array_equal(quantize([-0.9 * half, 1 + 0.9 * half], "uint16"), [0.0, 1.0])
    assert pack([-1.1 * half, 0.5], "uint16")["packed"] == "float32"
    x = np.array([0.5, 1.5, -0.25])
    assert pack(x, "uint16")["packed"] == "float32"
    np.testing.assert_array_equal(quantize(x, "uint16"), x)  # exactly representable in float32
    with pytest.raises(ValueError, match="finite"):
        quantize([0.0, np.nan])
    with pytest.raises(ValueError, match="one or two axes"):
        quantize(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="encoding"):
        pack([1.0], "float16")
    with pytest.raises(ValueError, match="needs 3"):
        unpack({**pack([1.0, 2.0]), "shape": [3]})


def test_packed_trait_rounds_syncs_and_decodes() -> None:
    class T(traitlets.HasTraits):
        w = PackedArray("uint16")
        x = PackedArray("float32")

    t = T(w=np.array([0.1, 0.2, 0.3]), x=[[1 / 3, 2.0], [3.0, 4.0]])
    assert t.w == quantize([0.1, 0.2, 0.3], "uint16").tolist() and isinstance(t.w, list)
    assert t.x[0][0] == float(np.float32(1 / 3))
    meta = T.class_traits()["w"].metadata
    wire = meta["to_json"](t.w, None)
    assert is_packed(wire) and json.loads(json.dumps(wire)) == wire
    assert meta["from_json"](wire, None) == t.w
    t.w = wire  # the page's data-state: decoded on assignment
    assert t.w == meta["from_json"](wire, None)
    with pytest.raises(traitlets.TraitError, match="finite"):
        t.x = [float("inf")]


def test_state_of_a_packed_view_is_compact_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    maps = rng.dirichlet(np.ones(64), size=(6, 1, 1, 64)).round(4)  # chapter 11's shapes
    view = AttentionMapExplorer(maps)
    state = view.get_state()
    assert state["maps"]["packed"] == "uint16"
    assert len(state["maps"]["data"]) == 4 * -(-maps.size * 2 // 3)  # base64 of 2 bytes each
    copy = AttentionMapExplorer.from_state({**{k: state[k] for k in view._data_names},
                                            **view.params})
    assert copy.readout() == view.readout()
    np.testing.assert_allclose(copy.current_map(), maps[0, 0, 0], atol=1 / 131070, rtol=0)


# --- the chapters' views ---------------------------------------------------------------------
def _maps(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]).astype(np.float32).round(4)


def _words(n: int) -> list[str]:
    return [f"w{i}" for i in range(n)]


def _ch01() -> list:
    images, labels = load_digit_images()
    s = make_scenes(images[5:6], labels[5:6], size=64, seed=3)
    return [GlimpseView(s.scenes[0], pixel_saliency(s.scenes[0]), s.ink[0], budget=41)]


def _ch03() -> list:
    rng = np.random.default_rng(0)
    return [ScoreExplorer(rng.normal(size=(4, 4)), rng.normal(size=(6, 4)),
                          params={"W": rng.normal(size=(4, 4)), "W_q": rng.normal(size=(4, 8)),
                                  "W_k": rng.normal(size=(4, 8)), "w_v": rng.normal(size=8),
                                  "W_loc": rng.normal(size=(4, 6))})]


def _ch06() -> list:
    rng = np.random.default_rng(0)
    return [TokenRowView(_words(6), rng.normal(size=(6, 8)), *(rng.normal(size=(8, 4)),) * 3)]


def _map_view(shape: tuple[int, ...], *, images: tuple[int, int] | None = None,
              grid: tuple[int, int] | None = None, offset: int = 0) -> AttentionMapExplorer:
    E, n_q, n_k = shape[0], shape[-2], shape[-1]
    kw = {}
    if images:
        kw = {"images": np.random.default_rng(1).random((E, *images)), "grid": grid,
              "patch_offset": offset}
    return AttentionMapExplorer(_maps(shape), x_labels=_words(n_k), y_labels=_words(n_q),
                                example_labels=[f"example {e}" for e in range(E)], **kw)


def _gate_view() -> GateView:
    """Chapter 11's gate view: six 24×24 canvases, the SE and CBAM networks of the canvas."""
    import torch

    from attn_course.data.vision_tasks import cluttered_digits
    from attn_course.experiments.vision_probes import map_box_bounds
    from attn_course.models.cnn import AttentionCNN

    digits = np.random.default_rng(0).random((10, 8, 8))
    data = cluttered_digits(digits, np.arange(10), 6, 0)
    torch.manual_seed(0)
    se, cbam = AttentionCNN.for_canvas("se").eval(), AttentionCNN.for_canvas("cbam").eval()
    return GateView.from_models(se, cbam, data.x, map_box_bounds(data, 12).tolist())


def _ring_view() -> RingView:
    return RingView.demo()


def _ch15() -> list:
    # the chapter's playground: 48 steps, 40 logits each, 2 layers × 4 heads of rows ≤ 64
    from attn_course.data.text import CharTokenizer
    from attn_course.experiments.language_model import load_model
    from attn_course.views.generation import GenerationView

    tok = CharTokenizer.ascii()
    return [GenerationView.from_model(load_model("main")[0], tok.encode("The value of the ")[None],
                                      48, list(tok.alphabet), k=40)]


def _ch16() -> list:
    # the chapter's two views on two probe sequences of the induction model's size (an
    # untrained model: the state's size does not depend on the weights)
    import torch

    from attn_course import GPT
    from attn_course.data.repeats import repeated_segments
    from attn_course.experiments.induction import INDUCTION
    from attn_course.views.heads import HeadAblationView

    torch.manual_seed(0)
    m = GPT(INDUCTION["data"]["vocab_size"], n_layers=2, tie_embeddings=False,
            **INDUCTION["model"]).eval()
    tokens = repeated_segments(2, 20, INDUCTION["data"]["vocab_size"], seed=0)  # (2, 40)
    rng = np.random.default_rng(0)
    labels = [[str(int(t)) for t in row[:-1]] for row in tokens]
    return [AttentionMapExplorer.from_qk(rng.normal(size=(2, 2, 2, 39, 16)),
                                         rng.normal(size=(2, 2, 2, 39, 16)), labels, labels,
                                         causal=True),
            HeadAblationView.from_model(m, tokens, 20)]


CHAPTERS: dict[str, Callable[[], list]] = {
    "01_intuition": _ch01,
    "02_retrieval": lambda: [RetrievalPlayground(*make_key_value_store(8, seed=0))],
    "03_scores": _ch03,
    "04_scaling": lambda: [ScalingExplorer(d_k=64, scaled=False, n_keys=16, seed=0)],
    "05_softmax": lambda: [SoftmaxLab(np.linspace(-2, 3, 6))],
    "06_self_attention": _ch06,
    "07_multi_head": lambda: [_map_view((6, 1, 2, 12, 12))],
    "08_bahdanau": lambda: [_map_view((6, 1, 1, 11, 11))],
    "09_why_self_attention": lambda: [PathsView(n=24, i=20, j=3)],
    "10_transformer": lambda: [_map_view((6, 2, 2, 12, 12))],
    # (4 examples of 64×64 maps over 16×16 images, and the gate view of six canvases)
    "11_vision_attention": lambda: [_map_view((4, 1, 1, 64, 64), images=(16, 16), grid=(8, 8)),
                                    _gate_view()],
    "12_vit": lambda: [_map_view((6, 2, 4, 17, 17), images=(8, 8), grid=(4, 4), offset=1),
                       _map_view((6, 1, 1, 17, 17), images=(8, 8), grid=(4, 4), offset=1)],
    "13_efficient": lambda: [TilingView(n=2048, block=256, causal=True), FlashStepView.demo()],
    "14_positions": lambda: [PositionsView("rope", d_model=64, offset=8)],
    "15_language_model": _ch15,
    "16_what_heads_do": _ch16,
    "17_long_context": lambda: [_ring_view()],
}


def chapter_state_bytes() -> dict[str, list[int]]:
    """Bytes of widget state of each chapter's views (used by the report in views/README.md)."""
    return {ch: [v.state_bytes() for v in make()] for ch, make in CHAPTERS.items()}


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_chapter_views_fit_the_budget(chapter: str) -> None:
    sizes = [v.state_bytes() for v in CHAPTERS[chapter]()]
    assert all(s <= VIEW_BUDGET for s in sizes), f"{chapter}: {sizes} bytes > {VIEW_BUDGET}"
    assert sum(sizes) <= 1.25 * VIEW_BUDGET, f"{chapter}: {sum(sizes)} bytes of views"


def test_many_snapshots_fit_as_uint8() -> None:
    # A view of many maps (e.g. one 64×64 map of chapter 11 at 12 points of training) fits
    # a view's budget with precision="uint8" (1 byte a weight, error 1/510), not with uint16;
    # the labels, shared by every snapshot, travel once.
    def view(precision: str) -> AttentionMapExplorer:
        return AttentionMapExplorer(_maps((12, 1, 1, 64, 64)), [f"({i},{j})" for i in range(8)
                                                                 for j in range(8)],
                                    example_labels=[f"step {100 * s}" for s in range(12)],
                                    precision=precision)
    small, big = view("uint8").state_bytes(), view("uint16").state_bytes()
    assert small <= VIEW_BUDGET < big, (small, big)
    assert big - small >= 12 * 64 * 64 * 4 / 3 * 0.99  # base64 of one byte a weight saved


if __name__ == "__main__":  # print the table: python tests/views/test_packing.py
    for ch, sizes in chapter_state_bytes().items():
        print(f"{ch:24s} {sum(sizes) / 1000:6.1f} kB  ({', '.join(f'{s / 1000:.1f}' for s in sizes)})")
