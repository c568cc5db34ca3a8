"""Decoding with and without the KV cache, and the cache memory of MHA vs MQA (chapter 15).

The chapter's model (``load_model("main")``: 2 layers, d_model = 64, 4 heads, max_len 256)
continues a 16-token prompt by 240 tokens (up to its max_len) with greedy decoding, with and
without the cache: medians of ``--repeat`` runs, timed round-robin, one thread. Per-token
time with the cache at positions 16 and 256 (``per_token_times``), and the cache memory of
the small MHA (4 key/value heads) and MQA (1) models after 32 sequences of 128 tokens,
measured as extra
peak memory (``cache_memory``). Targets (issue 18): cached ≥ 5× faster than uncached; the
cached per-token time roughly flat (ratio last/first reported); MQA's cache 4× smaller.

Timings are medians after one warm-up call, on the wall clock and on the thread's CPU clock
(which does not count the time a shared machine spends on other work); the 1-minute load
average is recorded before and after. What a cached step spends its time on, and what was
made faster (profiled with cProfile and per-part minima, 2026-12-03): for this small model a
step is Python and dispatch overhead, not arithmetic — per layer, RoPE's rotation of the new
query and key (12 tensor operations each, now 5: ``x·cos + swap(x)·(−sin, sin)``, the same
bits), the concatenation of ``[W_q; W_k; W_v]`` (now kept between calls without autograd),
argument checks (one per self-attention call; none for the ids ``generate`` picked itself),
and a dropout call that is the identity in evaluation. The cache was already preallocated
(written in place, no concatenation) and a single-query step builds no mask.
"""

from __future__ import annotations

import argparse
import os

import torch
from _common import markdown_table, write_result

from attn_course.data.text import CharTokenizer, load_corpus
from attn_course.experiments.language_model import cache_memory, load_model, per_token_times
from attn_course.tools.measure import time_calls


def main(repeat: int) -> None:
    torch.set_num_threads(1)
    load_before = os.getloadavg()[0]
    model, _ = load_model("main")
    ids = CharTokenizer.ascii().encode(load_corpus().val[:256])[None]  # (1, 256)
    prompt, n_new = ids[:, :16], model.max_len - 16
    calls = {"cached": lambda: model.generate(prompt, n_new, use_cache=True),
             "uncached": lambda: model.generate(prompt, n_new, use_cache=False)}
    times = time_calls(calls, repeats=repeat, threads=1)  # wall clock, medians
    cpu = time_calls(calls, repeats=repeat, threads=1, clock="cpu")  # CPU clock, medians
    per_token = per_token_times(model, ids, [16, 256], repeats=max(15, repeat))  # medians
    best = per_token_times(model, ids, [16, 256], repeats=max(15, repeat), stat="min")
    mem = {name: cache_memory(load_model(name, 0)[0], 128, batch=32) for name in ("mha-s", "mqa-s")}
    load_after = os.getloadavg()[0]
    speedup = times["uncached"] / times["cached"]
    speedup_cpu = cpu["uncached"] / cpu["cached"]
    flat = per_token["cached"][1] / per_token["cached"][0]
    flat_min = best["cached"][1] / best["cached"][0]
    mem_ratio = mem["mha-s"]["measured"] / mem["mqa-s"]["measured"]
    rows = [{"case": "generate 240 tokens", "cached_s": times["cached"],
             "uncached_s": times["uncached"], "cached_cpu_s": cpu["cached"],
             "uncached_cpu_s": cpu["uncached"], "load_before": load_before,
             "load_after": load_after},
            {"case": "per-token, cached (median)", "t16_s": per_token["cached"][0],
             "t256_s": per_token["cached"][1]},
            {"case": "per-token, cached (min)", "t16_s": best["cached"][0],
             "t256_s": best["cached"][1]},
            {"case": "cache memory, 32 x 128 tokens", **{f"{k}_{m}": v for k, d in mem.items()
                                                         for m, v in d.items()}}]
    table = markdown_table(
        ["measure", "value"],
        [["generate 240 tokens, cached: wall / CPU (s)",
          f"{times['cached']:.3f} / {cpu['cached']:.3f}"],
         ["generate 240 tokens, uncached: wall / CPU (s)",
          f"{times['uncached']:.3f} / {cpu['uncached']:.3f}"],
         ["uncached / cached: wall / CPU", f"{speedup:.1f}× / {speedup_cpu:.1f}×"],
         ["cached time per token at t = 16, median (ms)", f"{1e3 * per_token['cached'][0]:.3f}"],
         ["cached per-token time, t = 256 / t = 16: median / min",
          f"{flat:.2f}× / {flat_min:.2f}×"],
         ["cache, 32 × 128 tokens, MHA: measured / formula (KiB)",
          f"{mem['mha-s']['measured'] / 1024:.0f} / {mem['mha-s']['formula'] / 1024:.0f}"],
         ["cache, 32 × 128 tokens, MQA: measured / formula (KiB)",
          f"{mem['mqa-s']['measured'] / 1024:.0f} / {mem['mqa-s']['formula'] / 1024:.0f}"],
         ["MHA / MQA cache, measured", f"{mem_ratio:.1f}×"],
         ["1-minute load average, before / after", f"{load_before:.1f} / {load_after:.1f}"]])
    met = ("met" if min(speedup, speedup_cpu) >= 5 else
           "met on one clock only" if max(speedup, speedup_cpu) >= 5 else "NOT met")
    verdict = (f"Targets: cached {speedup:.1f}× faster on the wall clock, {speedup_cpu:.1f}× on "
               f"the CPU clock (target ≥ 5×: {met}); "
               f"cached per-token time grows {flat:.2f}× from t = 16 to 256 (median; "
               f"{flat_min:.2f}× by the best of {max(15, repeat)}; target: roughly flat); MQA "
               f"cache {mem_ratio:.1f}× smaller, measured (formula: 4×). Medians of {repeat} "
               f"runs after one warm-up, one thread, load average {load_before:.1f} → "
               f"{load_after:.1f}.")
    write_result("decoding", "Decoding with and without the KV cache (chapter 15's model)",
                 rows, table, verdict)

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    with torch.no_grad():
        main(args.repeat)
