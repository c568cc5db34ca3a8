"""attn_math.js (the views' math in the browser) agrees with attn_course to 1e-6.

Independent of the book: the shipped script is loaded into a blank Chromium page and its
functions are called on random inputs; Python computes the same with the package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import attn_course as ac
from attn_course.core.masks import causal_mask
from attn_course.core.retrieval import neg_sq_distance
from attn_course.views.prng import normals, uniforms

pytestmark = pytest.mark.browser

JS = Path(ac.__file__).parent / "views" / "js" / "attn_math.js"
TOL = 1e-6


@pytest.fixture(scope="module")
def js(browser: Any) -> Any:
    """A function ``js(expression, **args)`` evaluated next to ``AttnMath`` in Chromium."""
    page = browser.new_page()
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.add_script_tag(content=JS.read_text(encoding="utf-8") + "\nwindow.AttnMath = AttnMath;")

    def run(expr: str, **args: Any) -> Any:
        return page.evaluate(f"(args) => {{ const {{{', '.join(args)}}} = args; return {expr}; }}",
                             json.loads(json.dumps(args)))

    yield run
    page.close()


def close(got: Any, want: Any) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                               atol=TOL, rtol=0)


@pytest.mark.parametrize("seed", range(5))
def test_softmax_entropy(js: Any, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    x = rng.normal(scale=4, size=n)
    t = float(np.exp(rng.uniform(-2, 2)))
    mask = rng.random(n) > 0.3
    w = js("AttnMath.softmax(x, t, mask)", x=x.tolist(), t=t, mask=mask.tolist())
    close(w, ac.softmax(x, temperature=t, mask=mask))
    close(js("AttnMath.entropy(w)", w=w), ac.entropy(np.asarray(w)))
    close(js("AttnMath.softmax(x)", x=x.tolist()), ac.softmax(x))


def test_softmax_fully_masked_and_large(js: Any) -> None:
    x = [1000.0, 999.0, -1000.0]
    close(js("AttnMath.softmax(x, 1, [false, false, false])", x=x), [0, 0, 0])
    close(js("AttnMath.softmax(x, 0.5)", x=x), ac.softmax(np.array(x), temperature=0.5))


@pytest.mark.parametrize("seed", range(3))
def test_scores(js: Any, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_q, n_k, d, d_a = 3, 5, 4, 6
    q, k = rng.normal(size=(n_q, d)), rng.normal(size=(n_k, d))
    W, W_q, W_k = rng.normal(size=(d, d)), rng.normal(size=(d, d_a)), rng.normal(size=(d, d_a))
    w_v, W_loc = rng.normal(size=d_a), rng.normal(size=(d, n_k))
    args = {"Q": q.tolist(), "K": k.tolist()}
    close(js("AttnMath.scores('dot', Q, K)", **args), ac.dot_score(q, k))
    close(js("AttnMath.scores('scaled_dot', Q, K)", **args), ac.scaled_dot_score(q, k))
    close(js("AttnMath.scores('general', Q, K, {W})", W=W.tolist(), **args),
          ac.general_score(q, k, W))
    close(js("AttnMath.scores('additive', Q, K, {W_q, W_k, w_v})", W_q=W_q.tolist(),
             W_k=W_k.tolist(), w_v=w_v.tolist(), **args),
          ac.additive_score(q, k, W_q, W_k, w_v))
    close(js("AttnMath.scores('cosine', Q, K)", **args), ac.cosine_score(q, k))
    close(js("AttnMath.scores('location', Q, K, {W})", W=W_loc.tolist(), **args),
          ac.location_score(q, W_loc))


@pytest.mark.parametrize("causal", [False, True])
def test_attention(js: Any, causal: bool) -> None:
    rng = np.random.default_rng(3)
    q, k, v = rng.normal(size=(4, 8)), rng.normal(size=(6, 8)), rng.normal(size=(6, 3))
    mask = causal_mask(4, 6) if causal else None
    got = js("AttnMath.attention(Q, K, V, mask)", Q=q.tolist(), K=k.tolist(), V=v.tolist(),
             mask=None if mask is None else mask.tolist())
    out, w = ac.scaled_dot_product_attention(q, k, v, mask=mask)
    close(got["weights"], w)
    close(got["out"], out)


def test_neg_sq_distance_and_combine(js: Any) -> None:
    rng = np.random.default_rng(4)
    q, keys, values = rng.normal(size=2), rng.normal(size=(7, 2)), rng.normal(size=7)
    s = js("AttnMath.negSqDistance(q, keys)", q=q.tolist(), keys=keys.tolist())
    close(s, neg_sq_distance(q, keys))
    w = ac.softmax(np.asarray(s))
    close(js("AttnMath.combine(w, v)", w=w.tolist(), v=values.tolist()), w @ values)


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**32 - 1])
def test_prng_matches_python(js: Any, seed: int) -> None:
    got_u = js("(() => { const r = AttnMath.mulberry32(seed); return Array.from({length: 50}, r); })()",
               seed=seed)
    assert got_u == uniforms(seed, 50).tolist()  # bit-exact: integer arithmetic
    close(js("AttnMath.normals(AttnMath.mulberry32(seed), 40)", seed=seed), normals(seed, 40))
