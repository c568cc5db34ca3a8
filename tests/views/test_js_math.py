"""The views' math module (``views/js/math/index.js``) agrees with its Python twins to 1e-6.

Every function the module exports is run under Node on random inputs and compared with the
Python function it mirrors; ``test_every_export_is_checked`` fails when the module exports a
function that has no check here. Node runs the module as it is (no browser, no bundle): the
bundles are checked to be esbuild's output of these sources in ``test_js_bundles.py``.
Without Node the tests skip (``make vendor`` needs Node anyway), except under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import attn_course as ac
from attn_course.core import positions, retrieval
from attn_course.core.online_softmax import online_softmax_trace
from attn_course.experiments import complexity, intuition
from attn_course.experiments import efficient as flash
from attn_course.experiments.paths import PATH_KINDS, path_between, path_route
from attn_course.experiments.positions import offset_profile
from attn_course.views import packing, prng
from attn_course.views.gates import conv_gate, mlp_gate
from attn_course.views.glimpse import glimpse_selection, soft_pixel_attention
from attn_course.views.scaling import scaling_summary
from attn_course.views.score_explorer import score_matrix

MATH = Path(ac.__file__).parent / "views" / "js" / "math" / "index.js"
HARNESS = Path(__file__).parent / "math_harness.mjs"
TOL = 1e-6


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the JS agreement tests must run on CI, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def js() -> Iterator[Callable[..., Any]]:
    """``js(expression, **args)``: the expression's value, evaluated by Node with the math
    module as ``M`` and ``args`` as local names (JSON in, JSON out)."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed")
    proc = subprocess.Popen([node, str(HARNESS), str(MATH)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def run(expr: str, **args: Any) -> Any:
        proc.stdin.write(json.dumps({"expr": expr, "args": _plain(args)}) + "\n")
        proc.stdin.flush()
        answer = json.loads(proc.stdout.readline())
        if "error" in answer:
            raise AssertionError(f"{expr}: {answer['error']}")
        return answer["ok"]

    yield run
    proc.stdin.close()
    proc.wait(timeout=10)


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if hasattr(x, "detach"):
        x = x.detach().numpy()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x


def close(got: Any, want: Any, tol: float = TOL) -> None:
    if hasattr(want, "detach"):
        want = want.detach().numpy()
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                               atol=tol, rtol=0)


RNG_SEEDS = range(4)


# --- one check per export ------------------------------------------------------------------
def check_linalg(js: Any) -> None:
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        a, b = rng.normal(size=7), rng.normal(size=7)
        A, B = rng.normal(size=(3, 4)), rng.normal(size=(4, 5))
        close(js("M.dot(a, b)", a=a, b=b), a @ b)
        close(js("M.norm(a)", a=a), np.linalg.norm(a))
        close(js("M.vecMat(a, B)", a=a[:4], B=B), a[:4] @ B)
        close(js("M.matmul(A, B)", A=A, B=B), A @ B)
        close(js("M.transpose(A)", A=A), A.T)
        w, V = rng.random(4), rng.normal(size=(4, 3))
        close(js("M.combine(w, v)", w=w, v=V[:, 0]), w @ V[:, 0])
        close(js("M.combine(w, V)", w=w, V=V), w @ V)
        x = np.round(rng.normal(size=9), 1)  # with ties
        close(js("M.sum(x)", x=x), x.sum())
        close(js("M.max(x)", x=x), x.max())
        close(js("M.min(x)", x=x), x.min())
        assert js("M.argmax(x)", x=x) == int(np.argmax(x))
        assert js("M.argmin(x)", x=x) == int(np.argmin(x))
        ms = js("M.meanStd(x)", x=x)
        close([ms["mean"], ms["std"]], [x.mean(), x.std()])
        flat = rng.normal(size=30)
        close(js("M.rows(Float64Array.from(f), 6, 4, 5)", f=flat), flat[6:26].reshape(4, 5))
    assert js("[M.argmax([]), M.argmin([]), M.max([]) === -Infinity]") == [-1, -1, True]


def check_online_trace(js: Any) -> None:
    for seed in RNG_SEEDS:
        x = 5 * np.random.default_rng(seed).normal(size=11)
        for b in (1, 3, 4, 11):
            got = js("M.onlineSoftmaxTrace(x, b)", x=x, b=b)
            want = online_softmax_trace(x, b)
            assert got["end"] == want["end"]
            for key in ("m", "l", "rescale"):
                close(got[key], want[key])


def check_softmax(js: Any) -> None:
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        n = int(rng.integers(1, 12))
        x = rng.normal(scale=4, size=n)
        t = float(np.exp(rng.uniform(-2, 2)))
        mask = rng.random(n) > 0.3
        w = js("M.softmax(x, t, mask)", x=x, t=t, mask=mask)
        close(w, ac.softmax(x, temperature=t, mask=mask))
        close(js("M.entropy(w)", w=w), ac.entropy(np.asarray(w)))
        close(js("M.softmax(x)", x=x), ac.softmax(x))
        S, M_ = rng.normal(scale=3, size=(4, 6)), rng.random((4, 6)) > 0.4
        close(js("M.softmaxRows(S, t, m)", S=S, t=t, m=M_),
              ac.softmax(S, axis=-1, temperature=t, mask=M_))
        close(js("M.maxEntropy(n)", n=n), ac.entropy(np.full(n, 1 / n)))
    big = [1000.0, 999.0, -1000.0]
    close(js("M.softmax(x, 1, [false, false, false])", x=big), [0, 0, 0])
    close(js("M.softmax(x, 0.5)", x=big), ac.softmax(np.array(big), temperature=0.5))
    assert js("M.maxEntropy(0)") == 0


def check_scores(js: Any) -> None:
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        n_q, n_k, d, d_a = 3, 5, 4, 6
        q, k = rng.normal(size=(n_q, d)), rng.normal(size=(n_k, d))
        params = {"W": rng.normal(size=(d, d)), "W_q": rng.normal(size=(d, d_a)),
                  "W_k": rng.normal(size=(d, d_a)), "w_v": rng.normal(size=d_a),
                  "W_loc": rng.normal(size=(d, n_k))}
        for kind in ("dot", "scaled_dot", "general", "additive", "cosine", "location"):
            p = {"W": params["W_loc"]} if kind == "location" else params
            close(js("M.scores(kind, Q, K, p)", kind=kind, Q=q, K=k, p=p),
                  score_matrix(kind, q, k, params))
        query, keys = rng.normal(size=2), rng.normal(size=(7, 2))
        close(js("M.negSqDistance(q, K)", q=query, K=keys), retrieval.neg_sq_distance(query, keys))


def check_attention(js: Any) -> None:
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        for n_q, n_k in ((4, 4), (4, 6), (6, 4)):
            q, k, v = rng.normal(size=(n_q, 8)), rng.normal(size=(n_k, 8)), rng.normal(size=(n_k, 3))
            for mask in (None, rng.random((n_q, n_k)) > 0.3):
                got = js("M.attention(Q, K, V, mask)", Q=q, K=k, V=v, mask=mask)
                out, w = ac.scaled_dot_product_attention(q, k, v, mask=mask)
                close(got["weights"], w)
                close(got["out"], out)
        query, keys = rng.normal(size=2), rng.normal(size=(7, 2))
        t = float(np.exp(rng.uniform(-1.5, 1.5)))
        for values in (rng.normal(size=7), rng.normal(size=(7, 3))):
            got = js("M.softLookup(q, K, V, t)", q=query, K=keys, V=values, t=t)
            value, w = retrieval.soft_lookup(query, keys, values, temperature=t)
            close(got["weights"], w)
            close(got["value"], value)


def check_causal_mask(js: Any) -> None:
    for n in (1, 3, 7):
        assert js("M.causalMask(n)", n=n) == np.asarray(ac.causal_mask(n)).tolist()
        assert js("M.causalMask(n, n)", n=n) == np.asarray(ac.causal_mask(n, n)).tolist()
    # Rectangular shapes: the top-left alignment (torch's is_causal) with an offset.
    for n_q, n_k, offset in ((3, 6, 0), (6, 3, 0), (3, 6, 3), (4, 4, -1)):
        assert js("M.causalMask(a, b, o)", a=n_q, b=n_k, o=offset) == \
            np.asarray(ac.causal_mask(n_q, n_k, offset=offset)).tolist()


def check_prng(js: Any) -> None:
    for seed in (0, 1, 12345, 2**32 - 1):
        got = js("(() => { const r = M.mulberry32(s); return Array.from({length: 50}, r); })()",
                 s=seed)
        assert got == prng.uniforms(seed, 50).tolist()  # bit-exact: integer arithmetic
        assert js("M.uniforms(s, 20)", s=seed) == prng.uniforms(seed, 20).tolist()
        close(js("M.normals(M.mulberry32(s), 40)", s=seed), prng.normals(seed, 40))


def check_scaling(js: Any) -> None:
    for seed, d_k, n_keys, n_trials, scaled in ((0, 64, 16, 100, True), (3, 1, 2, 5, False),
                                                 (999, 1024, 8, 7, False), (7, 16, 64, 20, True)):
        got = js("M.scalingSummary(s, d, n, t, sc)", s=seed, d=d_k, n=n_keys, t=n_trials,
                 sc=scaled)
        want = scaling_summary(seed, d_k, n_keys, n_trials, scaled)
        assert set(got) == set(want)
        for key in want:
            close(got[key], want[key])


def check_costs(js: Any) -> None:
    kinds = ("self-attention", "recurrent", "convolutional")
    for n in (1, 2, 7, 64, 1000, 16384):
        for d in (8, 128, 4096):
            for k in (2, 3, 9):
                for kind in kinds:
                    assert js("M.layerFlops(a, n, d, k)", a=kind, n=n, d=d, k=k) == \
                        complexity.layer_flops(kind, n, d, k)
                    assert js("M.sequentialOps(a, n, k)", a=kind, n=n, k=k) == \
                        complexity.sequential_ops(kind, n, k)
                    assert js("M.maxPathLength(a, n, k)", a=kind, n=n, k=k) == \
                        complexity.max_path_length(kind, n, k)
    for d in (8, 100, 4096):
        for k in (2, 3, 9):
            for versus in kinds[1:]:
                assert js("M.crossoverN(d, k, v)", d=d, k=k, v=versus) == \
                    complexity.crossover_n(d, versus, k=k)
    for n, block, causal, window in ((1024, 128, False, None), (1000, 64, True, None),
                                     (2048, 256, True, 300), (64, 32, False, 0),
                                     (8192, 1024, False, 5000), (500, 128, True, 100)):
        grid = js("M.tileGrid(n, b, c, w)", n=n, b=block, c=causal, w=window)
        assert grid == flash.tile_grid(n, block, causal=causal, window=window).tolist()
        got = js("M.tilingCosts(n, b, 48, c, w)", n=n, b=block, c=causal, w=window)
        assert got == flash.tiling_costs(n, block, d=48, causal=causal, window=window)


def check_positions(js: Any) -> None:
    for n_heads in range(1, 17):
        close(js("M.alibiSlopes(h)", h=n_heads), positions.alibi_slopes(n_heads), tol=0)
    rng = np.random.default_rng(0)
    offs = np.arange(-128, 129)
    for method in ("sinusoidal", "rope", "alibi"):
        for d_model, base, n_heads in ((2, 10000.0, 1), (64, 10000.0, 8), (256, 500.0, 6),
                                       (30, 1e6, 12)):
            head = int(rng.integers(0, n_heads))
            content = rng.normal(size=d_model) if method == "rope" else None
            got = js("M.offsetProfile(m, o, {dModel: d, base: b, content: c, nHeads: h, head: hd})",
                     m=method, o=offs, d=d_model, b=base, c=content, h=n_heads, hd=head)
            close(got, offset_profile(method, offs, d_model=d_model, base=base,
                                                content=content, n_heads=n_heads, head=head))


def check_glimpse(js: Any) -> None:
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        sal = np.round(rng.random((12, 10)), 1)  # ties, broken by the lower index
        ink = rng.random((12, 10)) * (rng.random((12, 10)) > 0.5)
        for method in ("saliency", "random", "grid"):
            for k in (0, 1, 2, 37, 120):
                idx = js("M.glimpseSelection(s, k, m, seed)", s=sal.ravel(), k=k, m=method,
                         seed=seed)
                want = glimpse_selection(sal, k, method, seed)
                assert idx == want.tolist(), (method, k)
                close(js("M.inkRecovered(ink, idx)", ink=ink.ravel(), idx=idx),
                      intuition.ink_recovered(ink, want))
    assert js("M.inkRecovered([0, 0], [1])") == 0


def check_soft_pixel(js: Any) -> None:
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        sal, ink = rng.random((9, 7)), np.maximum(rng.random((9, 7)) - 0.7, 0)
        for T in (0.003, 0.1, 5.0):
            got = js("M.softPixelAttention(s, ink, T)", s=sal.ravel(), ink=ink.ravel(), T=T)
            w, on_ink = soft_pixel_attention(sal, ink, T)
            close(got["weights"], w)
            close(got["onInk"], on_ink)


def check_attention_distance(js: Any) -> None:
    import torch

    from attn_course.experiments.vit import mean_attention_distance

    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        for gh, gw, offset, patch in ((4, 4, 1, 2.0), (3, 5, 0, 1.5), (2, 2, 2, 4.0)):
            n = offset + gh * gw
            maps = rng.dirichlet(np.ones(n), size=(3, n))  # (H=3, n, n)
            got = js("M.meanAttentionDistance(m, H, gh, gw, p, o)", m=maps.ravel(), H=3, gh=gh,
                     gw=gw, p=patch, o=offset)
            close(got, mean_attention_distance(torch.tensor(maps), (gh, gw), patch,
                                               offset=offset))


def check_gates(js: Any) -> None:
    import torch

    from attn_course.experiments.vision_probes import box_share, gate_variances

    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        C, hid, m, k = 6, 3, 5, 3
        params = rng.normal(size=2 * hid * C + hid + C)
        for K in (1, 2):
            x = rng.normal(size=(K, C))
            close(js("M.mlpGate(x, p, C, h)", x=x, p=params, C=C, h=hid),
                  mlp_gate(x, params, C, hid))
        pooled, w, b = rng.normal(size=(2, m, m)), rng.normal(size=(2, k, k)), rng.normal()
        gate = conv_gate(pooled, w, b)
        close(js("M.convGate(p, w, b, m, k)", p=pooled.ravel(), w=w.ravel(), b=b, m=m, k=k),
              gate.ravel())
        box = [1, 0, 3, 4]
        mask = np.zeros((m, m), bool)
        mask[1:3, 0:4] = True
        want = box_share(torch.tensor(gate)[None], torch.tensor(mask)[None])
        got = js("M.boxShare(g, m, box)", g=gate.ravel(), m=m, box=box)
        close(got["share"], float(want["share"][0]))
        close(got["area"], float(want["area"][0]))
        gates = rng.random((5, C))
        got = js("M.gateVariances(g)", g=gates)
        want = gate_variances(torch.tensor(gates))
        close(got["per_image"], want["per_image"])
        close(got["between_channels"], want["between_channels"])
        close(got["mean"], gates.mean(0))


def check_packed(js: Any) -> None:
    rng = np.random.default_rng(0)
    cases = [
        (rng.random(50), "uint16", 0.0, 1.0),
        (rng.random((6, 7)), "uint8", 0.0, 1.0),
        (rng.normal(size=40), "float32", 0.0, 1.0),
        (rng.normal(size=(5, 3)) * 1e3, "float32", 0.0, 1.0),
        (rng.normal(size=30), "uint16", 0.0, 1.0),  # outside [0, 1]: float32 instead
        (rng.uniform(-3, 5, size=25), "uint16", -3.0, 5.0),
        (np.array([0.0, 1.0]), "uint16", 0.0, 1.0),
        (np.zeros(0), "uint8", 0.0, 1.0),
    ]
    for values, encoding, lo, hi in cases:
        p = packing.pack(values, encoding, lo=lo, hi=hi)
        assert js("M.isPacked(p)", p=p) is True
        got = js("M.unpack(p)", p=p)
        want = packing.quantize(values, encoding, lo=lo, hi=hi)
        assert np.asarray(got, dtype=float).shape == want.shape
        np.testing.assert_array_equal(np.asarray(got, dtype=float), want)  # bit-exact
        np.testing.assert_array_equal(packing.unpack(p), want)
    assert js("[M.isPacked([1, 2]), M.isPacked(null), M.unpack([1, 2])]") == [False, False, [1, 2]]


def check_ring(js: Any) -> None:
    import torch

    from attn_course.core.online_softmax import online_attention_update
    from attn_course.experiments.ring import ring_row_trace
    from attn_course.layers.ring import ring_layout, ring_schedule

    for P in range(1, 9):
        assert js("M.ringSchedule(P)", P=P) == ring_schedule(P).tolist()
        for n in (P, P + 1, 13, 16, 37):
            for balanced in (False, True):
                if balanced and 2 * P > n:
                    continue
                assert js("M.ringLayout(n, P, b)", n=n, P=P, b=balanced) == \
                    [pos.tolist() for pos in ring_layout(n, P, balanced=balanced)]
    rng = np.random.default_rng(0)
    m0, l0 = rng.normal(size=(3, 1)), rng.random((3, 1)) + 0.5
    acc0, s, v = rng.normal(size=(3, 4)), rng.normal(size=(3, 5)), rng.normal(size=(5, 4))
    s[1, 2:] = -np.inf
    s[2, :] = -np.inf
    for i in range(3):
        m, l, acc = online_attention_update(*(torch.tensor(x[i:i + 1]) for x in (m0, l0, acc0)),
                                            torch.tensor(s[i:i + 1]), torch.tensor(v))
        got = js("M.onlineAttentionStep(m, l, a, s.map((x) => x === null ? -Infinity : x), V)",
                 m=float(m0[i, 0]), l=float(l0[i, 0]), a=acc0[i],
                 s=[float(x) if np.isfinite(x) else None for x in s[i]], V=v)
        close(got["m"], float(m))
        close(got["l"], float(l))
        close(got["acc"], acc[0].tolist())
    for seed, (n, P, causal, balanced) in enumerate(
            [(16, 4, True, True), (16, 4, False, False), (13, 3, True, False), (9, 1, True, True),
             (20, 8, False, False), (37, 5, True, True)]):
        r = np.random.default_rng(seed)
        q, k, v = r.normal(size=(n, 4)), r.normal(size=(n, 4)), r.normal(size=(n, 3))
        for query in (0, n // 2, n - 1):
            got = js("M.ringRowTrace(q, k, v, P, i, c, b)", q=q, k=k, v=v, P=P, i=query,
                     c=causal, b=balanced)
            want = ring_row_trace(torch.tensor(q), torch.tensor(k), torch.tensor(v),
                                  world_size=P, query=query, causal=causal, balanced=balanced)
            for key in ("rank", "sources", "seen"):
                assert got[key] == want[key], key
            for key in ("m", "l", "out", "error", "exact"):
                close(got[key], want[key])


def check_paths(js: Any) -> None:
    for i, j in ((0, 0), (31, 0), (17, 5), (26, 26), (9, 8)):
        for k in (2, 3, 5):
            for r in (1, 4, 8):
                for kind in PATH_KINDS:
                    got = js("M.pathRoute(a, i, j, k, r)", a=kind, i=i, j=j, k=k, r=r)
                    assert got == [list(p) for p in path_route(kind, i, j, k=k, r=r)]
                    assert js("M.pathBetween(a, i, j, k, r)", a=kind, i=i, j=j, k=k, r=r) == \
                        path_between(kind, i, j, k=k, r=r)


def check_sampling(js: Any) -> None:
    from attn_course.core.sampling import next_token_probs

    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        z = np.round(rng.normal(scale=3, size=40), 1)  # rounded: with ties
        for t in (0.0, 0.3, 1.0, 1.7):
            for k in (None, 1, 5, 40):
                for p in (None, 0.05, 0.5, 0.9):
                    got = js("M.nextTokenProbs(z, t, k, p)", z=z, t=t, k=k, p=p)
                    close(got, next_token_probs(z, temperature=t, top_k=k, top_p=p))
    close(js("M.nextTokenProbs([1, 3, 3], 0)"), [0, 1, 0])  # greedy: the first largest


def check_heads(js: Any) -> None:
    from attn_course.experiments.induction import head_scores

    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        S = int(rng.integers(2, 9))
        w = rng.dirichlet(np.ones(2 * S), size=(2 * S,))  # (2S, 2S): rows sum to 1
        got = js("M.headScores(w, S)", w=w, S=S)
        want = head_scores(torch.tensor(w)[None, None, None], S)
        close([got["previous"], got["prefix"]], [want["previous"].item(), want["prefix"].item()])


def check_flash(js: Any) -> None:
    import torch

    from attn_course.experiments.flash_trace import flash_block_trace

    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        n = int(rng.integers(9, 33))
        q, k, v = (2 * rng.normal(size=(n, d)) for d in (4, 4, 3))
        for block, causal in ((4, False), (8, True), (16, False), (5, True)):
            for query_block in {0, (n - 1) // block}:
                got = js("M.flashBlockTrace(q, k, v, b, i, c)", q=q, k=k, v=v, b=block,
                         i=query_block, c=causal)
                want = flash_block_trace(*(torch.tensor(x) for x in (q, k, v)), block=block,
                                         query_block=query_block, causal=causal)
                for key in ("rows", "tiles", "skipped"):
                    assert got[key] == want[key]
                for key in ("m", "l", "rescale", "acc", "out", "exact", "error"):
                    close(got[key], want[key])


def check_bpe(js: Any) -> None:
    from attn_course.data.bpe import BPETokenizer

    printable = "\n" + "".join(chr(c) for c in range(32, 127))
    text = ("The value of the expression is the value of the last item; x_1 = 42, x_2 = 7.\n"
            "  Indented  text, (brackets) and __dunder__ names -- 3.14 * 2.")
    tok = BPETokenizer.train(text * 3, 80)
    assert len(tok.merges) > 40
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        sample = "".join(rng.choice(list(printable + "aeiou    "), size=int(rng.integers(1, 80))))
        for s in (sample, text):
            for n in (0, 7, 40, len(tok.merges)):
                got = js("M.bpeEncode(s, m, n)", s=s, m=tok.merges, n=n)
                assert got == tok.truncated(n).encode(s).tolist(), (s, n)
                assert js("M.bpeTokens(ids, m)", ids=got, m=tok.merges) == \
                    [tok.token_bytes(i).decode() for i in got]
    assert js("M.bpeEncode('', m, 5)", m=tok.merges) == []


# Every export of the math module → the check that covers it.
CHECKS: dict[str, Callable[[Any], None]] = {
    **dict.fromkeys(["argmax", "argmin", "combine", "dot", "matmul", "max", "meanStd", "min",
                     "norm", "rows", "sum", "transpose", "vecMat"], check_linalg),
    **dict.fromkeys(["entropy", "maxEntropy", "softmax", "softmaxRows"], check_softmax),
    "onlineSoftmaxTrace": check_online_trace,
    **dict.fromkeys(["negSqDistance", "scores"], check_scores),
    **dict.fromkeys(["attention", "softLookup"], check_attention),
    "meanAttentionDistance": check_attention_distance,
    "causalMask": check_causal_mask,
    **dict.fromkeys(["mulberry32", "normals", "uniforms"], check_prng),
    "scalingSummary": check_scaling,
    **dict.fromkeys(["crossoverN", "layerFlops", "maxPathLength", "sequentialOps", "tileGrid",
                     "tilingCosts"], check_costs),
    **dict.fromkeys(["alibiSlopes", "offsetProfile"], check_positions),
    **dict.fromkeys(["glimpseSelection", "inkRecovered"], check_glimpse),
    "softPixelAttention": check_soft_pixel,
    **dict.fromkeys(["boxShare", "convGate", "gateVariances", "mlpGate"], check_gates),
    **dict.fromkeys(["isPacked", "unpack"], check_packed),
    **dict.fromkeys(["pathBetween", "pathRoute"], check_paths),
    **dict.fromkeys(["onlineAttentionStep", "ringLayout", "ringRowTrace", "ringSchedule"],
                    check_ring),
    "flashBlockTrace": check_flash,
    "nextTokenProbs": check_sampling,
    "headScores": check_heads,
    **dict.fromkeys(["bpeEncode", "bpeTokens"], check_bpe),
}


def test_every_export_is_checked(js: Any) -> None:
    exports = set(js("Object.keys(M)"))
    assert not exports - set(CHECKS), f"exports without an agreement check: {exports - set(CHECKS)}"
    assert not set(CHECKS) - exports, f"checks of names the module no longer exports: " \
                                      f"{set(CHECKS) - exports}"
    assert js("Object.values(M).every((f) => typeof f === 'function')")


@pytest.mark.parametrize("check", sorted(set(CHECKS.values()), key=lambda f: f.__name__),
                         ids=lambda f: f.__name__.removeprefix("check_"))
def test_agrees_with_python(js: Any, check: Callable[[Any], None]) -> None:
    check(js)
