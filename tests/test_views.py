"""The views' Python side: validation, traits, the readout (vs the core math).

The JavaScript is tested in tests/test_views_math.py (the math module under Node, against
Python), tests/test_views_bundles.py (imports, bundles) and tests/browser/ (the views in
Chromium); the packed arrays and the state budgets in tests/test_views_state.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import attn_course as ac
from attn_course.retrieval import make_key_value_store, soft_lookup
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
from attn_course.views.prng import normals, uniforms
from attn_course.views.scaling import scaling_draws
from attn_course.views.score_explorer import SCORE_KINDS, score_matrix


@pytest.fixture
def store() -> tuple[np.ndarray, np.ndarray]:
    return make_key_value_store(6, seed=0)


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


def test_roles_params_and_roundtrip(rng: np.random.Generator) -> None:
    for view in all_views(rng):
        assert view._param_names and view._data_names
        assert set(view.params) == set(view._param_names)
        for name in view._param_names + view._data_names:
            assert view.trait_metadata(name, "sync"), f"{name} must sync"
        copy = type(view).from_state({**view.state, **view.params})
        assert copy.readout() == view.readout()


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


# --- retrieval ----------------------------------------------------------------------------
def test_retrieval_readout_is_soft_lookup(store: tuple[np.ndarray, np.ndarray]) -> None:
    keys, values = store
    view = RetrievalPlayground(keys, values, query=(1.0, -0.5), temperature=0.5)
    value, weights = soft_lookup(np.array([1.0, -0.5]), keys, values, temperature=0.5)
    r = view.readout()
    np.testing.assert_allclose(r["weights"], weights, atol=1e-12)
    assert r["value"] == pytest.approx(float(value))
    assert r["entropy"] == pytest.approx(float(ac.entropy(weights)))
    view.query = [0.0, 0.0]  # what a reader's drag does through the kernel
    np.testing.assert_allclose(view.weights, soft_lookup(np.zeros(2), keys, values,
                                                        temperature=0.5)[1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"keys": np.zeros((3, 3)), "values": np.zeros(3)}, r"keys must have shape \(n, 2\), got \(3, 3\)"),
        ({"keys": np.zeros((3, 2)), "values": np.zeros(4)}, r"values must have shape \(3,\), got \(4,\)"),
        ({"keys": np.zeros((3, 2)), "values": np.zeros(3), "query": (1, 2, 3)}, r"query must have shape \(2,\)"),
        ({"keys": np.zeros((3, 2)), "values": np.zeros(3), "temperature": 0}, "temperature must be a positive"),
        ({"keys": np.full((3, 2), np.nan), "values": np.zeros(3)}, "keys must be finite"),
        ({"keys": np.zeros((2, 2)), "values": np.zeros(2), "labels": ["a"]}, "labels must have 2 entries"),
    ],
)
def test_retrieval_validation(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RetrievalPlayground(**kwargs)


# --- softmax lab --------------------------------------------------------------------------
@given(st.lists(st.floats(-20, 20), min_size=1, max_size=8), st.floats(0.05, 20))
def test_softmax_lab_readout(logits: list[float], t: float) -> None:
    mask = np.arange(len(logits)) % 2 == 0
    r = SoftmaxLab(logits, temperature=t, mask=mask).readout()
    w = ac.softmax(np.array(logits), temperature=t, mask=mask)
    np.testing.assert_allclose(r["weights"], w, atol=1e-12)
    assert r["entropy"] == pytest.approx(float(ac.entropy(w)), abs=1e-12)
    assert np.asarray(r["weights"])[~mask].max(initial=0) == 0


def test_softmax_lab_validation() -> None:
    with pytest.raises(ValueError, match=r"mask must be boolean with shape \(3,\)"):
        SoftmaxLab([1, 2, 3], mask=[1, 0, 1])
    with pytest.raises(ValueError, match=r"logits must have shape \(n,\), got \(2, 2\)"):
        SoftmaxLab(np.zeros((2, 2)))
    assert SoftmaxLab([10.0, -12.0]).logit_range == [-12.0, 12.0]


# --- scaling ------------------------------------------------------------------------------
def test_prng_is_mulberry32() -> None:
    # Reference values of mulberry32(42), computed by the JavaScript in views/js/math/prng.js.
    np.testing.assert_allclose(
        uniforms(42, 3), [0.6011037519201636, 0.44829055899754167, 0.8524657934904099],
        rtol=0, atol=1e-15)
    z = normals(0, 20_000)
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    np.testing.assert_array_equal(normals(5, 10), normals(5, 10))
    with pytest.raises(ValueError, match="seed"):
        uniforms(-1, 3)


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


# --- score explorer -----------------------------------------------------------------------
def test_score_explorer_matches_scores(rng: np.random.Generator) -> None:
    view = _score_view(rng)
    assert view.kinds == list(SCORE_KINDS)
    for kind in SCORE_KINDS:
        view.score = kind
        view.temperature = 0.5
        r = view.readout()
        params = {"W": view.W, "W_q": view.W_q, "W_k": view.W_k, "w_v": view.w_v,
                  "W_loc": view.W_loc}
        s = score_matrix(kind, view.queries, view.key_vectors, params)
        np.testing.assert_allclose(r["scores"], s)
        np.testing.assert_allclose(r["weights"], ac.softmax(s, temperature=0.5))
    np.testing.assert_allclose(
        score_matrix("general", view.queries, view.key_vectors, {"W": view.W}),
        ac.general_score(np.array(view.queries), np.array(view.key_vectors), np.array(view.W)))


def test_score_explorer_validation(rng: np.random.Generator) -> None:
    q, k = rng.normal(size=(2, 3)), rng.normal(size=(4, 3))
    assert ScoreExplorer(q, k).kinds == ["dot", "scaled_dot", "cosine"]
    with pytest.raises(ValueError, match="score must be one of"):
        ScoreExplorer(q, k, score="general")
    with pytest.raises(ValueError, match=r"params\['W'\] must have shape \(3, 3\)"):
        ScoreExplorer(q, k, params={"W": np.zeros((2, 3))})
    with pytest.raises(ValueError, match="needs W_q, W_k and w_v"):
        ScoreExplorer(q, k, params={"W_q": np.zeros((3, 2))})


# --- token row ----------------------------------------------------------------------------
@pytest.mark.parametrize("causal", [False, True])
def test_token_row_matches_attention(rng: np.random.Generator, causal: bool) -> None:
    X, Wq, Wk, Wv = (rng.normal(size=s) for s in [(5, 6), (6, 4), (6, 4), (6, 3)])
    view = TokenRowView(list("abcde"), X, Wq, Wk, Wv, selected=2, causal=causal)
    out, w = ac.scaled_dot_product_attention(X @ Wq, X @ Wk, X @ Wv,
                                             mask=ac.causal_mask(5) if causal else None)
    r = view.readout()
    np.testing.assert_allclose(r["weights"], w[2])
    np.testing.assert_allclose(r["output"], out[2])
    if causal:
        assert r["weights"][3:] == [0.0, 0.0]


def test_token_row_validation(rng: np.random.Generator) -> None:
    with pytest.raises(ValueError, match=r"X must have shape \(3, n\), got \(4, 6\)"):
        TokenRowView(list("abc"), rng.normal(size=(4, 6)), *(rng.normal(size=(6, 2)),) * 3)
    with pytest.raises(ValueError, match=r"W_k must have shape \(6, 2\)"):
        TokenRowView(list("abc"), rng.normal(size=(3, 6)), rng.normal(size=(6, 2)),
                     rng.normal(size=(6, 3)), rng.normal(size=(6, 2)))


# --- attention maps -----------------------------------------------------------------------
def test_attention_map_views(rng: np.random.Generator) -> None:
    maps = rng.dirichlet(np.ones(5), size=(2, 3, 4, 6))  # (E, L, H, n_q, n_k) = (2, 3, 4, 6, 5)
    view = AttentionMapExplorer(maps)
    E, L, H, n_q, n_k = view.shape
    assert (E, L, H, n_q, n_k) == (2, 3, 4, 6, 5)
    view.example, view.layer, view.head, view.query = 1, 2, 3, 4
    # The maps travel as 16-bit integers on [0, 1] (views/packing.py): within 7.6e-6.
    np.testing.assert_allclose(view.readout()["row"], maps[1, 2, 3, 4], atol=7.7e-6, rtol=0)
    q, k = rng.normal(size=(2, 7, 8)), rng.normal(size=(2, 7, 8))  # (H, N, d_k)
    qk = AttentionMapExplorer.from_qk(q, k, temperature=0.5, causal=True)
    qk.head, qk.query = 1, 3
    q32, k32 = (np.float32(a).astype(np.float64) for a in (q, k))  # shipped as float32
    want = ac.softmax(ac.scaled_dot_score(q32[1], k32[1]), temperature=0.5, mask=ac.causal_mask(7))
    r = qk.readout()
    np.testing.assert_allclose(r["row"], want[3], rtol=0, atol=1e-15)
    assert r["map_sum"] == pytest.approx(7.0)


def test_attention_map_validation(rng: np.random.Generator) -> None:
    with pytest.raises(ValueError, match=r"maps must have shape \(E, L, H, n_q, n_k\)"):
        AttentionMapExplorer(np.zeros(4))
    with pytest.raises(ValueError, match="x_labels must have 4 entries"):
        AttentionMapExplorer(np.full((3, 4), 0.25), x_labels=list("abc"))
    with pytest.raises(ValueError, match="grid"):
        AttentionMapExplorer(np.full((1, 1, 1, 2, 5), 0.2), images=np.zeros((1, 8, 8)))
    with pytest.raises(ValueError, match="does not fit"):
        AttentionMapExplorer(np.full((1, 1, 1, 2, 5), 0.2), images=np.zeros((1, 8, 8)),
                             grid=(3, 3))
    with pytest.raises(ValueError, match="q and k must share"):
        AttentionMapExplorer.from_qk(np.zeros((2, 3, 4)), np.zeros((2, 3, 5)))


# --- the vendored widget runtime ------------------------------------------------------------
def test_vendor_widgets_is_idempotent(tmp_path) -> None:
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
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
