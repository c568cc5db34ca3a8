"""The views' shared machinery (``attn_course.views._base``): registry, synced traits, fallback, vendoring."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.data.key_value import make_key_value_store
from attn_course.views import (
    VIEWS,
    AttentionMapExplorer,
    AttnView,
    RetrievalPlayground,
    ScalingExplorer,
    ScoreExplorer,
    SoftmaxLab,
    TokenRowView,
)
from attn_course.views._base import JS_DIR
from attn_course.views._base import all_views as every_view_class


# --- every view ---------------------------------------------------------------------------
def test_registry() -> None:
    assert set(VIEWS) == {"retrieval", "softmax", "scaling", "score", "token_row", "attention_map"}
    for name, cls in VIEWS.items():
        assert cls.view_name == name
    assert set(VIEWS) < set(every_view_class())


def test_every_view_has_a_demo_that_round_trips() -> None:
    for name, cls in every_view_class().items():
        view = cls.demo()
        assert isinstance(view, cls) and view.view_name == name
        state = view.get_state()  # what the page saves (packed arrays as JSON)
        data = {k: state[k] for k in view._data_names}
        copy = cls.from_state({**data, **view.params})
        assert copy.readout() == view.readout(), name


def _score_view(rng: np.random.Generator) -> ScoreExplorer:
    return ScoreExplorer(
        rng.normal(size=(3, 4)), rng.normal(size=(5, 4)),
        params={"W": rng.normal(size=(4, 4)), "W_q": rng.normal(size=(4, 6)),
                "W_k": rng.normal(size=(4, 6)), "w_v": rng.normal(size=6),
                "W_loc": rng.normal(size=(4, 5))},
    )


def all_views(rng: np.random.Generator) -> list[AttnView]:
    keys, values = make_key_value_store(5, seed=1)
    words = "a b c d".split()
    return [
        RetrievalPlayground(keys, values, query=(0.2, 0.1), temperature=0.7),
        SoftmaxLab([1.0, 0.0, -1.0], temperature=2.0),
        ScalingExplorer(d_k=16, n_keys=8, n_trials=5),
        _score_view(rng),
        TokenRowView(words, rng.normal(size=(4, 6)), rng.normal(size=(6, 3)),
                     rng.normal(size=(6, 3)), rng.normal(size=(6, 2))),
        AttentionMapExplorer(rng.dirichlet(np.ones(4), size=(2, 4)), words, words),
    ]


def test_roles_params_and_roundtrip(rng: np.random.Generator) -> None:
    for view in all_views(rng):
        assert view._param_names and view._data_names
        assert set(view.params) == set(view._param_names)
        for name in view._param_names + view._data_names:
            assert view.trait_metadata(name, "sync"), f"{name} must sync"
        copy = type(view).from_state({**view.state, **view.params})
        assert copy.readout() == view.readout()


@pytest.fixture
def store() -> tuple[np.ndarray, np.ndarray]:
    return make_key_value_store(6, seed=0)


def test_front_end_changes_reach_python(store: tuple[np.ndarray, np.ndarray]) -> None:
    # With a kernel, a control's ctx.set → model.set + model.save_changes arrives in Python
    # as a state update (Widget.set_state); the view's numbers follow.
    keys, values = store
    view = RetrievalPlayground(keys, values, query=(0.0, 0.0))
    before = view.weights
    view.set_state({"query": [1.5, -2.0], "temperature": 0.25})
    assert view.query == [1.5, -2.0] and view.temperature == 0.25
    assert not np.allclose(view.weights, before)
    ui = (JS_DIR / "ui.js").read_text()
    assert "model.set(name, value)" in ui and "model.save_changes()" in ui


def test_fallback_html_is_a_noscript_png(rng: np.random.Generator) -> None:
    for view in all_views(rng)[:2]:
        html = view.fallback_html()
        assert html.startswith("<noscript><img") and "data:image/png;base64," in html


def test_ipython_display_shows_fallback_then_widget(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda obj, **kw: shown.append((obj, kw.get("raw"))))
    all_views(rng)[1]._ipython_display_()
    assert len(shown) == 2 and all(raw for _, raw in shown)
    assert "<noscript>" in shown[0][0]["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in shown[1][0]


# --- the vendored widget runtime ------------------------------------------------------------
def test_vendor_widgets_is_idempotent(tmp_path) -> None:
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    if not (root / "node_modules" / "@jupyter-widgets" / "html-manager").exists():
        pytest.skip("node_modules not installed (make vendor runs npm ci)")
    spec = importlib.util.spec_from_file_location("vendor_widgets", root / "scripts" / "vendor_widgets.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    dest = tmp_path / "widgets"
    assert mod.vendor(dest) > 0
    names = {p.name for p in dest.iterdir()}
    assert {"require.js", "require-config.js", "embed-amd.js", "anywidget.js"} <= names
    assert any(n.endswith(".woff2") for n in names)  # the fonts html-manager asks for
    assert mod.vendor(dest) == 0  # nothing changed: nothing copied
    assert "cdn" not in (dest / "require-config.js").read_text().lower().replace("not a cdn", "")
