"""The views' JavaScript: real ES modules, one math module, and committed esbuild bundles.

- each view script imports only the math module (``js/math/index.js``) and ``js/ui.js``;
  ``ui.js`` imports only the math module; the math module imports only its own files;
- no softmax, score, exponential or matrix product is written outside the math module;
- the committed bundles (``views/static/<view>.js``, what ``AttnView`` ships as ``_esm``) are
  exactly what esbuild makes of the sources today (``scripts/build_views.py``). Without
  ``node_modules`` this one skips (it runs after ``make vendor``), except under ``CI=true``.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

from attn_course.views._base import JS_DIR, STATIC_DIR, all_views, bundle

ROOT = Path(__file__).resolve().parents[2]
IMPORT = re.compile(r"""^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']""", re.M | re.S)
MATH_DIR = JS_DIR / "math"


def _build_views():
    spec = importlib.util.spec_from_file_location("build_views", ROOT / "scripts" / "build_views.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _imports(path: Path) -> set[str]:
    return set(IMPORT.findall(path.read_text(encoding="utf-8")))


def test_bundles_are_esbuilds_output() -> None:
    mod = _build_views()
    if not mod.ESBUILD.exists():
        reason = "node_modules/.bin/esbuild missing (make vendor runs npm ci)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the bundle check must run on CI, but {reason}")
        pytest.skip(reason)
    assert mod.stale_bundles() == [], "run `make views` and commit src/attn_course/views/static/"


def test_every_view_ships_its_bundle() -> None:
    views = all_views()
    scripts = {p.name for p in JS_DIR.glob("*.js")} - {"ui.js"}
    assert {cls._view_js for cls in views.values()} == scripts, "a view script without a view class"
    assert {p.name for p in STATIC_DIR.glob("*.js")} == scripts
    for name, cls in views.items():
        src = (JS_DIR / cls._view_js).read_text(encoding="utf-8")
        assert f'name: "{name}"' in src, f"{cls._view_js} must mount with name {name!r}"
        esm = cls._esm
        assert esm == bundle(cls._view_js) == (STATIC_DIR / cls._view_js).read_text(encoding="utf-8")
        assert not IMPORT.search(esm) and "import(" not in esm, "a bundle must be self-contained"
        assert "export{" in esm.replace(" ", "") and "as default" in esm


def test_imports_go_through_the_math_module() -> None:
    for path in JS_DIR.glob("*.js"):
        allowed = {"./math/index.js"} | ({"./ui.js"} if path.name != "ui.js" else set())
        assert _imports(path) <= allowed, f"{path.name} imports {_imports(path) - allowed}"
    for path in MATH_DIR.glob("*.js"):
        for spec in _imports(path):
            assert re.fullmatch(r"\./[a-z_]+\.js", spec) and (MATH_DIR / spec).exists(), \
                f"math/{path.name} imports {spec}"
    exported = {m for m in _imports(MATH_DIR / "index.js")}
    assert exported == {f"./{p.name}" for p in MATH_DIR.glob("*.js") if p.name != "index.js"}, \
        "math/index.js must re-export every file of the math module"


# What only the math module may compute: exponentials and logarithms (softmax, entropy),
# trigonometry (positions), tanh (additive score), and the definitions of the math it exports.
FORBIDDEN = [
    r"Math\.(exp|expm1|log|log1p|tanh|cos|sin)\(",
    r"function\s+(softmax\w*|entropy|\w*[sS]cores?|dot|matmul|vecMat|attention\w*|\w*[lL]ookup)\b",
]


def test_no_math_outside_the_math_module() -> None:
    for path in JS_DIR.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        for pattern in FORBIDDEN:
            hits = re.findall(pattern, text)
            assert not hits, f"{path.name} computes {hits} itself: move it to js/math/ " \
                             "(with its Python twin and an agreement check)"
