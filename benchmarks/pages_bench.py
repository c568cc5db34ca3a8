"""The published pages as a reader's browser meets them: weight, blocking scripts, widget
state, first playground, axe-core and Lighthouse.

Serves the built book (``_build/html``, or ``--html``) as a static host does (gzip, cache
headers: ``_static_host.py``) and measures, for every page:

- **weight**: bytes of every file the page loads in Chromium, compressed as the host sends
  them (gzip for text, images and fonts as they are), and the number of requests;
- **render-blocking scripts**: synchronous ``<script src>`` in ``<head>`` and their size;
- **widget state**: bytes of the saved widget state in the page;
- **first playground**: milliseconds from navigation to the first view drawn (desktop,
  cold cache, no throttling; median of ``--runs``);
- **axe-core** (WCAG 2.1 A/AA) violations, from the same ``node_modules`` as the tests;
- **Lighthouse 12** (``benchmarks/node_modules``, installed by ``make bench``) on the intro
  and chapters 2 and 12, desktop and mobile presets, median of ``--runs``: performance,
  accessibility, best practices, SEO, with the metrics behind performance.

Writes ``results/pages.json`` (``--name`` to keep another, e.g. a build of an older commit).
Timings depend on the machine and its load: a shared 2-core machine moves Lighthouse scores
by several points between runs, hence the medians.
"""

from __future__ import annotations

import argparse
import gzip
import html.parser
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import ROOT, markdown_table, write_result  # noqa: E402
from _static_host import serve  # noqa: E402

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_PAGES = ["book/intro.html", "notebooks/02_retrieval.html", "notebooks/12_vit.html"]
STATE_TYPE = "application/vnd.jupyter.widget-state+json"
TEXT = {".html", ".js", ".css", ".json", ".svg", ".txt", ".map", ".xml", ".inv"}
FIRST_VIEW = """
window.__firstView = null;
new MutationObserver((_, obs) => {
  if (document.querySelector('.attn-view[data-readout]')) {
    window.__firstView = performance.now(); obs.disconnect();
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


class _Head(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_head, self.blocking, self.state, self._state = True, [], "", None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "body":
            self.in_head = False
        if tag == "script" and a.get("type") == STATE_TYPE:
            self._state = []
        elif (tag == "script" and self.in_head and a.get("src") and "defer" not in a
              and "async" not in a
              and a.get("type") in (None, "", "text/javascript", "application/javascript")):
            self.blocking.append(str(a["src"]))

    def handle_data(self, data: str) -> None:
        if self._state is not None:
            self._state.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._state is not None:
            self.state, self._state = "".join(self._state), None


def pages(html_dir: Path) -> list[str]:
    index = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index[index.index("(") + 1: index.rindex(")")])
    return sorted(f"{d}.html" for d in data["docnames"])


def served_bytes(file: Path, cache: dict[Path, int]) -> int:
    if file not in cache:
        data = file.read_bytes()
        cache[file] = len(gzip.compress(data, 6)) if file.suffix in TEXT else len(data)
    return cache[file]


def measure_page(browser: Any, base: str, html_dir: Path, path: str, runs: int,
                 cache: dict[Path, int]) -> dict[str, Any]:
    head = _Head()
    head.feed((html_dir / path).read_text(encoding="utf-8"))
    blocking = []
    for src in head.blocking:
        f = (html_dir / path).parent / unquote(urlparse(src).path)
        blocking.append((Path(src).name.split("?")[0], f.stat().st_size if f.exists() else 0))
    row: dict[str, Any] = {"page": path, "state_bytes": len(head.state.encode()),
                           "blocking": blocking}
    first: list[float] = []
    for run in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.add_init_script(FIRST_VIEW)
        urls: list[str] = []
        errors: list[str] = []
        page.on("requestfinished", lambda r, urls=urls: urls.append(r.url))
        page.on("console", lambda m, errors=errors: (errors.append(m.text)
                                                     if m.type == "error" else None))
        page.goto(f"{base}/{path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        if head.state:
            page.wait_for_function("() => window.__firstView !== null", timeout=30_000)
            first.append(page.evaluate("() => window.__firstView"))
        if run == 0:
            files = {(html_dir / unquote(urlparse(u).path).lstrip("/")).resolve() for u in urls
                     if u.startswith(base)}
            files = {f for f in files if f.is_file()}
            row["requests"] = len(urls)
            row["outside"] = sum(not u.startswith(base) and not u.startswith("data:")
                                 for u in urls)
            row["bytes"] = sum(served_bytes(f, cache) for f in files)
            row["raw_bytes"] = sum(f.stat().st_size for f in files)
            row["console_errors"] = len(errors)
            if AXE.exists():
                # Sections below the fold are drawn only near the viewport (content-visibility
                # in course.css); axe's colour-contrast check hit-tests elements and, in a
                # section not drawn yet, finds the wrong background. Draw them all first, as
                # tests/browser/test_pages.py does.
                page.add_style_tag(content=".bd-article section { content-visibility: visible"
                                   " !important; }")
                page.add_script_tag(path=str(AXE))
                res = page.evaluate(
                    "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a',"
                    " 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})")
                row["axe"] = sum(len(v["nodes"]) for v in res["violations"])
                row["axe_rules"] = sorted(v["id"] for v in res["violations"])
        context.close()
    row["first_view_ms"] = statistics.median(first) if first else None
    return row


def lighthouse(url: str, preset: str, runs: int) -> dict[str, Any]:
    """Median over ``runs`` of the category scores and the metrics behind performance, and of
    the machine's 1-minute load average when each run ended (``load``)."""
    scores: dict[str, list[float]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "lh.json"
            cmd = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
                   "--only-categories=performance,accessibility,best-practices,seo",
                   "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
            if preset == "desktop":
                cmd.append("--preset=desktop")
            env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
            if not out.exists():
                print(f"lighthouse failed on {url}: {proc.stderr[-500:]}", file=sys.stderr)
                continue
            report = json.loads(out.read_text(encoding="utf-8"))
        scores.setdefault("load", []).append(os.getloadavg()[0])
        for cat, value in report["categories"].items():
            if value.get("score") is not None:
                scores.setdefault(cat, []).append(100 * value["score"])
        for audit in ("first-contentful-paint", "largest-contentful-paint",
                      "total-blocking-time", "cumulative-layout-shift", "speed-index"):
            value = report["audits"].get(audit, {}).get("numericValue")
            if value is not None:
                scores.setdefault(audit, []).append(value)
    return {k: statistics.median(v) for k, v in scores.items()} | {"runs": runs}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--name", default="pages", help="results/<name>.json")
    p.add_argument("--no-lighthouse", action="store_true")
    p.add_argument("--pages", nargs="*", help="only these pages (default: all); Lighthouse "
                   "runs on those of them it measures")
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    html_dir = args.html.resolve()
    base, stop = serve(html_dir)
    cache: dict[Path, int] = {}
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM) if CHROMIUM.exists() else None,
                headless=True, args=CHROMIUM_ARGS)
            selected = [p for p in pages(html_dir) if not args.pages or p in args.pages]
            for path in selected:
                rows.append(measure_page(browser, base, html_dir, path, args.runs, cache))
                r = rows[-1]
                print(f"{path}: {r['bytes'] / 1e6:.2f} MB over {r['requests']} requests, "
                      f"first view {r['first_view_ms']}, axe {r.get('axe')}", flush=True)
            browser.close()
        lh = {}
        if not args.no_lighthouse and LIGHTHOUSE.exists():
            for path in [p for p in LIGHTHOUSE_PAGES if p in selected]:
                for preset in ("desktop", "mobile"):
                    lh[f"{path} {preset}"] = lighthouse(f"{base}/{path}", preset, args.runs)
                    print(f"lighthouse {path} {preset}: {lh[f'{path} {preset}']}", flush=True)
        elif not args.no_lighthouse:
            print(f"no Lighthouse at {LIGHTHOUSE}: `make bench` installs it", file=sys.stderr)
    finally:
        stop()

    chapters = [r for r in rows if r["page"].startswith("notebooks/")]
    table = markdown_table(
        ["page", "compressed (MB)", "uncompressed (MB)", "requests", "blocking scripts (kB)",
         "widget state (kB)", "first playground (ms)", "axe violations", "console errors"],
        [[r["page"], f"{r['bytes'] / 1e6:.2f}", f"{r['raw_bytes'] / 1e6:.2f}", r["requests"],
          ", ".join(f"{n} {s / 1e3:.0f}" for n, s in r["blocking"] if s > 20_000) or "none > 20",
          f"{r['state_bytes'] / 1e3:.0f}",
          "" if r["first_view_ms"] is None else f"{r['first_view_ms']:.0f}",
          r.get("axe", "?"), r["console_errors"]] for r in rows])
    lh_table = markdown_table(
        ["page", "preset", "performance", "accessibility", "best practices", "SEO", "FCP (s)",
         "LCP (s)", "TBT (ms)", "CLS", "load average"],
        [[k.split()[0], k.split()[1], f"{v.get('performance', float('nan')):.0f}",
          f"{v.get('accessibility', float('nan')):.0f}",
          f"{v.get('best-practices', float('nan')):.0f}", f"{v.get('seo', float('nan')):.0f}",
          f"{v.get('first-contentful-paint', 0) / 1e3:.1f}",
          f"{v.get('largest-contentful-paint', 0) / 1e3:.1f}",
          f"{v.get('total-blocking-time', 0):.0f}",
          f"{v.get('cumulative-layout-shift', 0):.3f}", f"{v.get('load', float('nan')):.1f}"]
         for k, v in lh.items()]) if lh else ""
    worst = max(chapters, key=lambda r: r["bytes"]) if chapters else None
    firsts = [r["first_view_ms"] for r in rows if r["first_view_ms"] is not None]
    notes = (
        f"Goals: every chapter <= 1.5 MB compressed (heaviest: "
        f"{worst['page'] if worst else '-'}, {worst['bytes'] / 1e6 if worst else 0:.2f} MB); "
        f"no render-blocking script over 100 kB; widget state <= 150 kB; first playground "
        f"<= 1 s (slowest median: {max(firsts) if firsts else 0:.0f} ms); axe: 0; "
        "Lighthouse performance >= 90 desktop and >= 70 mobile, accessibility 100, best "
        f"practices >= 95, SEO >= 95. Served with gzip and cache headers; {args.runs} run(s) "
        "per figure, medians. Lighthouse runs its own simulated throttling (mobile: slow 4G, "
        "4x CPU slowdown) on top of this machine's load.")
    markdown = table + ("\n\n**Lighthouse 12** (median of runs)\n\n" + lh_table if lh else "")
    write_result(args.name, f"Published pages ({html_dir.name})", rows + [{"lighthouse": lh}],
                 markdown, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
