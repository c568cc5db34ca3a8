"""Numbers in the prose for the book and for JupyterLab: the converter, ``glue`` and the
book's ``{eval}`` role (``scripts/numbers_to_eval.py``, ``attn_course.tools.glue``,
``book/_ext/course_numbers.py``).

The last test builds a one-page book from ``tests/fixtures/numbers.ipynb`` converted, with
``-W``, and checks it shows each number as ``{glue:text}`` did (and as Python's f-string
gives it in JupyterLab).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "numbers.ipynb"
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from course_numbers import parse_expression  # noqa: E402
from numbers_to_eval import convert_file, convert_notebook  # noqa: E402

EXPECTED = {  # what the page shows, as Python formats each value
    "ratio": f"{2 / 3:.3f}", "percent": f"{2 / 3:.1%}", "count": f"{12345:,}",
    "plain": "12345", "name": "RoPE (relative)", "a": f"{0.25:.2f}", "b": f"{0.5:.2f}",
}


def _md(nb: dict) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _code(nb: dict) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def test_converter_rewrites_roles_and_import() -> None:
    nb = json.loads(FIXTURE.read_text(encoding="utf-8"))
    nb["cells"][2]["metadata"]["user_expressions"] = [{"expression": "x", "result": {}}]
    out, notes = convert_notebook(copy.deepcopy(nb))
    md = _md(out)
    assert "{glue:text}" not in md
    assert '{eval}`f"{fx_ratio:.3f}"`' in md and '{eval}`f"{fx_ratio:.1%}"`' in md
    assert '{eval}`f"{fx_count:,}"`' in md and "{eval}`fx_count`" in md
    assert "{eval}`fx_name`" in md
    assert "from attn_course.tools.glue import glue" in _code(out)
    assert "from myst_nb import glue" not in _code(out)
    assert all("user_expressions" not in c["metadata"] for c in out["cells"])
    # fx_drop_a/b are glued under keys built at run time: reported, not an error
    assert any("fx_drop_a" in n and "run time" in n for n in notes)


def test_converter_is_idempotent(tmp_path: Path) -> None:
    nb_path = tmp_path / "nb.ipynb"
    shutil.copy(FIXTURE, nb_path)
    changed, _ = convert_file(nb_path)
    first = nb_path.read_text(encoding="utf-8")
    again, _ = convert_file(nb_path)
    assert changed and not again
    assert nb_path.read_text(encoding="utf-8") == first
    assert convert_file(nb_path, check=True)[0] is False


def test_parse_expression() -> None:
    assert parse_expression("ch04_x") == ("ch04_x", "")
    assert parse_expression('f"{ch04_x:.2f}"') == ("ch04_x", ".2f")
    assert parse_expression("f'{ch04_x:,}'") == ("ch04_x", ",")
    assert parse_expression('f"{ch04_x}"') == ("ch04_x", "")
    for bad in ["ch04_x + 1", 'f"{ch04_x:.2f} s"', "round(ch04_x, 2)", 'f"{a}{b}"', ""]:
        assert parse_expression(bad) is None, bad


def test_glue_names_the_value_in_the_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython

    from attn_course.tools.glue import glue

    class Shell:
        user_ns: dict = {}

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell)
    glue("ch99_value", 0.5, display=False)
    assert Shell.user_ns["ch99_value"] == 0.5
    with pytest.raises(ValueError, match="identifier"):
        glue("ch99 value", 1, display=False)
    with pytest.raises(ValueError, match="identifier"):
        glue("class", 1, display=False)


def test_converted_page_builds_with_W_and_shows_the_numbers(tmp_path: Path) -> None:
    pytest.importorskip("myst_nb")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURE, src / "index.ipynb")
    convert_file(src / "index.ipynb")
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_nb', 'course_numbers']\n"
        "nb_execution_mode = 'force'\n"
        "nb_execution_raise_on_error = True\n"
        "exclude_patterns = ['_build']\n", encoding="utf-8")
    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-n", "-q", "-b", "html",
                           str(src), str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = (out / "index.html").read_text(encoding="utf-8")
    shown = re.findall(r'<span class="pasted-text">([^<]*)</span>', page)
    assert shown == [EXPECTED[k] for k in ("ratio", "percent", "count", "plain", "name", "a",
                                            "b")]


def test_an_expression_the_book_cannot_show_fails_the_build(tmp_path: Path) -> None:
    pytest.importorskip("myst_nb")
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text("# T\n\nValue {eval}`1 + 1`.\n", encoding="utf-8")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_nb', 'course_numbers']\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src),
                           str(tmp_path / "html")], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "the book shows only a glued name" in proc.stderr
