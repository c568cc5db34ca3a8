"""Sphinx extension: the book's math typeset at build time, so no MathJax runs in the browser.

MathJax 3 typesetting in the reader's browser was the largest main-thread cost of the pages
(Lighthouse, mobile preset: 4.5 s of script evaluation on the intro page for its one
formula, most of the "total blocking time" on chapters). At the end of the build this
extension hands every formula of every page to ``render_math.js``, which runs the vendored
MathJax (``node_modules/mathjax``, the version the pages loaded before, with the same TeX
input, CommonHTML output and assistive MathML for screen readers) in Node, and writes the
result into the pages:

- each ``<span class="math">\\(…\\)</span>`` and ``<div class="math">\\[…\\]</div>``
  (Sphinx's MathJax markup; ``\\begin{…}`` environments too) gets MathJax's CommonHTML
  markup in place of its TeX;
- ``_static/course-math.css`` holds the CommonHTML stylesheet for every character the book
  uses (its fonts are the vendored MathJax fonts under ``_static/mathjax``); pages with math
  link it;
- the MathJax script and its configuration are not put in the pages
  (``course_pages.clean_assets``).

What a reader loses: MathJax's right-click menu (show the TeX, zoom, speech settings). The
TeX is still in the page source of the ``.md``/``.ipynb`` downloads, and screen readers read
the assistive MathML, as before. A TeX error (an undefined macro, a misplaced ``&``) is a
build warning, so ``-W`` fails the build, instead of red text in the page.

Incremental builds rewrite only the changed pages, but the stylesheet must cover every
page's characters: the formulas seen are kept in ``course-math-items.json`` in the doctree
folder, and the stylesheet is made from all of them.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
RENDER = HERE / "render_math.js"
CSS_NAME = "course-math.css"
FONT_URL = "mathjax/output/chtml/fonts/woff-v2"  # relative to _static/course-math.css
ITEMS_FILE = "course-math-items.json"
# MathJax in the browser scales each formula so that its x-height matches the text's
# ("matchFontHeight": scale = ex / (0.442 em), 0.442 em being the TeX font's x-height), and the
# reader's text font is not known at build time. This inline script (in <head>, after the
# stylesheets) measures the body font's x-height once, before the first paint, and sets the
# scale as a CSS variable that course-math.css applies (1.2 without JavaScript).
SCALE_SCRIPT = (
    '<script>(function(){var h=document.documentElement,d=document.createElement("div");'
    'd.style.cssText="position:absolute;visibility:hidden;font-family:var(--pst-font-family-base);'
    'font-size:16px;width:60em;height:60ex";h.appendChild(d);var r=d.getBoundingClientRect();'
    'd.remove();if(r.width>0)h.style.setProperty("--course-math-scale",'
    'Math.max(.5,r.height/r.width/.442).toFixed(3))})();</script>\n')
SCALE_CSS = 'mjx-container[jax="CHTML"]{font-size:calc(var(--course-math-scale, 1.2) * 100%)}\n'

INLINE = re.compile(r'(<span class="math notranslate nohighlight">)\\\((.*?)\\\)(</span>)', re.S)
DISPLAY = re.compile(r'(<div class="math notranslate nohighlight"[^>]*>)(.*?)(</div>)', re.S)
EQNO = re.compile(r'^\s*(<span class="eqno">.*?</span>)', re.S)
UNDEFINED = re.compile(r'<mtext mathcolor="red">(\\[A-Za-z]+)</mtext>')


def _display_tex(inner: str) -> tuple[str, str] | None:
    """``(eqno html, TeX)`` of a display-math div's content, or None if it holds no TeX."""
    m = EQNO.match(inner)
    eqno = m.group(1) if m else ""
    body = inner[m.end():] if m else inner
    text = body.strip()
    if text.startswith("\\[") and text.endswith("\\]"):
        return eqno, html.unescape(text[2:-2])
    if text.startswith("\\begin{"):  # amsmath environments, typeset as display math
        return eqno, html.unescape(text)
    return None


def find_math(page: str) -> list[tuple[str, bool]]:
    """The ``(TeX, display)`` of every formula in a page's HTML, in page order."""
    items = [(html.unescape(m.group(2)), False) for m in INLINE.finditer(page)]
    for m in DISPLAY.finditer(page):
        found = _display_tex(m.group(2))
        if found:
            items.append((found[1], True))
    return items


def replace_math(page: str, rendered: dict[tuple[str, bool], str]) -> str:
    """The page with every formula replaced by its rendered markup."""
    page = INLINE.sub(lambda m: m.group(1) + rendered[(html.unescape(m.group(2)), False)]
                      + m.group(3), page)

    def display(m: re.Match[str]) -> str:
        found = _display_tex(m.group(2))
        if not found:
            return m.group(0)
        return m.group(1) + found[0] + rendered[(found[1], True)] + m.group(3)

    return DISPLAY.sub(display, page)


def render(items: list[tuple[str, bool]]) -> tuple[list[str], str, list[tuple[int, str]]]:
    """Run ``render_math.js`` on ``items``: their markup, the stylesheet, TeX errors."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("course_math: Node.js is needed to typeset the math (`make vendor`)")
    request = json.dumps({"items": items, "fontURL": FONT_URL})
    proc = subprocess.run([node, str(RENDER)], input=request, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"course_math: render_math.js failed: {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout)
    errors = [(int(i), str(msg)) for i, msg in out["errors"]]
    for i, markup in enumerate(out["html"]):
        undefined = UNDEFINED.search(markup)
        if undefined:
            errors.append((i, f"undefined control sequence {undefined.group(1)}"))
    return out["html"], out["css"], errors


def _relative_static(page: Path, outdir: Path) -> str:
    depth = len(page.relative_to(outdir).parts) - 1
    return "../" * depth + "_static/"


def typeset_pages(app: Sphinx, exception: Exception | None) -> None:
    """Typeset the formulas of every HTML page in the output folder (see the docstring)."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    pages = {p: p.read_text(encoding="utf-8") for p in sorted(outdir.rglob("*.html"))}
    found = {p: find_math(text) for p, text in pages.items()}
    store = Path(app.doctreedir) / ITEMS_FILE
    known: list[tuple[str, bool]] = []
    if store.exists():
        known = [(str(t), bool(d)) for t, d in json.loads(store.read_text(encoding="utf-8"))]
    items = list(dict.fromkeys([*known, *(i for its in found.values() for i in its)]))
    if not items:
        return
    markup, css, errors = render(items)
    for i, message in errors:
        pages_with = [str(p.relative_to(outdir)) for p, its in found.items() if items[i] in its]
        logger.warning("TeX error in %s: %s (formula %r)", ", ".join(pages_with) or "an older "
                       "build", message, items[i][0][:120])
    rendered = dict(zip(items, markup))
    static = outdir / "_static"
    (static / CSS_NAME).write_text("/* Made by book/_ext/course_math.py (MathJax CommonHTML). "
                                   "*/\n" + SCALE_CSS + css, encoding="utf-8")
    store.write_text(json.dumps(items), encoding="utf-8")
    for page, its in found.items():
        if not its:
            continue
        text = replace_math(pages[page], rendered)
        link = (f'<link rel="stylesheet" type="text/css" '
                f'href="{_relative_static(page, outdir)}{CSS_NAME}" />\n')
        if CSS_NAME not in text:
            text = text.replace("</head>", link + SCALE_SCRIPT + "</head>", 1)
        page.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", typeset_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
