"""The views by keyboard and for every reader (issue 17), on a page with one of every view.

- every control is reached with Tab, in page order, and moved with the arrow keys (Space for
  a checkbox); the numbers then still agree with Python, and each slider's aria-valuetext is
  the value the page shows;
- every view's root element and every control carry ``data-lm-suppress-shortcuts``
  (JupyterLab would take the arrow keys);
- the focus ring contrasts 3:1 with the page, light and dark; the score heatmap's numbers
  4.5:1 with their cells;
- at 320 px wide every view fits (rows wrap; nothing sticks out sideways);
- a control with one possible value (one layer, one head, one example) is hidden.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from browser_helpers import (
    check_parity,
    controls_of,
    example_views,
    operate_by_keyboard,
    readout,
    set_range,
    views_on,
)

from attn_course.views import AttentionMapExplorer

pytestmark = pytest.mark.browser

N_VIEWS = len(example_views())


@pytest.fixture(scope="module")
def visit(show_views: Any) -> Any:
    return show_views()


def _luminance(rgb: list[float]) -> float:
    c = np.asarray(rgb[:3], dtype=float) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def contrast(a: list[float], b: list[float]) -> float:
    la, lb = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("index", range(N_VIEWS))
def test_every_control_works_from_the_keyboard(visit: Any, index: int) -> None:
    view = views_on(visit.page)[index]
    name = view.get_attribute("data-view")
    key = lambda c: "choice" if c["kind"] == "button" else c["name"]  # noqa: E731
    seen, moved = {key(c) for c in controls_of(view)}, []
    for _ in range(2):  # a control disabled in the first pass (e.g. ALiBi's head) in the second
        for control in controls_of(view):
            enabled = view.locator(f'[data-control="{control["name"]}"]').is_enabled()
            if not enabled or not control["tabbable"]:
                continue
            before = readout(view)["params"]
            moved.append(operate_by_keyboard(view, control))
            after = check_parity(view)["params"]
            assert after != before, f"{name}: {moved[-1]} changed no parameter"
            seen.discard(key(control))
    assert moved and not seen, f"{name}: never moved by keyboard: {sorted(seen)}"
    visit.check_clean()


@pytest.mark.parametrize("index", range(N_VIEWS))
def test_tab_reaches_every_control_in_order(visit: Any, index: int) -> None:
    view = views_on(visit.page)[index]
    want = [c["name"] for c in controls_of(view) if not c["disabled"] and c["tabbable"]]
    view.locator(f'[data-control="{want[0]}"]').focus()
    got = [want[0]]
    for _ in range(3 * len(want) + 5):
        visit.page.keyboard.press("Tab")
        inside, control = view.evaluate(
            "root => [root.contains(document.activeElement), document.activeElement.dataset.control]")
        if not inside:
            break
        if control:
            got.append(control)
    assert got == want


def test_every_control_keeps_the_arrow_keys_from_jupyterlab(visit: Any) -> None:
    missing = visit.page.evaluate(
        """() => [...document.querySelectorAll(
                  '.attn-view, .attn-view input, .attn-view select, .attn-view button')]
              .filter(el => el.dataset.lmSuppressShortcuts !== 'true')
              .map(el => el.dataset.control || el.dataset.view)""")
    assert not missing, f"views or controls without data-lm-suppress-shortcuts: {missing}"


def test_sliders_announce_the_shown_value(visit: Any) -> None:
    pairs = visit.page.evaluate(
        """() => [...document.querySelectorAll('.attn-view input[type=range]')].map(el =>
              [el.dataset.control, el.getAttribute('aria-valuetext'),
               document.querySelector(`output[for="${el.id}"]`).textContent])""")
    assert pairs
    for control, valuetext, shown in pairs:
        assert valuetext == shown, f"{control}: aria-valuetext {valuetext!r}, page shows {shown!r}"


def test_a_log_scale_slider_announces_the_value_not_its_position(visit: Any) -> None:
    # ScalingExplorer's d_k slider steps through the powers of two: at position 6 a screen
    # reader must hear "64" (and its label), not "6" (issue 17).
    view = visit.page.locator('.attn-view[data-view="scaling"]').first
    d_k = view.get_by_role("slider", name="d_k")
    set_range(view, "d_k", 6)  # (earlier tests on this page may have moved it)
    assert (d_k.input_value(), d_k.get_attribute("aria-valuetext")) == ("6", "64")
    d_k.focus()
    visit.page.keyboard.press("ArrowRight")
    assert (d_k.input_value(), d_k.get_attribute("aria-valuetext")) == ("7", "128")
    assert readout(view)["params"]["d_k"] == 128
    visit.page.keyboard.press("ArrowLeft")
    assert d_k.get_attribute("aria-valuetext") == "64"


FOCUS_STYLE = """el => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  let bg = [255, 255, 255];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length < 4 || c[3] > 0) { bg = c; break; }
  }
  const cs = getComputedStyle(el);
  return {ring: rgb(cs.outlineColor), width: parseFloat(cs.outlineWidth), style: cs.outlineStyle,
          bg, focused: el.matches(':focus-visible')};
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_focus_ring_contrasts_with_the_page(visit: Any, theme: str) -> None:
    page = visit.page
    if theme == "dark":  # as pydata-sphinx-theme's dark mode sets it
        page.evaluate("document.documentElement.dataset.theme = 'dark';"
                      "document.body.style.background = '#121212';"
                      "document.body.style.color = '#ced6dd'")
    try:
        kinds = {}
        for view in views_on(page):
            for c in controls_of(view):
                if not c["disabled"] and c["tabbable"]:
                    kinds.setdefault(c["kind"], (view, c["name"]))
        assert set(kinds) == {"range", "select", "checkbox", "button"}
        for kind, (view, name) in kinds.items():
            el = view.locator(f'[data-control="{name}"]')
            page.keyboard.press("Shift")  # a keyboard user: the focus that follows is visible
            el.focus()
            style = el.evaluate(FOCUS_STYLE)
            assert style["focused"], f"{kind} {name} is not keyboard-focused"
            assert style["style"] != "none" and style["width"] >= 2, f"{kind}: {style}"
            ratio = contrast(style["ring"], style["bg"])
            assert ratio >= 3, f"{theme}: focus ring of a {kind} {style['ring']} on {style['bg']}: {ratio:.2f}:1"
    finally:
        page.evaluate("delete document.documentElement.dataset.theme;"
                      "document.body.style.background = ''; document.body.style.color = ''")


def test_heatmap_numbers_contrast_with_their_cells(visit: Any) -> None:
    view = visit.page.locator('.attn-view[data-view="score"]').first
    cells = view.evaluate(
        """root => [...root.querySelectorAll('text.attn-cell-num')].map(t =>
              [getComputedStyle(t).fill, t.previousElementSibling.getAttribute('fill')])""")
    assert cells
    rgb = lambda c: [float(x) for x in c[c.index("(") + 1 : -1].split(",")]  # noqa: E731
    worst = min(contrast(rgb(text), rgb(cell)) for text, cell in cells)
    assert worst >= 4.5, f"a heatmap number has {worst:.2f}:1 against its cell"


FIT = """root => {
  const box = root.getBoundingClientRect();
  const out = [...root.querySelectorAll('input, select, button, label, output, svg, canvas, figure')]
    .filter(e => e.offsetParent !== null || e.tagName === 'svg')
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 &&
      (r.left < box.left - 1 || r.right > box.right + 1); })
    .map(e => e.dataset.control || e.tagName.toLowerCase());
  return {overflow: root.scrollWidth - root.clientWidth, out, width: box.width};
}"""


def test_every_view_fits_a_320_px_screen(show_views: Any) -> None:
    narrow = show_views(width=320, height=800)
    page = narrow.page
    for view in views_on(page):
        view.evaluate("root => root.querySelectorAll('details').forEach(d => d.open = true)")
        fit = view.evaluate(FIT)
        name = view.get_attribute("data-view")
        assert fit["width"] <= 320 and fit["overflow"] <= 1, f"{name} scrolls sideways: {fit}"
        assert not fit["out"], f"{name}: {fit['out']} stick out of the view at 320 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    narrow.check_clean()


@pytest.mark.parametrize("width", [390, 320])
def test_a_select_of_long_options_fits_a_phone(show_views: Any, width: int) -> None:
    # Chapter 10 names each example by its whole token sequence: the <select> is wider than
    # a phone unless it shrinks with its row (test_pages.py's 390-px check on the built book).
    rng = np.random.default_rng(1)
    tokens = [[f"k{t}" if t < 10 else f"v{t - 10}" for t in rng.integers(0, 20, 24)]
              for _ in range(3)]
    view = AttentionMapExplorer(rng.dirichlet(np.ones(24), size=(3, 2, 2, 24)), tokens, tokens,
                                example_labels=[" ".join(t) for t in tokens])
    narrow = show_views([view], width=width, height=800)
    root = views_on(narrow.page)[0]
    fit = root.evaluate(FIT)
    assert fit["overflow"] <= 1 and not fit["out"], f"at {width} px: {fit}"
    assert narrow.page.evaluate("document.documentElement.scrollWidth") <= width
    select = root.locator('select[data-control="example"]')
    assert select.is_visible() and select.bounding_box()["width"] <= fit["width"]
    select.select_option("2")  # each example has its own labels: the readout follows
    assert check_parity(root)["params"]["example"] == 2
    narrow.check_clean()


def test_a_control_with_one_value_is_hidden(show_views: Any) -> None:
    maps = np.full((1, 1, 1, 1, 5), 0.2)  # one example, layer, head and query
    visit = show_views([AttentionMapExplorer(maps), AttentionMapExplorer(np.full((2, 3, 1, 4, 4), 0.25))])
    one, many = views_on(visit.page)
    for control in ("example", "layer", "head", "query"):
        assert one.locator(f'[data-control="{control}"]').is_hidden(), control
    assert [c["name"] for c in controls_of(many)] == ["example", "layer", "query"]
    check_parity(one)
    visit.check_clean()
