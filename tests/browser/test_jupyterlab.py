"""A learner running a chapter in JupyterLab (``make lab``) with a live kernel.

Starts ``make lab`` on 127.0.0.1 with a token set here, on a copy of chapter 5 converted by
``scripts/numbers_to_eval.py`` (a no-op once the chapters are converted), runs every cell from
the Run menu, and checks in Chromium:

- the prose shows the numbers (``jupyterlab-myst`` renders each ``{eval}`` once its markdown
  cell has run): no raw role, no error, and the same text the book shows for each number
  (when ``_build/html`` is there), run times aside;
- a playground slider moves from the keyboard (ArrowRight) and JupyterLab's notebook
  shortcuts do not take the key (each view's root element and controls carry
  ``data-lm-suppress-shortcuts``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import HTML, ROOT, unavailable

pytestmark = pytest.mark.browser

CHAPTER = "05_softmax.ipynb"
TOKEN = "attn-course-test-token"
TIMING = re.compile(r"time|seconds|_ms\b|_s\b|speed|runtime")
EVAL = re.compile(r"\{eval\}`([^`]+)`")
SETTINGS = {
    # Every cell in the DOM (JupyterLab 4 draws only the visible ones by default).
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``make lab`` serving a converted copy of the chapter; yields its URL and folder."""
    try:
        import jupyterlab_myst  # noqa: F401
    except ImportError:
        unavailable("jupyterlab-myst is not installed (requirements.txt): run `make book`")
    if not shutil.which("make"):
        unavailable("make is not installed")
    sys.path.insert(0, str(ROOT / "scripts"))
    from numbers_to_eval import convert_file

    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "notebooks" / CHAPTER, folder / CHAPTER)
    convert_file(folder / CHAPTER)
    settings = tmp_path_factory.mktemp("lab-settings")
    for name, value in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    port = _free_port()
    flags = f"--no-browser --port={port} --IdentityProvider.token={TOKEN}"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags += " --allow-root"
    log = open(folder / "lab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_DIR={folder}", f"LAB_FLAGS={flags}"], cwd=ROOT,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings)})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("`make lab` did not start:\n"
                                + (folder / "lab.log").read_text()[-3000:])
                time.sleep(1)
        yield {"url": url, "folder": folder}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def notebook(lab: dict[str, Any], browser: Any) -> Iterator[Any]:
    """The chapter open in JupyterLab, every cell run (Run → Run All Cells), then saved."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{lab['url']}/lab/tree/{CHAPTER}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=90_000)
    page.wait_for_function(  # the kernel has started
        "() => /Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')",
        timeout=90_000)
    page.locator("li.lm-MenuBar-item", has_text="Run").first.click()
    page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]').click()
    page.wait_for_function(
        """() => {
          const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
          return prompts.length && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=240_000)
    page.wait_for_function(
        "() => /Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')",
        timeout=60_000)
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1500)
    yield page
    context.close()


def _plain(text: str) -> str:
    """What jupyterlab-myst shows for a text/plain result (surrounding quotes removed)."""
    return re.sub(r"^([\"'])(.*)\1$", r"\2", text, flags=re.S)


def test_glued_numbers_appear_in_the_prose(lab: dict[str, Any], notebook: Any) -> None:
    cells = notebook.evaluate(
        "() => [...document.querySelectorAll('.jp-MarkdownCell')].map(c => c.innerText)")
    raw = [c[:120] for c in cells if "{eval}" in c or "{glue" in c]
    assert not raw, f"markdown cells still show raw roles: {raw}"
    errors = notebook.locator(".jp-MarkdownCell [data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, f"expressions failed: {errors.all_inner_texts()[:5]}"

    saved = json.loads((lab["folder"] / CHAPTER).read_text(encoding="utf-8"))
    shown: dict[str, str] = {}
    order: list[str] = []
    md_cells = [c for c in saved["cells"] if c["cell_type"] == "markdown"]
    for cell in md_cells:
        source = "".join(cell["source"])
        expressions = EVAL.findall(source)
        order += expressions
        results = {r["expression"]: r["result"] for r in cell["metadata"].get(
            "user_expressions", [])}
        for expr in expressions:
            assert expr in results, f"{{eval}}`{expr}` was not evaluated (cell not run?)"
            result = results[expr]
            assert result["status"] == "ok", f"{{eval}}`{expr}`: {result}"
            shown[expr] = _plain(result["data"]["text/plain"])
    assert order, f"{CHAPTER} has no {{eval}} numbers after conversion"
    rendered = "\n".join(cells)
    missing = [e for e, v in shown.items() if v not in rendered]
    assert not missing, f"values not visible in the prose: {missing[:5]}"

    book_page = HTML / "notebooks" / CHAPTER.replace(".ipynb", ".html")
    if book_page.exists():
        book = [html.unescape(t) for t in re.findall(
            r'<span class="pasted-text">([^<]*)</span>', book_page.read_text(encoding="utf-8"))]
        assert len(book) == len(order), (
            f"the book shows {len(book)} glued numbers, the notebook has {len(order)} {{eval}}")
        differ = [(e, shown[e], b) for e, b in zip(order, book)
                  if shown[e] != b and not TIMING.search(e)]
        assert not differ, f"JupyterLab and the book show different numbers: {differ[:5]}"


def test_playground_slider_moves_from_the_keyboard(notebook: Any) -> None:
    slider = notebook.locator(".attn-view input[type=range]").first
    slider.wait_for(timeout=30_000)
    slider.scroll_into_view_if_needed()
    slider.focus()
    active = notebook.evaluate(
        "() => [...document.querySelectorAll('.jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))")
    before = slider.input_value()
    for _ in range(3):
        notebook.keyboard.press("ArrowRight")
    after = slider.input_value()
    assert float(after) > float(before), f"ArrowRight did not move the slider ({before} -> {after})"
    still = notebook.evaluate(
        "() => [...document.querySelectorAll('.jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))")
    assert still == active, "ArrowRight moved JupyterLab's cell selection"
    assert notebook.evaluate("() => document.activeElement.type") == "range"
