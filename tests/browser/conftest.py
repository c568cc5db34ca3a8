"""Browser-test fixtures: the built book served on 127.0.0.1 and Debian's Chromium.

- ``book_server``: serves ``_build/html`` (run ``make book`` first) at a free port.
- ``show_views``: ``show_views(views)`` writes a page with these views, drawn by the book's
  widget loader (``book/_ext/static/course-widgets.js``) as on the book's pages but
  independent of the chapters, opens it and waits until every view has drawn; it returns the
  ``PageVisit``. Every view test uses it.
- ``browser``: Chromium through Playwright (headless, no sandbox, no GPU, no background
  networking).
- ``open_page``: opens a page and records console errors and requests leaving 127.0.0.1.

Without Chromium, Playwright or a built book these tests skip with the reason — except
when the environment variable ``CI`` is ``true``, where a missing piece is an error.
"""

from __future__ import annotations

import functools
import http.server
import socketserver
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    HTML,
    ROOT,
    PageVisit,
    example_views,
    unavailable,
    write_views_page,
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _serve(directory: Path) -> tuple[str, Callable[[], None]]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://{host}:{port}", stop


@pytest.fixture(scope="session")
def book_server() -> Iterator[str]:
    """Base URL of ``_build/html`` served on 127.0.0.1."""
    if not (HTML / "index.html").exists():
        unavailable(f"the book is not built ({HTML.relative_to(ROOT)}/index.html missing): "
                    "run `make book`")
    url, stop = _serve(HTML)
    yield url
    stop()


@pytest.fixture(scope="module")
def show_views(browser: object, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[Callable[..., PageVisit]]:
    """``show_views(views, *, width=1100, height=900)``: a fresh page (served on 127.0.0.1)
    showing ``views`` (default: one of every view, ``browser_helpers.example_views``), opened
    in its own browser context once every view has drawn; returns its ``PageVisit``."""
    site = tmp_path_factory.mktemp("views-site")
    url, stop = _serve(site)
    contexts = []

    def _show(views: list | None = None, *, width: int = 1100, height: int = 900) -> PageVisit:
        name = f"views-{len(contexts)}.html"
        views = example_views() if views is None else list(views)
        write_views_page(site, views, name=name)
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        visit = PageVisit.attach(context.new_page(), f"{url}/{name}")
        visit.page.goto(visit.url, wait_until="load")
        visit.page.wait_for_function(
            f"document.querySelectorAll('.attn-view[data-readout]').length >= {len(views)}",
            timeout=20_000)
        return visit

    yield _show
    for c in contexts:
        c.close()
    stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Chromium, headless, driven by Playwright: Debian's (``/usr/bin/chromium``, or the path in
    ``$CHROMIUM``) when present, else Playwright's own build (``playwright install chromium``,
    as ``make browser`` does on non-Debian machines such as GitHub's Ubuntu runners)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright (python) is not installed")
    executable = str(CHROMIUM) if CHROMIUM.exists() else None
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Exception as err:  # no browser at all on this machine
            unavailable(f"no Chromium at {CHROMIUM} and none from Playwright ({err}); "
                        "Debian: apt-get install chromium (`make test` does it as root)")
        yield b
        b.close()


@pytest.fixture
def open_page(browser: object, request: pytest.FixtureRequest) -> Iterator[Callable[..., PageVisit]]:
    """``open_page(url)``: a fresh page at ``url`` with its console and requests recorded."""
    contexts = []

    def _open(url: str, *, wait_for: str | None = ".attn-view[data-readout]") -> PageVisit:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        visit = PageVisit.attach(context.new_page(), url)
        visit.page.goto(url, wait_until="load")
        if wait_for:
            visit.page.wait_for_selector(wait_for, timeout=20_000)
        return visit

    yield _open
    for c in contexts:
        c.close()
