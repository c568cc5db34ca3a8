"""Helpers of the browser tests: page visits, the DOM readout, controls, Python parity.

A view renders ``<div class="attn-view" data-view=NAME data-state=… data-params=…
data-readout=…>`` (see ``src/attn_course/views/README.md``). ``python_readout`` recomputes
the readout with ``attn_course`` from the state and params the page shows, and
``assert_close`` compares the two to 1e-6.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
# The built book; BOOK_HTML points the tests at another build (e.g. a trial book in /tmp).
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
VENDOR = ROOT / "book" / "vendor" / "widgets"
# The book's widget loader: draws the views from the saved state on the book's pages and on
# the test pages of views (write_views_page).
WIDGET_LOADER = ROOT / "book" / "_ext" / "static" / "course-widgets.js"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TOL = 1e-6



def unavailable(reason: str) -> None:
    """Skip with ``reason`` — or fail under ``CI=true``, where the browser tests must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run on CI, but {reason}")
    pytest.skip(reason)


def chapter_pages() -> list[str]:
    """Paths (relative to ``_build/html``) of the built chapter pages."""
    return sorted(p.relative_to(HTML).as_posix() for p in (HTML / "notebooks").glob("*.html"))


@dataclass
class PageVisit:
    """A Playwright page with its console errors and outside requests recorded."""

    page: Any
    url: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, page: Any, url: str) -> PageVisit:
        visit = cls(page, url)
        host = urlparse(url).hostname

        # Every console error counts: nothing is filtered (the book fixes the causes).
        def on_console(msg: Any) -> None:
            if msg.type == "error":
                where = (msg.location or {}).get("url", "")
                visit.console_errors.append(f"{msg.text} ({where})")

        def on_pageerror(err: Any) -> None:
            visit.console_errors.append(f"uncaught: {err}")

        def on_request(req: Any) -> None:
            parsed = urlparse(req.url)
            if parsed.scheme in ("data", "blob", "about"):
                return
            if parsed.hostname != host:
                visit.outside_requests.append(req.url)

        def on_response(resp: Any) -> None:
            if resp.status >= 400:
                visit.failed.append(f"{resp.status} {resp.url}")

        page.on("console", on_console)
        page.on("pageerror", on_pageerror)
        page.on("request", on_request)
        page.on("response", on_response)
        return visit

    def check_clean(self) -> None:
        """No console error, no failed request, no request outside 127.0.0.1."""
        assert not self.outside_requests, f"{self.url} requested outside the site: {self.outside_requests}"
        assert not self.failed, f"{self.url}: failed requests {self.failed}"
        assert not self.console_errors, f"{self.url}: console errors {self.console_errors}"


def views_on(page: Any) -> list[Any]:
    """Locators of every rendered view on the page, in page order."""
    loc = page.locator(".attn-view[data-readout]")
    return [loc.nth(i) for i in range(loc.count())]


def readout(view: Any) -> dict[str, Any]:
    """The view's name, state, params and readout, parsed from its data attributes."""
    attrs = view.evaluate(
        "el => ({name: el.dataset.view, state: el.dataset.state, params: el.dataset.params,"
        " readout: el.dataset.readout})"
    )
    return {
        "name": attrs["name"],
        "state": json.loads(attrs["state"]),
        "params": json.loads(attrs["params"]),
        "readout": json.loads(attrs["readout"]),
    }


def python_readout(name: str, state: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The readout ``attn_course`` computes for a view with this state and these params."""
    from attn_course.views._base import all_views

    views = all_views()
    assert name in views, f"no view class with view_name {name!r} in attn_course.views"
    return views[name].from_state({**state, **params}).readout()


def assert_close(got: dict[str, Any], want: dict[str, Any], tol: float = TOL) -> None:
    """Every entry of ``want`` equals the browser's ``got`` to ``tol`` (absolute)."""
    assert set(got) == set(want), f"readout keys differ: browser {sorted(got)}, python {sorted(want)}"
    for key, w in want.items():
        g = np.asarray(got[key], dtype=np.float64)
        w = np.asarray(w, dtype=np.float64)
        assert g.shape == w.shape, f"{key}: browser shape {g.shape}, python {w.shape}"
        np.testing.assert_allclose(g, w, atol=tol, rtol=0, err_msg=f"readout {key!r}")


def check_parity(view: Any) -> dict[str, Any]:
    """Assert the view's displayed numbers equal Python's; return the parsed readout."""
    r = readout(view)
    assert_close(r["readout"], python_readout(r["name"], r["state"], r["params"]))
    return r


def set_range(view: Any, control: str, value: float) -> None:
    """Move the range input ``data-control=control`` of ``view`` to ``value`` (fires input)."""
    view.locator(f'input[data-control="{control}"]').fill(str(value))


def screenshot(view: Any, name: str) -> Path:
    """Save a screenshot of a view under ``_build/screenshots/NAME.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    view.scroll_into_view_if_needed()
    view.screenshot(path=str(path))
    return path


# --- moving a control of each view ------------------------------------------------------
def _range_limits(view: Any, control: str) -> tuple[float, float]:
    lo, hi = view.locator(f'input[data-control="{control}"]').evaluate(
        "el => [Number(el.min), Number(el.max)]")
    return lo, hi


def move_controls(view: Any) -> Iterator[str]:
    """Move a few controls of a view (chosen by its ``data-view``), one at a time.

    Views without a recipe below get a generic one (their visible sliders, a checkbox,
    a select).

    Yields a description after each move, so the caller can compare the readout with
    Python's after every change.
    """
    name = view.get_attribute("data-view")

    def rng(control: str, frac: float) -> str:
        lo, hi = _range_limits(view, control)
        set_range(view, control, lo + frac * (hi - lo))
        return f"{control} -> {lo + frac * (hi - lo):.3g}"

    def click(control: str) -> str:
        view.locator(f'[data-control="{control}"]').click()
        return f"clicked {control}"

    if name == "retrieval":
        yield rng("temperature", 0.3)
        yield rng("query_x", 0.8)
        yield rng("query_y", 0.25)
    elif name == "softmax":
        yield rng("temperature", 0.7)
        yield rng("logit-0", 0.2)
        yield click("keep-1")
    elif name == "scaling":
        yield rng("d_k", 0.8)
        yield click("scaled")
        yield rng("seed", 0.5)
    elif name == "score":
        sel = view.locator('select[data-control="score"]')
        current = sel.input_value()
        for option in sel.locator("option").evaluate_all("els => els.map(e => e.value)"):
            if option != current:
                sel.select_option(option)
                yield f"score -> {option}"
        yield rng("temperature", 0.35)
        if view.locator('input[data-control="key_length"]').is_visible():
            yield rng("key_length", 0.8)
        yield click("shuffle")
    elif name == "token_row":
        n = view.locator("button.attn-choice").count()
        yield click(f"token-{n - 1}")
        yield click("causal")
        if view.locator('input[data-control="swap"]').is_visible():
            yield click("swap")
        if view.locator('input[data-control="positions"]').is_visible():
            yield rng("positions", 0.6)
    elif name == "attention_map":
        for control in ("head", "layer"):
            lo, hi = _range_limits(view, control)
            if hi > lo:
                yield rng(control, 1.0)
        yield rng("query", 0.6)
        if view.locator('input[data-control="temperature"]').count():
            yield rng("temperature", 0.3)
            yield click("causal")
    else:
        # A view without a recipe here: move its sliders, toggle a checkbox, pick an option.
        for control in view.locator('input[type="range"][data-control]').evaluate_all(
                "els => els.filter(e => e.offsetParent !== null && !e.disabled)"
                ".map(e => e.dataset.control)")[:3]:
            yield rng(control, 0.3)
        boxes = view.locator('input[type="checkbox"][data-control]:enabled')
        if boxes.count():
            yield click(boxes.first.get_attribute("data-control"))
        selects = view.locator("select[data-control]")
        if selects.count():
            values = selects.first.locator("option").evaluate_all("els => els.map(e => e.value)")
            if len(values) > 1:
                selects.first.select_option(values[1])
                yield f"{selects.first.get_attribute('data-control')} -> {values[1]}"


# --- a page with one of every view (independent of the chapters) -----------------------
def example_views() -> list[Any]:
    """Every view class's ``demo()`` (shared and chapter views, found by ``all_views``), then
    two more attention-map explorers: recomputing from ``q, k`` (temperature slider, causal
    mask; 7 queries, 12 keys, so the browser's top-left causal alignment is compared with
    Python's) and with images (maps shipped as uint8)."""
    from attn_course.views import AttentionMapExplorer
    from attn_course.views._base import all_views

    rng = np.random.default_rng(0)
    return [cls.demo() for _, cls in sorted(all_views().items())] + [
        AttentionMapExplorer.from_qk(rng.normal(size=(1, 1, 2, 7, 8)),
                                     rng.normal(size=(1, 1, 2, 12, 8)), causal=True),
        AttentionMapExplorer(rng.dirichlet(np.ones(17), size=(2, 1, 2, 17)),
                             images=rng.uniform(size=(2, 16, 16, 3)), grid=(4, 4),
                             precision="uint8"),
    ]


def write_views_page(site: Path, views: list[Any] | None = None, name: str = "views.html") -> Path:
    """Write ``site/NAME`` showing ``views`` (default: :func:`example_views`), drawn by the
    book's own widget loader (``book/_ext/static/course-widgets.js``, copied to ``site``) from
    the saved widget state, as on the book's pages; return the page's path.

    Not @jupyter-widgets/html-manager with anywidget's front end (``book/vendor/widgets``,
    which ``attn_course.views.standalone`` still uses for ``benchmarks/views_redraw.py``):
    anywidget 0.11's runtime gives each model 2 s of wall-clock time, from the model's creation
    to its ES module being imported, and logs an uncaught "[anywidget] Failed to initialize
    model." when it runs out, although the view then draws. On a loaded machine (CI running
    notebooks beside the browser tests) the import took longer, and the console check failed
    a test whose view was right. The book's readers never run that runtime; JupyterLab's
    anywidget is tested by ``test_jupyterlab.py``."""
    from ipywidgets.embed import embed_data

    views = example_views() if views is None else list(views)
    site.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(WIDGET_LOADER, site / WIDGET_LOADER.name)
    data = embed_data(views=views, drop_defaults=False)
    state = json.dumps(data["manager_state"]).replace("</", "<\\/")
    blocks = "\n".join(
        f'<div class="cell">{v.fallback_html()}'
        f'<script type="application/vnd.jupyter.widget-view+json">{json.dumps(spec)}</script></div>'
        for v, spec in zip(views, data["view_specs"]))
    page = site / name
    page.write_text(
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>views</title>\n"
        "<link rel='icon' href='data:,'>\n"
        f"<script defer src='{WIDGET_LOADER.name}'></script>\n</head><body>\n{blocks}\n"
        f"<script type='application/vnd.jupyter.widget-state+json'>{state}</script>\n"
        "</body></html>\n", encoding="utf-8")
    return page


# --- the keyboard ----------------------------------------------------------------------------
def controls_of(view: Any) -> list[dict[str, Any]]:
    """The view's visible controls in page order: ``name`` (``data-control``), ``kind``
    (range, select, checkbox, button), ``disabled``, ``tabbable``."""
    return view.evaluate(
        """root => [...root.querySelectorAll('input, select, button')]
             .filter(el => el.offsetParent !== null)
             .map(el => ({name: el.dataset.control, disabled: el.disabled, tabbable: el.tabIndex >= 0,
                          kind: el.tagName === 'SELECT' ? 'select' : el.tagName === 'BUTTON' ? 'button'
                                : el.type}))""")


def press_until(view: Any, key: str, changed: Any, tries: int = 40) -> None:
    """Press ``key`` (the focus stays where it is) until ``changed()`` is true."""
    for _ in range(tries):
        view.page.keyboard.press(key)
        if changed():
            return
    raise AssertionError(f"{tries} presses of {key} changed nothing")


def operate_by_keyboard(view: Any, control: dict[str, Any]) -> str:
    """Focus ``control`` and move it by keyboard only: arrow keys on a slider (until the shown
    value changes) or a select, Space on a checkbox, an arrow key in a row of choice buttons,
    Enter on an action button.
    Asserts the control moved and, for a slider, that ``aria-valuetext`` is the value shown.
    Returns a description."""
    el = view.locator(f'[data-control="{control["name"]}"]')
    el.focus()
    kind = control["kind"]
    if kind == "range":
        out = view.locator(f'output[for="{el.get_attribute("id")}"]')
        shown = out.text_content()
        assert el.get_attribute("aria-valuetext") == shown
        key = "ArrowLeft" if el.evaluate("e => Number(e.value) >= Number(e.max)") else "ArrowRight"
        press_until(view, key, lambda: out.text_content() != shown)
        now = out.text_content()
        assert el.get_attribute("aria-valuetext") == now, "aria-valuetext is not the shown value"
        return f"{control['name']}: {shown} -> {now} ({key})"
    if kind == "select":
        before = el.input_value()
        last = el.evaluate("e => e.selectedIndex === e.options.length - 1")
        key = "ArrowUp" if last else "ArrowDown"
        press_until(view, key, lambda: el.input_value() != before, tries=1)
        return f"{control['name']}: {before} -> {el.input_value()} ({key})"
    if kind == "checkbox":
        before = el.is_checked()
        view.page.keyboard.press("Space")
        assert el.is_checked() != before, "Space did not toggle the checkbox"
        return f"{control['name']}: {before} -> {not before} (Space)"
    if kind == "button" and el.get_attribute("aria-pressed") is None:
        view.page.keyboard.press("Enter")  # an action button (e.g. "+1 to all logits")
        return f"{control['name']} (Enter)"
    if kind == "button":
        last = el.evaluate("e => !e.nextElementSibling")
        key = "ArrowLeft" if last else "ArrowRight"
        view.page.keyboard.press(key)
        now = view.page.evaluate("document.activeElement.dataset.control")
        assert now != control["name"], f"{key} did not move to the next choice"
        assert view.locator(f'[data-control="{now}"]').get_attribute("aria-pressed") == "true"
        return f"{control['name']} -> {now} ({key})"
    raise AssertionError(f"unknown control kind {kind}")
