"""Every page of the built book as a reader's browser meets it: light, clean and accessible.

The goals of the published page (issue 17; ``make bench`` measures the timings and Lighthouse):

From the files (no browser):
- no render-blocking script over 100 kB: every synchronous ``<script src>`` in ``<head>`` is
  small (the widget loader is deferred, the search index is only on the search page);
- the math is typeset when the book is built: no MathJax script in any page, every formula
  holds MathJax's markup with its MathML for screen readers, no TeX error, and the pages with
  math link the stylesheet of its characters;
- the widget state saved in a page holds only the course's anywidget views (no progress bars:
  they belong to the person running the notebook, not to the page), at most 150 kB of it.

In Chromium (served on 127.0.0.1):
- the math is drawn at the size MathJax in the browser gave it (its x-height matched to the
  text's), with MathJax's fonts;
- no console error and no request outside the site, after the views have been drawn;
- axe-core (pinned in package.json) finds no WCAG 2.1 A/AA violation, theme included, in the
  light and the dark colour mode;
- no sideways scroll at phone width (390 px);
- every chapter page weighs at most 1.5 MB compressed as a static host serves it (gzip for
  text; images and fonts as they are), counting every request the page made.
"""

from __future__ import annotations

import gzip
import html.parser
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from browser_helpers import HTML, ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MAX_PAGE_BYTES = 1_500_000  # compressed, per chapter page
MAX_BLOCKING_SCRIPT = 100_000
MAX_STATE_BYTES = 150_000
STATE_TYPE = "application/vnd.jupyter.widget-state+json"
JS_TYPES = (None, "", "text/javascript", "application/javascript")  # run by the browser
TEXT_SUFFIXES = {".html", ".js", ".css", ".json", ".svg", ".txt", ".map", ".xml", ".inv"}
SPECIAL_PAGES = ("genindex.html", "search.html", "py-modindex.html")


def built_pages() -> list[str]:
    """The documents of the current build (from its search index) and the special pages."""
    index = HTML / "searchindex.js"
    if not index.exists():
        return []
    text = index.read_text(encoding="utf-8")
    data = json.loads(text[text.index("(") + 1: text.rindex(")")])
    pages = [f"{name}.html" for name in data["docnames"]]
    return sorted(pages + [p for p in SPECIAL_PAGES if (HTML / p).exists()])


PAGES = built_pages()
CHAPTERS = [p for p in PAGES if p.startswith("notebooks/")]


# --- from the files ----------------------------------------------------------------------------


class _Head(html.parser.HTMLParser):
    """Synchronous external scripts in ``<head>`` and the saved widget state."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_head = True
        self.blocking: list[str] = []
        self.state_parts: list[str] | None = None
        self.state = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "body":
            self.in_head = False
        if tag != "script":
            return
        if a.get("type") == STATE_TYPE:
            self.state_parts = []
        elif (self.in_head and a.get("src") and "defer" not in a and "async" not in a
              and a.get("type") in JS_TYPES):
            self.blocking.append(str(a["src"]))

    def handle_data(self, data: str) -> None:
        if self.state_parts is not None:
            self.state_parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.state_parts is not None:
            self.state = "".join(self.state_parts)
            self.state_parts = None


def _head(path: str) -> _Head:
    parser = _Head()
    parser.feed((HTML / path).read_text(encoding="utf-8"))
    return parser


def _local_file(page: Path, url: str) -> Path:
    return (page.parent / unquote(urlparse(url).path)).resolve()


@pytest.mark.parametrize("path", PAGES)
def test_no_big_render_blocking_script(path: str) -> None:
    big = []
    for src in _head(path).blocking:
        target = _local_file(HTML / path, src)
        size = target.stat().st_size if target.exists() else 0
        if size > MAX_BLOCKING_SCRIPT:
            big.append(f"{src} ({size / 1e3:.0f} kB)")
    assert not big, f"{path}: render-blocking scripts over 100 kB in <head>: {big}"


MATH_ELEMENT = re.compile(r'<(span|div) class="math notranslate nohighlight"[^>]*>(.*?)</\1>',
                          re.S)


@pytest.mark.parametrize("path", PAGES)
def test_math_is_typeset_when_the_book_is_built(path: str) -> None:
    text = (HTML / path).read_text(encoding="utf-8")
    assert "tex-mml-chtml" not in text and "window.MathJax" not in text, (
        f"{path}: the page loads MathJax, but its math is typeset at build time")
    formulas = [m.group(2) for m in MATH_ELEMENT.finditer(text)]
    if not formulas:
        return
    raw = [f[:80] for f in formulas if "<mjx-container" not in f]
    assert not raw, f"{path}: {len(raw)} formulas left as TeX, e.g. {raw[:3]}"
    errors = [f for f in formulas if "<mjx-merror" in f or 'mathcolor="red"' in f]
    assert not errors, f"{path}: {len(errors)} formulas with TeX errors"
    unread = [f for f in formulas if "<mjx-assistive-mml" not in f]
    assert not unread, f"{path}: {len(unread)} formulas without MathML for screen readers"
    css = re.search(r'<link[^>]*href="([^"]*course-math\.css)"', text)
    assert css, f"{path}: has math but does not link course-math.css"
    sheet = _local_file(HTML / path, css.group(1))
    assert sheet.is_file(), f"{path}: {css.group(1)} does not exist"
    used = set(re.findall(r'class="mjx-c([0-9A-F]+)', text))
    styled = set(re.findall(r"\.mjx-c([0-9A-F]+)\b", sheet.read_text(encoding="utf-8")))
    assert used <= styled, (f"{path}: characters without a rule in course-math.css: "
                            f"{sorted(used - styled)[:10]}")


@pytest.mark.parametrize("path", CHAPTERS)
def test_widget_state_holds_only_the_views(path: str) -> None:
    raw = _head(path).state
    if not raw:
        return
    models = json.loads(raw)["state"]
    views = {i for i, m in models.items() if m["model_module"] == "anywidget"}
    layouts = {m["state"].get("layout", "").removeprefix("IPY_MODEL_") for i, m in models.items()
               if i in views}
    others = sorted(f"{m['model_name']} ({m['model_module']})" for i, m in models.items()
                    if i not in views and i not in layouts)
    assert not others, (
        f"{path}: the saved widget state holds widgets that are not course views (a progress "
        f"bar? use attn_course.tools.progress, which saves nothing into the page): {others}")
    not_course = [models[i]["state"].get("_anywidget_id") for i in views
                  if not str(models[i]["state"].get("_anywidget_id", "")).startswith(
                      "attn_course.views.")]
    assert not not_course, f"{path}: anywidgets that are not course views: {not_course}"
    size = len(raw.encode("utf-8"))
    assert size <= MAX_STATE_BYTES, (
        f"{path}: {size / 1e3:.0f} kB of widget state (goal <= {MAX_STATE_BYTES / 1e3:.0f} kB)")


# --- in the browser ----------------------------------------------------------------------------

_compressed: dict[Path, int] = {}


def served_bytes(file: Path) -> int:
    """Bytes a static host sends for ``file``: gzip (level 6) for text, images/fonts as is."""
    if file not in _compressed:
        data = file.read_bytes()
        _compressed[file] = (len(gzip.compress(data, 6)) if file.suffix in TEXT_SUFFIXES
                             else len(data))
    return _compressed[file]


def wait_until_drawn(page: Any) -> None:
    """Wait for the views (every anywidget view saved in the page) to be drawn."""
    page.wait_for_load_state("networkidle", timeout=30_000)
    page.wait_for_function(
        """stateType => {
          const saved = document.querySelector(`script[type="${stateType}"]`);
          if (!saved) return true;
          const models = JSON.parse(saved.textContent).state;
          const tags = [...document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-view+json"]')];
          const views = tags.filter(t => {
            const m = models[JSON.parse(t.textContent).model_id];
            return m && m.model_module === "anywidget";
          }).length;
          return document.querySelectorAll(".attn-view[data-readout]").length >= views;
        }""",
        arg=STATE_TYPE,
        timeout=20_000,
    )
    # The math is typeset when the book is built (book/_ext/course_math.py): nothing to wait for.


def settle_layout(page: Any, quiet_frames: int = 3, max_frames: int = 240) -> None:
    """Wait until the article's layout has stopped changing, and nothing animates, for
    ``quiet_frames`` frames.

    After a change of viewport the page settles over some frames: at desktop width the theme
    slides the primary sidebar in, narrowing the article frame by frame. The ResizeObservers
    that keep the tab stops of the scrollable blocks up to date (``course-tabstops.js``) report
    in the frame after each change, so a check run mid-change can find a block that scrolls
    at its new width still marked by its measure at the old one. Once the page is still, a
    wrong tab stop is a real failure."""
    page.evaluate(
        """async ([quiet, most]) => {
          const frame = () => new Promise(done => requestAnimationFrame(() => done()));
          const article = document.querySelector(".bd-article") || document.body;
          const shape = () => {
            const r = article.getBoundingClientRect();
            return `${r.width} ${r.height} ${document.documentElement.scrollHeight}`;
          };
          const moving = () => document.getAnimations().some(a => a.playState === "running");
          let last = shape(), still = 0;
          for (let i = 0; i < most && still < quiet; i++) {
            await frame();
            const now = shape();
            still = now === last && !moving() ? still + 1 : 0;
            last = now;
          }
        }""",
        [quiet_frames, max_frames])


def axe_violations(page: Any) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the page, one line each."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS)
    lines = []
    for v in result["violations"]:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:4]]
        why = " ".join(str(v["nodes"][0].get("failureSummary", "")).split())[:300]
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']} -> {targets}"
                     f" [{why}]")
    return lines


def sideways(page: Any) -> dict[str, Any]:
    """How far the page scrolls sideways, and the widest elements sticking out."""
    return page.evaluate(
        """() => {
          const W = document.documentElement.clientWidth;
          const scroll = document.documentElement.scrollWidth - W;
          const out = [];
          if (scroll > 0) {
            for (const el of document.querySelectorAll("body *")) {
              const r = el.getBoundingClientRect();
              if (r.right > W + 1 && r.width > 0 && getComputedStyle(el).visibility !== "hidden") {
                let p = el, clipped = false;
                for (; p && p !== document.body; p = p.parentElement) {
                  const s = getComputedStyle(p);
                  if (s.position === "fixed" || (p !== el && s.overflowX !== "visible"
                      && p.getBoundingClientRect().right <= W + 1)) {
                    clipped = true; break;
                  }
                }
                if (!clipped) out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`
                  + ` "${(el.textContent || "").trim().slice(0, 40)}" right=${Math.round(r.right)}`);
              }
            }
          }
          return {scroll, culprits: out.slice(-6)};
        }""")


@pytest.fixture(scope="module")
def axe_available() -> None:
    if not AXE.exists():
        pytest.fail("axe-core is not installed (node_modules/axe-core): run `make vendor`")


@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean_light_and_accessible(book_server: str, browser: Any, axe_available: None,
                                            path: str) -> None:
    from browser_helpers import PageVisit

    context = browser.new_context(viewport=PHONE, is_mobile=False)
    try:
        url = f"{book_server}/{path}"
        visit = PageVisit.attach(context.new_page(), url)
        served: list[str] = []
        visit.page.on("requestfinished", lambda req: served.append(req.url))
        visit.page.goto(url, wait_until="load")
        wait_until_drawn(visit.page)

        # Phone width: nothing sticks out sideways.
        wide = sideways(visit.page)
        assert wide["scroll"] <= 0, (
            f"{path}: scrolls {wide['scroll']} px sideways at {PHONE['width']} px; "
            f"elements sticking out: {wide['culprits']}")

        # Page weight, every request it made (compressed as a static host serves it).
        if path in CHAPTERS:
            files = {_local_file(HTML / "index.html", urlparse(u).path.lstrip("/"))
                     for u in served if urlparse(u).hostname == urlparse(url).hostname}
            files = {f for f in files if f.is_file()}
            total = sum(served_bytes(f) for f in files)
            heavy = sorted(files, key=served_bytes, reverse=True)[:5]
            assert total <= MAX_PAGE_BYTES, (
                f"{path}: {total / 1e6:.2f} MB compressed over {len(files)} files "
                f"(goal <= 1.5 MB); heaviest: "
                + ", ".join(f"{f.relative_to(HTML)} {served_bytes(f) / 1e3:.0f} kB" for f in heavy))

        # The math: MathJax's fonts, and the size MathJax in the browser gives it (x-height
        # matched to the text's: scale = ex / (0.442 em), measured here on a body paragraph).
        if visit.page.locator("mjx-container").count():
            got = visit.page.evaluate("""() => {
              const p = document.querySelector("article p") || document.body;
              const probe = document.createElement("span");
              probe.style.cssText = "display:inline-block;width:60em;height:60ex";
              p.appendChild(probe);
              const r = probe.getBoundingClientRect(); probe.remove();
              const want = Math.max(0.5, r.height / r.width / 0.442);
              const m = document.querySelector("mjx-container");
              const scale = parseFloat(getComputedStyle(m).fontSize)
                / parseFloat(getComputedStyle(m.parentElement).fontSize);
              const fonts = [...document.fonts].filter(f => f.family.startsWith("MJXTEX")
                && f.status === "loaded").length;
              return {want, scale, fonts};
            }""")
            assert abs(got["scale"] - got["want"]) < 0.01, f"{path}: math scaled {got}"
            assert got["fonts"] > 0, f"{path}: no MathJax font loaded"

        # Desktop: axe-core, WCAG 2.1 A/AA, on the page with its views drawn, in the light
        # and in the dark colour mode (the theme follows the system setting by default).
        visit.page.set_viewport_size(DESKTOP)
        # (no colour transitions: axe must see the colours of the mode, not a blend)
        visit.page.add_style_tag(content="*, *::before, *::after { transition: none !important;"
                                 " animation: none !important; }")
        # The sections below the fold are drawn only when a reader scrolls near them
        # (content-visibility in course.css); axe-core's colour-contrast check hit-tests each
        # element where it stands and, in a section not drawn yet, finds the wrong background.
        # Draw them all, as the reader who scrolled there sees them.
        visit.page.add_style_tag(content=".bd-article section { content-visibility: visible"
                                 " !important; }")
        for mode in ("light", "dark"):
            visit.page.emulate_media(color_scheme=mode)
            visit.page.wait_for_function(
                "mode => document.documentElement.dataset.theme === mode", arg=mode)
            settle_layout(visit.page)
            violations = axe_violations(visit.page)
            assert not violations, (f"{path} ({mode} mode): axe-core WCAG 2.1 A/AA violations:"
                                    "\n  " + "\n  ".join(violations))
        visit.check_clean()
    finally:
        context.close()


# The blocks the theme gives a tab stop when they scroll (pydata-sphinx-theme's selector, which
# the build hands to course-tabstops.js).
SCROLLABLE = ("pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, "
              ".pst-scrollable-table-container")


def wrong_tab_stops(page: Any) -> list[str]:
    """The shown blocks within a screen of the viewport whose tab stop disagrees with whether
    they scroll now (a block that scrolls must be reachable by Tab; one that does not, skipped)."""
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector)].filter(el => {
             const r = el.getBoundingClientRect();
             if (r.bottom < -innerHeight || r.top > 2 * innerHeight) return false;
             // (a block in a closed solution is hidden, so Tab skips it whatever its tabindex)
             if (!el.checkVisibility({visibilityProperty: true})) return false;
             const scrolls = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
             return scrolls !== (el.tabIndex >= 0);
           }).map(el => `${el.tagName.toLowerCase()}#${el.id} (${el.scrollWidth}/${el.clientWidth}`
                        + ` wide, tabindex ${el.tabIndex})`)""",
        SCROLLABLE)


def test_scrollable_blocks_keep_their_tab_stops_across_resizes(book_server: str,
                                                                browser: Any) -> None:
    """Chapter 5's first code cell scrolls at some widths and not at others: after each resize
    (and at the end of the page, reached by scrolling) every block near the viewport has a
    tab stop exactly when it scrolls. This is the job of course-tabstops.js, which measures
    only the blocks near the viewport, again when one changes size."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{book_server}/notebooks/05_softmax.html", wait_until="load")
        wait_until_drawn(page)
        seen = set()
        for width in (DESKTOP["width"], 1600, PHONE["width"], DESKTOP["width"], 1600):
            page.set_viewport_size({"width": width, "height": DESKTOP["height"]})
            page.evaluate("() => document.getElementById('codecell0')"
                          ".scrollIntoView({block: 'center'})")
            settle_layout(page)
            assert not wrong_tab_stops(page), (width, wrong_tab_stops(page))
            seen.add(page.evaluate("() => document.getElementById('codecell0').tabIndex"))
        # The first code cell took both states, so the resizes did move a tab stop.
        assert seen == {0, -1}, seen
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        settle_layout(page)
        assert not wrong_tab_stops(page)
    finally:
        context.close()
