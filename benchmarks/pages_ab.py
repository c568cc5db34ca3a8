"""Two builds of the book, measured in turns: Lighthouse and the first playground, before/after.

On a shared machine the load changes from minute to minute, so a "before" measured now and an
"after" measured later compare two loads as much as two builds. This script takes one run of
each measurement on build A, then on build B, then again, ``--runs`` rounds, and reports the
median of each with its range, and the load average when each run ended:

    python benchmarks/pages_ab.py /tmp/before_html _build/html --name pages_ab

- **Lighthouse 12** (as ``pages_bench.py`` runs it) on the intro and chapters 2 and 12,
  desktop and mobile presets: performance and the metrics behind it;
- **first playground**: milliseconds from navigation to the first view drawn, in Chromium at
  1280 x 900 (as ``pages_bench.py`` measures it), on the chapters that have views.

Writes ``results/<name>.json`` (every run, then the medians).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import markdown_table, write_result  # noqa: E402
from _static_host import serve  # noqa: E402
from pages_bench import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    FIRST_VIEW,
    LIGHTHOUSE,
    LIGHTHOUSE_PAGES,
    lighthouse,
)

METRICS = ("performance", "first-contentful-paint", "largest-contentful-paint",
           "total-blocking-time", "speed-index", "cumulative-layout-shift", "load")


def first_view(browser: Any, url: str) -> float | None:
    """Milliseconds from navigation to the first view drawn (None: no view on the page)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.add_init_script(FIRST_VIEW)
        page.goto(url, wait_until="load")
        if not page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count():
            return None
        page.wait_for_function("() => window.__firstView !== null", timeout=30_000)
        return float(page.evaluate("() => window.__firstView"))
    finally:
        context.close()


def spread(values: list[float]) -> str:
    return f"{min(values):.0f}–{max(values):.0f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("before", type=Path, help="built html folder A")
    p.add_argument("after", type=Path, help="built html folder B")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--name", default="pages_ab", help="results/<name>.json")
    p.add_argument("--pages", nargs="*", default=LIGHTHOUSE_PAGES)
    p.add_argument("--presets", nargs="*", default=["desktop", "mobile"])
    args = p.parse_args()
    if not LIGHTHOUSE.exists():
        print(f"no Lighthouse at {LIGHTHOUSE}: `make bench` installs it", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    builds = {"before": args.before.resolve(), "after": args.after.resolve()}
    servers = {k: serve(v) for k, v in builds.items()}
    runs: dict[str, list[float]] = {}
    try:
        for round_ in range(args.runs):
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=str(CHROMIUM) if CHROMIUM.exists() else None,
                    headless=True, args=CHROMIUM_ARGS)
                for path in args.pages:
                    for build, (base, _) in servers.items():
                        ms = first_view(browser, f"{base}/{path}")
                        if ms is not None:
                            runs.setdefault(f"{build} {path} first_view", []).append(ms)
                            runs.setdefault(f"{build} {path} first_view load", []).append(
                                os.getloadavg()[0])
                browser.close()
            for path in args.pages:
                for preset in args.presets:
                    for build, (base, _) in servers.items():
                        res = lighthouse(f"{base}/{path}", preset, 1)
                        for key in METRICS:
                            if key in res:
                                runs.setdefault(f"{build} {path} {preset} {key}", []).append(
                                    res[key])
                        print(f"round {round_ + 1} {build} {path} {preset}: "
                              f"performance {res.get('performance')}, TBT "
                              f"{res.get('total-blocking-time')}, load {res.get('load')}",
                              flush=True)
    finally:
        for _, stop in servers.values():
            stop()

    def med(key: str) -> float | None:
        values = runs.get(key)
        return statistics.median(values) if values else None

    rows = []
    for path in args.pages:
        for preset in args.presets:
            row = [Path(path).stem, preset]
            for build in builds:
                perf = runs.get(f"{build} {path} {preset} performance", [])
                row.append(f"{med(f'{build} {path} {preset} performance'):.0f} ({spread(perf)})"
                           if perf else "—")
            for key, scale in (("first-contentful-paint", 1e3), ("largest-contentful-paint", 1e3),
                               ("total-blocking-time", 1)):
                b, a = (med(f"{k} {path} {preset} {key}") for k in builds)
                fmt = "{:.1f}" if scale == 1e3 else "{:.0f}"
                row.append(" → ".join("—" if v is None else fmt.format(v / scale) for v in (b, a)))
            loads = runs.get(f"before {path} {preset} load", []) + runs.get(
                f"after {path} {preset} load", [])
            row.append(f"{min(loads):.1f}–{max(loads):.1f}" if loads else "—")
            rows.append(row)
    table = markdown_table(["page", "preset", "performance before (range)",
                            "performance after (range)", "FCP (s)", "LCP (s)", "TBT (ms)",
                            "load average"], rows)
    fv_rows = []
    for path in args.pages:
        b, a = (runs.get(f"{k} {path} first_view") for k in builds)
        if b or a:
            loads = runs.get(f"before {path} first_view load", []) + runs.get(
                f"after {path} first_view load", [])
            fv_rows.append([Path(path).stem,
                            f"{statistics.median(b):.0f} ({spread(b)})" if b else "—",
                            f"{statistics.median(a):.0f} ({spread(a)})" if a else "—",
                            f"{min(loads):.1f}–{max(loads):.1f}"])
    fv_table = markdown_table(["page", "first playground before (ms)", "after (ms)",
                               "load average"], fv_rows) if fv_rows else ""
    notes = (f"{args.runs} rounds, each one run of every measurement on {builds['before']} "
             f"(before), then on {builds['after']} (after); medians, (min–max). Lighthouse "
             "simulates a phone's network and a 4x slower CPU (mobile) on top of this "
             "machine's load.")
    medians = {k: statistics.median(v) for k, v in runs.items()}
    write_result(args.name, "Published pages, before/after (interleaved)",
                 [{"runs": runs, "medians": medians}],
                 table + ("\n\n**First playground** (desktop, median of runs)\n\n" + fv_table
                          if fv_table else ""), notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
