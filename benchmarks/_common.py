"""Shared by the benchmark scripts: machine description, timing, and writing results.

Every script measures *ratios in one process* (warm-up, then medians of interleaved
repeats), never a single absolute time, and writes ``results/<name>.json`` holding its
rows, a markdown table and the machine it ran on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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


def interleaved_medians(fns: dict[str, Callable[[], Any]], *, repeat: int = 7,
                        warmup: int = 2) -> dict[str, float]:
    """Median seconds of each function, timed round-robin so that drifts in the machine's
    load hit every function alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_result(name: str, title: str, rows: list[dict[str, Any]], markdown: str,
                 notes: str = "") -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"name": name, "title": title, "machine": machine(), "rows": rows,
               "markdown": markdown, "notes": notes}
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"## {title}\n\n{markdown}\n\n{notes}\n")
    return path
