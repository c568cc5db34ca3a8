"""Decoding with and without the KV cache, and the cache memory of MHA vs MQA (chapter 15).

The chapter's model (``load_model("main")``: 2 layers, d_model = 64, 4 heads, max_len 256)
continues a 16-token prompt by 240 tokens (up to its max_len) with greedy decoding, with and
without the cache: medians of ``--repeat`` runs, timed round-robin, one thread. Per-token
time with the cache at positions 16 and 256 (``per_token_times``), and the cache memory of
the small MHA (4 key/value heads) and MQA (1) models after 32 sequences of 128 tokens,
measured as extra
peak memory (``cache_memory``). Targets (issue 18): cached ≥ 5× faster than uncached; the
cached per-token time roughly flat (ratio last/first reported); MQA's cache 4× smaller.
"""

from __future__ import annotations

import argparse

import torch
from _common import markdown_table, write_result

from attn_course.data.text import CharTokenizer, load_corpus
from attn_course.experiments.language_model import cache_memory, load_model, per_token_times
from attn_course.tools.measure import time_calls


def main(repeat: int) -> None:
    torch.set_num_threads(1)
    model, _ = load_model("main")
    ids = CharTokenizer.ascii().encode(load_corpus().val[:256])[None]  # (1, 256)
    prompt, n_new = ids[:, :16], model.max_len - 16
    times = time_calls({"cached": lambda: model.generate(prompt, n_new, use_cache=True),
                        "uncached": lambda: model.generate(prompt, n_new, use_cache=False)},
                       repeats=repeat, threads=1)
    per_token = per_token_times(model, ids, [16, 256], repeats=max(7, repeat), stat="min")
    mem = {name: cache_memory(load_model(name, 0)[0], 128, batch=32) for name in ("mha-s", "mqa-s")}
    speedup = times["uncached"] / times["cached"]
    flat = per_token["cached"][1] / per_token["cached"][0]
    mem_ratio = mem["mha-s"]["measured"] / mem["mqa-s"]["measured"]
    rows = [{"case": "generate 240 tokens", "cached_s": times["cached"],
             "uncached_s": times["uncached"]},
            {"case": "per-token, cached", "t16_s": per_token["cached"][0],
             "t256_s": per_token["cached"][1]},
            {"case": "cache memory, 32 x 128 tokens", **{f"{k}_{m}": v for k, d in mem.items()
                                                         for m, v in d.items()}}]
    table = markdown_table(
        ["measure", "value"],
        [["generate 240 tokens, cached (s)", f"{times['cached']:.3f}"],
         ["generate 240 tokens, uncached (s)", f"{times['uncached']:.3f}"],
         ["uncached / cached", f"{speedup:.1f}×"],
         ["cached per-token time, t = 256 / t = 16", f"{flat:.2f}×"],
         ["cache, 32 × 128 tokens, MHA: measured / formula (KiB)",
          f"{mem['mha-s']['measured'] / 1024:.0f} / {mem['mha-s']['formula'] / 1024:.0f}"],
         ["cache, 32 × 128 tokens, MQA: measured / formula (KiB)",
          f"{mem['mqa-s']['measured'] / 1024:.0f} / {mem['mqa-s']['formula'] / 1024:.0f}"],
         ["MHA / MQA cache, measured", f"{mem_ratio:.1f}×"]])
    verdict = (f"Targets: cached {speedup:.1f}× faster (target ≥ 5×: "
               f"{'met' if speedup >= 5 else 'NOT met'}); cached per-token time grows "
               f"{flat:.2f}× from t = 16 to 256 (target: roughly flat); MQA cache "
               f"{mem_ratio:.1f}× smaller, measured (formula: 4×). One thread.")
    write_result("decoding", "Decoding with and without the KV cache (chapter 15's model)",
                 rows, table, verdict)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with torch.no_grad():
        main(args.repeat)
