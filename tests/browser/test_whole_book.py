"""Every page of the built book (``_build/html``, from ``make book``), as a reader gets it.

Read from the files (fast, no browser):
- every internal link (``<a href>``) points at a file of the site, and its ``#anchor`` at an
  element of that page; every local ``<img>``, ``<script>`` and stylesheet exists;
- every ``<img>`` has alt text, and not the file-name fallback Sphinx writes when a figure
  has none (give a figure's code cell ``mystnb: image: alt:``; see CONTRIBUTING.md);
- every chapter page has its launch buttons (Binder, Colab) pointing at its own notebook,
  and its download menu offers ``.ipynb`` and ``.md`` files that exist.

In Chromium, served on 127.0.0.1 (fixtures of ``conftest.py``):
- every page loads with no console error, no failed request and no request outside the
  site (MathJax's fonts and the widget loader are served by the book itself), every image on it
  has loaded, and code cells have their copy button;
- the search page finds "softmax".
"""

from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
import yaml
from browser_helpers import HTML, ROOT

pytestmark = pytest.mark.browser

SPECIAL_PAGES = ("index.html", "genindex.html", "search.html", "py-modindex.html")


def built_pages() -> list[str]:
    """The pages of the current build: Sphinx's documents (from the search index, so a page
    left over from an earlier build is not checked) and its index and search pages."""
    index = HTML / "searchindex.js"
    if not index.exists():
        return []
    text = index.read_text(encoding="utf-8")
    data = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    pages = [f"{name}.html" for name in data["docnames"]]
    return sorted(pages + [p for p in SPECIAL_PAGES if (HTML / p).exists()])


PAGES = built_pages()
CHAPTERS = [p for p in PAGES if p.startswith("notebooks/")]
EXTERNAL_SCHEMES = ("http", "https", "mailto", "javascript", "data", "tel")


class _Page(html.parser.HTMLParser):
    """The ids, links, images and resources of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.resources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(str(a[key]))
        if tag == "a" and a.get("href") is not None:
            self.links.append(str(a["href"]))
        elif tag == "img":
            self.images.append({"src": a.get("src"), "alt": a.get("alt")})
        elif tag == "script" and a.get("src"):
            self.resources.append(str(a["src"]))
        elif tag == "link" and a.get("href") and "stylesheet" in (a.get("rel") or ""):
            self.resources.append(str(a["href"]))

    handle_startendtag = handle_starttag


_parsed: dict[Path, _Page] = {}


def parse(path: Path) -> _Page:
    if path not in _parsed:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        _parsed[path] = page
    return _parsed[path]


def _is_external(url: str) -> bool:
    return urlparse(url).scheme in EXTERNAL_SCHEMES or url.startswith("//")


def _target(page: Path, url: str) -> tuple[Path, str]:
    """The file and the fragment a relative URL on ``page`` points at."""
    parsed = urlparse(url)
    path = unquote(parsed.path)
    target = page if not path else (page.parent / path).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parsed.fragment)


def test_the_book_is_built(book_server: str) -> None:
    # Skips (or fails under CI=true) with the reason when _build/html is missing.
    assert PAGES, "no pages in _build/html"
    assert "index.html" in PAGES and "search.html" in PAGES


@pytest.mark.parametrize("path", PAGES)
def test_links_and_images_resolve(path: str) -> None:
    page_file = HTML / path
    page = parse(page_file)
    broken = []
    for url in page.links:
        if _is_external(url) or url in ("", "#"):
            continue
        target, fragment = _target(page_file, url)
        if not target.exists():
            broken.append(f"{url} (no file {target.relative_to(HTML) if target.is_relative_to(HTML) else target})")
        elif fragment and target.suffix == ".html" and fragment not in parse(target).ids:
            broken.append(f"{url} (no #{fragment} in {target.relative_to(HTML)})")
    for url in page.resources + [str(i["src"]) for i in page.images if i["src"]]:
        if _is_external(url):
            continue  # the browser test below fails on any request leaving the site
        target, _ = _target(page_file, url)
        if not target.exists():
            broken.append(f"{url} (missing file)")
    assert not broken, f"{path}: broken internal links or files:\n  " + "\n  ".join(broken)


@pytest.mark.parametrize("path", PAGES)
def test_every_image_has_alt_text(path: str) -> None:
    bad = []
    for img in parse(HTML / path).images:
        alt = (img["alt"] or "").strip()
        src = img["src"] or ""
        name = Path(urlparse(src).path).name
        if not alt or (name and alt.endswith(name)) or re.search(r"\.(png|jpe?g|svg|gif)$", alt):
            bad.append(f"src={src[:80]!r} alt={alt!r}")
    assert not bad, (
        f"{path}: images without meaningful alt text (give the figure's code cell the "
        "metadata `mystnb: image: alt: ...`):\n  " + "\n  ".join(bad)
    )


@pytest.mark.parametrize("path", CHAPTERS)
def test_launch_and_download_buttons(path: str) -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = urlparse(config["repository"]["url"]).path.strip("/")
    branch = config["repository"].get("branch", "main")
    notebook = path.removesuffix(".html") + ".ipynb"
    assert (ROOT / notebook).exists(), f"{path} is not built from {notebook}"
    links = parse(HTML / path).links
    binder = f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/{notebook}"
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook}"
    assert binder in links, f"{path}: no Binder button to {binder}"
    assert colab in links, f"{path}: no Colab button to {colab}"
    stem = Path(path).stem
    for suffix in (".ipynb", ".md"):
        download = [u for u in links if "_sources/" in u and u.endswith(stem + suffix)]
        assert download, f"{path}: the download menu lacks {suffix}"
        target, _ = _target(HTML / path, download[0])
        assert target.exists(), f"{path}: {download[0]} does not exist"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly(book_server: str, open_page: Any, path: str) -> None:
    visit = open_page(f"{book_server}/{path}", wait_for=None)
    page = visit.page
    page.wait_for_load_state("networkidle", timeout=30_000)
    # (the math is typeset when the book is built: no MathJax runs here; test_pages.py checks it)
    # The figures load lazily (book/_ext/course_pages.py): ask for all of them now.
    page.eval_on_selector_all("img", "els => els.forEach(e => { e.loading = 'eager'; })")
    page.wait_for_function("() => [...document.images].every(e => e.complete)", timeout=30_000)
    broken = page.eval_on_selector_all(
        "img",
        "els => els.filter(e => !(e.complete && e.naturalWidth > 0))"
        ".map(e => e.getAttribute('src'))",
    )
    assert not broken, f"{path}: images that did not load: {broken}"
    if page.locator("div.cell_input pre").count():
        assert page.locator("div.cell_input button.copybtn").count(), f"{path}: no copy buttons"
    visit.check_clean()


def test_math_is_rendered(book_server: str, open_page: Any) -> None:
    pages_with_math = [p for p in PAGES if 'class="math' in (HTML / p).read_text("utf-8")]
    if not pages_with_math:
        pytest.skip("no page has math")
    visit = open_page(f"{book_server}/{pages_with_math[0]}", wait_for="mjx-container")
    assert visit.page.locator("mjx-container").count() > 0
    visit.check_clean()


def test_search_finds_softmax(book_server: str, open_page: Any) -> None:
    visit = open_page(f"{book_server}/search.html?q=softmax", wait_for="#search-results li")
    results = visit.page.locator("#search-results li")
    assert results.count() > 0, "the search page found nothing for 'softmax'"
    hrefs = results.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any(hrefs), "search results without links"
    visit.check_clean()
