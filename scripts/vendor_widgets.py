"""Copy the vendored front-end files from node_modules into book/vendor/.

Nothing the book or its tests load comes from a CDN:

- ``book/vendor/site/mathjax``: MathJax (set as ``mathjax_path`` in _config.yml). The folder
  ``book/vendor/site`` is listed in ``html_static_path``, so Sphinx copies it to
  ``_build/html/_static/``; the pages use its fonts (``book/_ext/course_math.py`` typesets
  the math at build time with ``node_modules/mathjax``, and no page loads MathJax's script).
- ``book/vendor/widgets``: the Jupyter widget runtime (``require.js``,
  ``@jupyter-widgets/html-manager``'s ``embed-amd.js`` with the font-awesome fonts it
  references, ``anywidget``'s front end mapped by ``require-config.js``). The book does not
  use it: its pages draw the views with ``book/_ext/static/course-widgets.js`` (see
  CONTRIBUTING.md, "Widgets in the static book"). It serves the standalone page of every
  view that the browser tests and ``benchmarks/views_redraw.py`` build
  (``attn_course.views.standalone``), which runs the views under the reference widget manager.

Versions are pinned in package.json / package-lock.json and installed by ``npm ci``
(``make vendor``). The folders are deliberately not called ``_static``: Jupyter Book injects
every script found in a ``_static`` folder into every page. Running this script again copies
only files that changed.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
DEST = ROOT / "book" / "vendor" / "widgets"
FONT_SUFFIXES = {".woff", ".woff2", ".ttf", ".eot", ".svg"}

# require.config: map the AMD name "anywidget" (and the folder html-manager resolves its fonts
# against) to the local copies. Paths are made absolute from this script's own URL, so the
# same file works on pages at any depth of the site.
REQUIRE_CONFIG = r"""// Made by scripts/vendor_widgets.py: load widget modules from here, not a CDN.
(function () {
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  window.require.config({
    paths: {
      anywidget: here + "anywidget",
      // The bundled widget modules find their font-awesome fonts next to their own URL:
      // point every @jupyter-widgets/* name at this folder, where the fonts are.
      "@jupyter-widgets": here.replace(/\/$/, ""),
      "@jupyter-widgets/html-manager/dist": here.replace(/\/$/, ""),
    },
  });
})();
"""


def _files() -> dict[str, Path]:
    """Destination name → source path of every file to vendor."""
    html_manager = NODE / "@jupyter-widgets" / "html-manager"
    files = {
        "require.js": NODE / "requirejs" / "require.js",
        "embed-amd.js": html_manager / "dist" / "embed-amd.js",
        "anywidget.js": NODE / "anywidget" / "dist" / "index.js",
        "LICENSE.requirejs": NODE / "requirejs" / "LICENSE",
        "LICENSE.anywidget": NODE / "anywidget" / "LICENSE",
        "LICENSE.html-manager": html_manager / "LICENSE",
    }
    for font in sorted((html_manager / "dist").iterdir()):
        if font.suffix in FONT_SUFFIXES:
            files[font.name] = font
    return files


MATHJAX_DEST = ROOT / "book" / "vendor" / "site" / "mathjax"


def _mathjax_files() -> dict[str, Path]:
    """MathJax 3's ``tex-mml-chtml`` component plus the folders it loads lazily (fonts,
    TeX extensions, accessibility, menu); the other combined components are skipped."""
    es5 = NODE / "mathjax" / "es5"
    files = {"tex-mml-chtml.js": es5 / "tex-mml-chtml.js", "LICENSE": NODE / "mathjax" / "LICENSE"}
    for sub in ("input", "output/chtml", "a11y", "ui", "sre", "adaptors"):
        folder = es5 / sub
        if folder.is_dir():
            for f in sorted(folder.rglob("*")):
                if f.is_file():
                    files[str(f.relative_to(es5))] = f
    return files


def vendor_mathjax(dest: Path = MATHJAX_DEST) -> int:
    """Copy MathJax into ``dest`` (only files that changed); return the number written."""
    files = _mathjax_files()
    if not files["tex-mml-chtml.js"].exists():
        raise SystemExit("scripts/vendor_widgets.py: node_modules/mathjax missing - run `npm ci`")
    written = 0
    for name, src in files.items():
        if not src.exists():
            continue
        target = dest / name
        if target.exists() and filecmp.cmp(src, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        written += 1
    return written


def vendor(dest: Path = DEST) -> int:
    """Copy what changed into ``dest``; return the number of files written."""
    files = _files()
    missing = [str(p.relative_to(ROOT)) for name, p in files.items()
               if not p.exists() and not name.startswith("LICENSE")]
    if missing:
        raise SystemExit(
            "scripts/vendor_widgets.py: missing " + ", ".join(missing)
            + " - run `npm ci` first (make vendor does both)"
        )
    dest.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, src in files.items():
        if not src.exists():  # a package without a LICENSE file: nothing to copy
            continue
        target = dest / name
        if target.exists() and filecmp.cmp(src, target, shallow=False):
            continue
        shutil.copyfile(src, target)
        written += 1
    config = dest / "require-config.js"
    if not config.exists() or config.read_text() != REQUIRE_CONFIG:
        config.write_text(REQUIRE_CONFIG)
        written += 1
    keep = set(files) | {"require-config.js"}
    for stale in dest.iterdir():
        if stale.name not in keep and stale.is_file():
            stale.unlink()
    return written


if __name__ == "__main__":
    n = vendor()
    print(f"widget runtime in {DEST.relative_to(ROOT)}: {n} file(s) updated", file=sys.stderr)
    m = vendor_mathjax()
    print(f"MathJax in {MATHJAX_DEST.relative_to(ROOT)}: {m} file(s) updated", file=sys.stderr)
