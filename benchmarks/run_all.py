"""``make bench``: run every benchmark in its own process, then write ``results/latest.md``.

The scripts (each also runnable alone, ``--help`` for options):

- ``attention_bench.py``: the course's attention and multi-head attention vs torch's;
- ``core_bench.py``: the core math (softmax, masked softmax, NumPy softmax, attention and
  multi-head attention returning weights) vs torch's and SciPy's own operations;
- ``flash_bench.py``: tiled attention vs plain vs torch SDPA, N = 512 … 16384, time and
  peak memory (with all cores, and with one thread);
- ``notebook_times.py``: the execution time of every notebook;
- ``views_redraw.py`` (when present): the browser redraw time of the views;
- ``pages_bench.py``: the published pages (weight, blocking scripts, widget state, first
  playground, axe-core, Lighthouse 12), on the book in ``_build/html``.

Each writes ``results/<name>.json`` (rows, a markdown table, the machine); this script
gathers the tables into ``results/latest.md`` — the README's performance section shows it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import RESULTS, machine, machine_line, markdown_table  # noqa: E402


def views_section(r: dict) -> str:
    """``views_redraw.json`` (its own format) as a markdown section."""
    rows = [[x["case"], f"{x['sync']['median_ms']:.1f}", f"{x['sync']['p90_ms']:.1f}",
             f"{100 * x.get('share_painted_in_next_frame', float('nan')):.0f}%"]
            for x in r.get("results", [])]
    table = markdown_table(["view, control", "redraw median (ms)", "redraw p90 (ms)",
                            "painted in the next frame"], rows)
    return (f"## Browser redraw of the views\n\n{r.get('what', '')} (Chromium "
            f"{r.get('chromium', '?')}; target {r.get('target_ms', 16)} ms).\n\n{table}\n")


def step(script: str, *args: str) -> bool:
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    proc = subprocess.run([sys.executable, str(HERE / script), *args], cwd=HERE.parent)
    if proc.returncode:
        print(f"!!! {script} failed with exit code {proc.returncode}", flush=True)
    return proc.returncode == 0


def main(skip_notebooks: bool, assemble_only: bool = False) -> int:
    start = machine()
    ok = True
    if not assemble_only:
        ok &= step("attention_bench.py")
        ok &= step("core_bench.py")
        if (os.cpu_count() or 1) > 1:
            ok &= step("core_bench.py", "--threads", "1")
        ok &= step("flash_bench.py", "--threads", str(os.cpu_count() or 1))
        if (os.cpu_count() or 1) > 1:
            ok &= step("flash_bench.py", "--threads", "1")
        if not skip_notebooks:
            ok &= step("notebook_times.py")
        if (HERE / "views_redraw.py").exists():
            ok &= step("views_redraw.py")
        if (HERE.parent / "_build" / "html" / "searchindex.js").exists():
            ok &= step("pages_bench.py")
        else:
            print("\n=== pages_bench.py skipped: no book in _build/html (`make book`)", flush=True)
    order = ["attention", "core", "core_threads1", f"flash_threads{os.cpu_count() or 1}",
             "flash_threads1", "notebooks", "views_redraw", "pages"]
    parts = [f"# Benchmarks\n\nAssembled on {machine_line(start)}. Each section says "
             "when it ran and the load average then: other work on the machine inflates "
             "absolute times, and hurts multi-threaded runs of many small operations most.\n"
             "Ratios are measured in one process, with warm-up and medians; absolute times "
             "depend on the machine and on its load.\n"]
    for name in order:
        path = RESULTS / f"{name}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text(encoding="utf-8"))
        if "markdown" in r:
            ran = f"*Ran on {machine_line(r['machine'])}.*\n\n" if "machine" in r else ""
            parts.append(f"## {r['title']}\n\n{ran}{r['markdown']}\n\n{r.get('notes', '')}\n")
        else:
            parts.append(views_section(r))
    (RESULTS / "latest.md").write_text("\n".join(parts), encoding="utf-8")
    print("\n" + "\n".join(parts))
    print(f"wrote {RESULTS / 'latest.md'}")
    return 0 if ok else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--skip-notebooks", action="store_true")
    p.add_argument("--assemble-only", action="store_true",
                   help="only gather the existing results/*.json into results/latest.md")
    args = p.parse_args()
    sys.exit(main(args.skip_notebooks, args.assemble_only))
