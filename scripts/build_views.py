"""Bundle each view's ES module with esbuild: ``views/js/<view>.js`` → ``views/static/<view>.js``.

A view script imports the math module (``views/js/math/index.js``) and the UI module
(``views/js/ui.js``); the static book cannot resolve such imports (anywidget loads a
view's module from a string), so each view is bundled into one self-contained, minified
ES module, which ``AttnView`` ships as its ``_esm``. The bundles are committed: readers who
``pip install`` the package (Colab, Binder) have no npm. ``make vendor`` rebuilds them;
``tests/views/test_js_bundles.py`` checks that rebuilding gives exactly the committed files.

esbuild is pinned in package.json / package-lock.json (``npm ci``).

Usage: ``python scripts/build_views.py [--check] [--outdir DIR]``.
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ROOT / "src" / "attn_course" / "views"
JS = VIEWS / "js"
STATIC = VIEWS / "static"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
SHARED = {"ui.js"}  # modules in js/ that are imported, not bundled on their own (and js/math/)
BANNER = "// Built by scripts/build_views.py (esbuild) from src/attn_course/views/js: do not edit."
FLAGS = [
    "--bundle", "--format=esm", "--minify", "--target=es2020", "--charset=utf8",
    "--legal-comments=none", "--log-level=warning", f"--banner:js={BANNER}",
]


def entries() -> list[Path]:
    """The view scripts: every ``js/*.js`` except the shared modules."""
    return sorted(p for p in JS.glob("*.js") if p.name not in SHARED)


def build(outdir: Path = STATIC) -> list[Path]:
    """Bundle every view into ``outdir``; return the bundles' paths. Stale bundles (of a
    view script that no longer exists) are removed."""
    if not ESBUILD.exists():
        raise SystemExit(f"{ESBUILD.relative_to(ROOT)} missing: run `npm ci` (make vendor does)")
    outdir.mkdir(parents=True, exist_ok=True)
    src = entries()
    subprocess.run([str(ESBUILD), *[str(p.relative_to(ROOT)) for p in src], *FLAGS,
                    f"--outdir={outdir}"], cwd=ROOT, check=True)
    built = [outdir / p.name for p in src]
    for stale in set(outdir.glob("*.js")) - set(built):
        stale.unlink()
    return built


def stale_bundles() -> list[str]:
    """Names of the committed bundles that differ from a fresh build (or are missing/extra)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = {p.name for p in build(Path(tmp))}
        have = {p.name for p in STATIC.glob("*.js")}
        differ = [n for n in sorted(fresh & have)
                  if not filecmp.cmp(Path(tmp) / n, STATIC / n, shallow=False)]
        return sorted(set(differ) | (fresh ^ have))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="build into a temporary folder and list bundles that differ")
    parser.add_argument("--outdir", type=Path, default=STATIC)
    args = parser.parse_args()
    if args.check:
        stale = stale_bundles()
        if stale:
            raise SystemExit(f"out of date: {stale} - run `make vendor` and commit the bundles")
        print("view bundles up to date", file=sys.stderr)
        return
    built = build(args.outdir)
    sizes = ", ".join(f"{p.stem} {p.stat().st_size / 1000:.1f} kB" for p in built)
    print(f"view bundles in {args.outdir}: {sizes}", file=sys.stderr)


if __name__ == "__main__":
    main()
