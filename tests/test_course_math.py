"""The math typeset at build time (``book/_ext/course_math.py`` with ``render_math.js``):
formulas found in Sphinx's markup, typeset by the vendored MathJax, written back in place;
TeX errors reported; incremental builds keep every character's rule in the stylesheet."""

from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import course_math  # noqa: E402

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "mathjax").is_dir(),
    reason="needs Node and node_modules/mathjax (`make vendor`)")

PAGE = """<html><head><title>t</title></head><body>
<p>Inline <span class="math notranslate nohighlight">\\(a &lt; b\\)</span> and
<span class="math notranslate nohighlight">\\(\\sqrt{d_k}\\)</span>.</p>
<div class="math notranslate nohighlight" id="equation-x">
<span class="eqno">(1)<a class="headerlink" href="#equation-x">#</a></span>\\[
x = \\frac{1}{2}
\\]</div>
<div class="math notranslate nohighlight">
\\begin{align} a &amp;= b \\\\ c &amp;= d \\end{align}</div>
<pre>\\(not math\\)</pre>
</body></html>
"""


def test_find_math_unescapes_and_keeps_order() -> None:
    assert course_math.find_math(PAGE) == [
        ("a < b", False), ("\\sqrt{d_k}", False), ("\nx = \\frac{1}{2}\n", True),
        ("\\begin{align} a &= b \\\\ c &= d \\end{align}", True)]


def _build(tmp_path: Path, pages: dict[str, str]) -> types.SimpleNamespace:
    out = tmp_path / "html"
    (out / "_static").mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    return types.SimpleNamespace(outdir=str(out), doctreedir=str(tmp_path),
                                 builder=types.SimpleNamespace(format="html"))


def test_pages_get_mathjax_markup_and_the_stylesheet(tmp_path: Path) -> None:
    app = _build(tmp_path, {"sub/page.html": PAGE})
    course_math.typeset_pages(app, None)
    page = (Path(app.outdir) / "sub" / "page.html").read_text(encoding="utf-8")
    assert page.count("<mjx-container") == 4 and page.count("<mjx-assistive-mml") == 4
    assert "\\(a" not in page and "\\begin{align}" not in page
    assert "<pre>\\(not math\\)</pre>" in page  # only Sphinx's math markup is typeset
    assert '<span class="eqno">(1)' in page  # the equation number stays
    assert page.count('tabindex="0"') == 2  # display formulas can be scrolled by keyboard
    assert 'href="../_static/course-math.css"' in page and "--course-math-scale" in page
    css = (Path(app.outdir) / "_static" / "course-math.css").read_text(encoding="utf-8")
    assert "mjx-c221A" in css  # the square root's rule (U+221A)


def test_incremental_build_keeps_every_character(tmp_path: Path) -> None:
    app = _build(tmp_path, {"a.html": PAGE})
    course_math.typeset_pages(app, None)
    # A later build rewrites only another page, whose one formula has no square root.
    (Path(app.outdir) / "b.html").write_text(
        PAGE.split("<p>")[0] + '<p><span class="math notranslate nohighlight">\\(y\\)</span>'
        "</p></body></html>", encoding="utf-8")
    course_math.typeset_pages(app, None)
    css = (Path(app.outdir) / "_static" / "course-math.css").read_text(encoding="utf-8")
    assert "mjx-c221A" in css, "a.html's square root lost its rule"
    assert (Path(app.outdir) / "a.html").read_text(encoding="utf-8").count("<mjx-container") == 4


def test_tex_errors_are_reported() -> None:
    _, _, errors = course_math.render([("\\frac{1}{", False), ("\\notamacro x", False),
                                       ("x^2", False)])
    assert [i for i, _ in errors] == [0, 1]
    assert "notamacro" in errors[1][1]
