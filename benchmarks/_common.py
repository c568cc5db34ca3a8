"""Shared by the benchmark scripts: machine description and writing results.

Every script measures *ratios in one process* (warm-up, then medians of interleaved
repeats, with the package's one timer ``attn_course.tools.measure.time_calls``), never a
single absolute time, and writes ``results/<name>.json`` holding its rows, a markdown
table (``attn_course.tools.tables.markdown_table``) and the machine it ran on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

from attn_course.tools.tables import markdown_table

__all__ = ["ROOT", "RESULTS", "machine", "machine_line", "markdown_table", "write_result"]

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """CPU model, cores, load, Python/torch versions and the date (UTC)."""
    import torch

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": round(load, 2),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(),
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
    }


def machine_line(m: dict[str, Any]) -> str:
    return (f"{m['cpu']}, {m['cores']} cores, torch threads: {m['torch_threads']}, "
            f"1-minute load average {m['load_average_1min']}; Python {m['python']}, "
            f"torch {m['torch']}; {m['date_utc']} UTC")


def write_result(name: str, title: str, rows: list[dict[str, Any]], markdown: str,
                 notes: str = "") -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"name": name, "title": title, "machine": machine(), "rows": rows,
               "markdown": markdown, "notes": notes}
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"## {title}\n\n{markdown}\n\n{notes}\n")
    return path
