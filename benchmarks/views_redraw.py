"""How fast do the views redraw in the browser? Input event → finished redraw, in Chromium.

The attention-map explorer shows a 64×64 map recomputed in the browser from queries and
keys with d_k = 64 (``AttentionMapExplorer.from_qk``): moving the temperature slider
recomputes all 64×64 scores (64 multiply-adds each), the row softmaxes, and repaints the
canvas heatmap. We also time switching heads (maps mode, no recompute). Target: < 16 ms
(one frame at 60 Hz).

Each sample dispatches one ``input`` event on the slider at the start of a frame and
measures, inside the page,
- ``sync``: from the event to the end of the (synchronous) redraw: recompute + canvas
  drawing + DOM readout — the figure compared with the 16 ms target;
- ``to_next_frame``: from the event to the next animation frame; with a redraw that fits
  in the frame this is one frame interval (~16.7 ms at 60 Hz), so the report gives the
  share of samples shown in the very next frame.
Median and 90th percentile over 200 samples after 30 warm-up events.

Run: ``python benchmarks/views_redraw.py`` (``make bench``; needs ``make vendor`` and
Chromium at /usr/bin/chromium). Writes benchmarks/results/views_redraw.json.
"""

from __future__ import annotations

import functools
import http.server
import json
import platform
import socketserver
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "book" / "vendor" / "widgets"
OUT = ROOT / "benchmarks" / "results" / "views_redraw.json"
CHROMIUM = "/usr/bin/chromium"
N, D_K, WARMUP, SAMPLES = 64, 64, 30, 200

MEASURE = """
async ([index, control, values, warmup, samples]) => {
  const view = document.querySelectorAll('.attn-view[data-readout]')[index];
  const input = view.querySelector(`input[data-control="${control}"]`);
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
  // The display's frame interval with no work, for reference.
  const idle = [];
  let last = await nextFrame();
  for (let i = 0; i < 30; i++) { const t = await nextFrame(); idle.push(t - last); last = t; }
  const sync = [], frame = [];
  for (let i = 0; i < warmup + samples; i++) {
    // Fire the event at the start of a frame; the next frame shows the redraw if it fits.
    const [dSync, dFrame] = await new Promise((resolve) => requestAnimationFrame(async () => {
      const t0 = performance.now();
      input.value = String(values[i % values.length]);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      const t1 = performance.now();
      const t2 = await nextFrame();
      resolve([t1 - t0, t2 - t0]);
    }));
    if (i >= warmup) { sync.push(dSync); frame.push(dFrame); }
  }
  return { sync, frame, idle };
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _stats(xs: list[float]) -> dict[str, float]:
    a = np.asarray(xs)
    return {"median_ms": float(np.median(a)), "p90_ms": float(np.percentile(a, 90)),
            "min_ms": float(a.min()), "max_ms": float(a.max())}


def main() -> dict:
    from playwright.sync_api import sync_playwright

    from attn_course.views import AttentionMapExplorer
    from attn_course.views.standalone import write_standalone_page

    rng = np.random.default_rng(0)
    q = rng.normal(size=(1, 1, 4, N, D_K))  # (E, L, H, N, d_k)
    k = rng.normal(size=(1, 1, 4, N, D_K))  # (E, L, H, N, d_k)
    from_qk = AttentionMapExplorer.from_qk(q, k, title="64×64, d_k = 64, recomputed")
    maps = np.stack([
        AttentionMapExplorer.from_qk(q[0, 0, h], k[0, 0, h]).current_map() for h in range(4)
    ])[None, None]  # (E, L, H, N, N) = (1, 1, 4, 64, 64)
    precomputed = AttentionMapExplorer(maps, title="64×64 precomputed maps")
    cases = [
        ("qk: temperature slider (recompute 64×64 scores, d_k=64, softmax, repaint)", 0,
         "temperature", [round(x, 2) for x in np.linspace(-1.0, 1.0, 21)]),
        ("qk: head slider (recompute another head)", 0, "head", [0, 1, 2, 3]),
        ("maps: head slider (repaint a precomputed 64×64 map)", 1, "head", [0, 1, 2, 3]),
        ("qk: query row slider (highlight a row)", 0, "query", list(range(0, 64, 3))),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        write_standalone_page(Path(tmp), [from_qk, precomputed], VENDOR, name="bench.html")
        handler = functools.partial(_Quiet, directory=tmp)
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/bench.html"
        results = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            page.wait_for_function(
                "document.querySelectorAll('.attn-view[data-readout]').length >= 2", timeout=30_000)
            version = browser.version
            for label, index, control, values in cases:
                r = page.evaluate(MEASURE, [index, control, values, WARMUP, SAMPLES])
                interval = float(np.median(r["idle"]))
                in_one = float(np.mean(np.asarray(r["frame"]) < 1.5 * interval))
                results.append({"case": label, "control": control,
                                "sync": _stats(r["sync"]), "to_next_frame": _stats(r["frame"]),
                                "frame_interval_ms": interval,
                                "share_painted_in_next_frame": in_one})
            browser.close()
        server.shutdown()
    report = {
        "benchmark": "views_redraw",
        "what": "input event -> finished redraw of the attention-map explorer, 64x64 map, d_k=64",
        "target_ms": 16.0,
        "samples": SAMPLES,
        "warmup": WARMUP,
        "chromium": version,
        "machine": f"{platform.machine()} {platform.system()}, python {platform.python_version()}",
        "results": results,
        "meets_target": all(r["sync"]["median_ms"] < 16.0 for r in results),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for r in results:
        print(f"{r['case']:<76} median {r['sync']['median_ms']:5.2f} ms "
              f"(p90 {r['sync']['p90_ms']:.2f}); shown in the next frame "
              f"{100 * r['share_painted_in_next_frame']:.0f}% of the time")
    print(f"target < 16 ms: {'met' if report['meets_target'] else 'NOT met'}; wrote "
          f"{OUT.relative_to(ROOT)}")
    return report


if __name__ == "__main__":
    if not Path(CHROMIUM).exists():
        sys.exit(f"no Chromium at {CHROMIUM}: apt-get install chromium (make bench does it)")
    main()
