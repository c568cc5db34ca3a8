"""Every chapter notebook is committed clean and starts the same way.

- The first cell is the exact Colab/Binder bootstrap cell rendered by
  ``scripts/colab_cell.py`` from ``_config.yml``'s ``repository.url``, tagged ``remove-cell``
  (fix with ``python scripts/colab_cell.py --fix``).
- No outputs, execution counts or saved widget state are committed
  (fix with ``jupyter nbconvert --clear-output --inplace notebooks/NN_x.ipynb``).
- The kernel is ``python3``.
- The first markdown cell carries the estimated run time line
  ``*Run time: about N s on a 2-core laptop CPU.*`` (optionally with a note in brackets
  before the full stop) that the book shows at the chapter's top.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# An optional note in brackets may follow: "... CPU (four small CNNs are trained).*"
RUN_TIME = re.compile(
    r"^\*Run time: about \d+ s on a 2-core laptop CPU( \([^)]*\))?\.\*$", re.MULTILINE
)
# The measured form: the notebook times itself and glues the number (chNN_run_time), as a
# glue role or in the {eval} form scripts/numbers_to_eval.py converts it to.
RUN_TIME_GLUED = re.compile(
    r"^\*Run time: about (?:\{glue:text\}`(ch\d\d_run_?time):\.0f`"
    r"|\{eval\}`f\"\{(ch\d\d_run_?time):\.0f\}\"`) s, measured by this notebook "
    r"when the page was built( \([^)]*\))?\.\*$", re.MULTILINE
)


def _load_script():
    spec = importlib.util.spec_from_file_location("colab_cell", ROOT / "scripts" / "colab_cell.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


colab_cell = _load_script()
ids = [p.stem for p in NOTEBOOKS]


@pytest.fixture(params=NOTEBOOKS, ids=ids)
def nb(request) -> nbformat.NotebookNode:
    return nbformat.read(request.param, as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


def test_first_cell_is_the_bootstrap_cell(nb):
    found = colab_cell.problems(nb, colab_cell.cell_source())
    assert not found, "; ".join(found)


def test_no_outputs_committed(nb):
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"cells {dirty} have outputs or execution counts: "
        "run `jupyter nbconvert --clear-output --inplace` on the notebook"
    )
    assert "widgets" not in nb.metadata, "saved widget state in the notebook metadata: clear it"


def test_kernel_is_python3(nb):
    name = nb.metadata.get("kernelspec", {}).get("name")
    assert name == "python3", f"kernelspec name is {name!r}, expected 'python3'"


def test_run_time_line_at_the_top(nb):
    first_md = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    assert first_md is not None, "the notebook has no markdown cell"
    glued = RUN_TIME_GLUED.search(first_md.source)
    assert glued or RUN_TIME.search(first_md.source), (
        "the first markdown cell needs the line '*Run time: about {glue:text}`chNN_run_time:.0f` "
        "s, measured by this notebook when the page was built.*' (or the older typed "
        "'*Run time: about N s on a 2-core laptop CPU.*')"
    )
    if glued:  # the number must come from a timer the notebook runs
        key = glued.group(1) or glued.group(2)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        timer = re.search(rf'glue\("{key}", time\.perf_counter\(\) - (\w+)', code)
        assert timer, f"the notebook quotes {key} but never glues it from its timer"
        assert f"{timer.group(1)} = time.perf_counter()" in code


# --- the bootstrap cell and the script themselves ------------------------------------------


def test_cell_uses_the_configured_repository():
    url = colab_cell.repository_url()
    assert url.startswith("https://github.com/")
    source = colab_cell.cell_source()
    assert f'REPO = "{url}"' in source
    assert colab_cell.cell_source("https://example.org/x/y").count("https://example.org/x/y") == 1


def test_cell_does_nothing_where_the_package_is_installed(monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    exec(compile(colab_cell.cell_source(), "<bootstrap>", "exec"), {"__name__": "__main__"})
    assert calls == [], "the bootstrap cell tried to pip install although attn_course is importable"


def test_cell_installs_from_the_repository_when_the_package_is_missing(monkeypatch):
    calls = []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "attn_course" else real_find_spec(name, *a),
    )
    monkeypatch.setattr(subprocess, "run", lambda cmd, **k: calls.append((cmd, k)))
    exec(compile(colab_cell.cell_source(), "<bootstrap>", "exec"), {"__name__": "__main__"})
    assert len(calls) == 1
    cmd, kw = calls[0]
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    assert cmd[-1] == f"attn-course @ git+{colab_cell.repository_url()}"
    assert kw == {"check": True}


def test_fix_inserts_replaces_and_is_idempotent(tmp_path):
    source = colab_cell.cell_source()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 1. Title"), nbformat.v4.new_code_cell("x = 1")]
    assert colab_cell.problems(nb, source)
    assert colab_cell.fix(nb, source)
    assert not colab_cell.problems(nb, source)
    assert [c.cell_type for c in nb.cells] == ["code", "markdown", "code"]
    assert not colab_cell.fix(nb, source), "a second --fix must change nothing"

    # An outdated bootstrap cell further down is replaced, not duplicated.
    old = nbformat.v4.new_code_cell('if importlib.util.find_spec("attn_course") is None: pass')
    nb.cells = [nbformat.v4.new_markdown_cell("# 1. Title"), old]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    assert colab_cell.main(["--check", str(path)]) == 1
    assert colab_cell.main(["--fix", str(path)]) == 0
    assert colab_cell.main(["--check", str(path)]) == 0
    fixed = nbformat.read(path, as_version=4)
    assert [c.cell_type for c in fixed.cells] == ["code", "markdown"]
    assert fixed.cells[0].metadata["tags"] == ["remove-cell"]
    nbformat.validate(fixed)
