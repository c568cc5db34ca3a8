"""Execution time of every chapter notebook (``notebooks/*.ipynb``), one fresh kernel each.

Each notebook runs with nbclient in ``notebooks/`` (as the book build does); the time is
the wall time from kernel start to the last cell. The issue's limit is 90 s per notebook
on a 2-core CPU; the table marks notebooks over it. Run under load (other work on the
machine), times are inflated: the load average is recorded with the machine.
"""

from __future__ import annotations

import argparse
import time

import nbformat
from _common import ROOT, markdown_table, write_result
from nbclient import NotebookClient

LIMIT_S = 90.0


def run(path, timeout: int) -> tuple[float, str]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    try:
        client.execute()
        status = "ok"
    except Exception as err:  # report, keep timing the others
        status = f"error: {type(err).__name__}"
    return time.perf_counter() - t0, status


def main(only: list[str], timeout: int) -> None:
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if only:
        paths = [p for p in paths if any(o in p.name for o in only)]
    rows = []
    for path in paths:
        seconds, status = run(path, timeout)
        rows.append({"notebook": path.name, "seconds": seconds, "status": status})
        print(f"{path.name}: {seconds:.1f} s ({status})", flush=True)
    table = markdown_table(
        ["notebook", "time (s)", "status", f"under {LIMIT_S:.0f} s"],
        [[r["notebook"], f"{r['seconds']:.1f}", r["status"],
          "yes" if r["seconds"] < LIMIT_S else "**no**"] for r in rows])
    total = sum(r["seconds"] for r in rows)
    write_result("notebooks", "Notebook execution times", rows, table,
                 f"{len(rows)} notebooks, {total:.0f} s in all.")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--only", nargs="*", default=[], help="substrings of notebook names")
    p.add_argument("--timeout", type=int, default=600, help="per-cell timeout (s)")
    args = p.parse_args()
    main(args.only, args.timeout)
