"""Decoding with and without the KV cache, and the cache memory of MHA, GQA and MQA (chapter 15).

The chapter's model (``load_model("main")``: 2 layers, d_model = 64, 4 heads, max_len 256)
continues a 16-token prompt by 240 tokens (up to its max_len) with greedy decoding, with and
without the cache, along two code paths: the **lean** one ``GPT.generate`` runs by default
(:class:`attn_course.models.gpt_decode.DecodePlan`: each layer one function of raw weight
tensors) and the **modules** (``lean=False``). The headline ratio is lean cached against
lean uncached — the same per-layer code over one new token or over the whole prefix, so it
isolates the cache; the modules' ratio is reported beside it. Medians of ``--repeat`` runs
after one warm-up, timed round-robin on one thread, on the wall clock and on the thread's
CPU clock (which does not count the time a shared machine spends on other work, though
contention still slows each operation), and the best run on the wall clock; the
1-minute load average before and after. Per-token time at t = 16 and 256 (one cached step
against ``t − 1`` cached positions; one uncached pass over ``t`` tokens), median and best;
the best at t = 16, 64, 128, 192, 256 also gives a load-resistant estimate of the whole
ratio (the areas under the two curves, as a sum over the 240 steps would).

Cache memory, measured two ways after a prompt of 256 tokens, for 8 query heads at the
chapter's width with 8 (MHA), 2 (GQA, H/H_kv = 4) and 1 (MQA) key/value heads: the bytes
of the distinct storages the filled cache holds, and the bytes torch's allocator gives out
and keeps during the pass that makes and fills it (``cache_memory``), against the formula
``2 · n_layers · n_kv_heads · d_k · t · 4``. Targets (issue 18): cached ≥ 5× faster than
uncached; the cached per-token time roughly flat (ratio last/first reported); GQA with
H/H_kv = 4 a 4× smaller cache, measured.

What the lean path removed (profiled with torch.profiler, 2026-12-03): a cached step of this
small model is dispatch and Python overhead, not arithmetic — module calls and hooks,
argument checks, ``F.linear``'s reshapes around ``addmm``, two RoPE rotations (now one over
the queries and keys together), the logits of every position (now the last only). A second
pass (same day) removed what both modes still paid per layer: oneDNN's GELU (about 7 µs for
one token's 256 features against 1.3 µs for ATen's own kernel, which the plan now uses up to
16,384 numbers, where oneDNN's becomes as fast), the gather that swapped RoPE's pairs (the
swapped rows now come out of the fused projection), separate views and transposes of the
queries, keys and values (one view, one transpose), and fresh tensors for the residual adds.
About 30 tensor operations per layer remain, most costing a call's dispatch (1–3 µs).
"""

from __future__ import annotations

import argparse
import os

import torch
from _common import markdown_table, write_result

from attn_course.data.text import CharTokenizer, load_corpus
from attn_course.experiments.language_model import cache_memory, load_model, per_token_times
from attn_course.models.gpt import GPT
from attn_course.tools.measure import time_calls

LAYOUTS = {"MHA": 8, "GQA": 2, "MQA": 1}  # key/value heads for 8 query heads


def main(repeat: int) -> None:
    torch.set_num_threads(1)
    load_before = os.getloadavg()[0]
    model, _ = load_model("main")
    ids = CharTokenizer.ascii().encode(load_corpus().val[:256])[None]  # (1, 256)
    prompt, n_new = ids[:, :16], model.max_len - 16
    outs = {(lean, c): model.generate(prompt, n_new, use_cache=c, lean=lean)
            for lean in (True, False) for c in (True, False)}
    same = all(torch.equal(o, outs[False, False]) for o in outs.values())
    calls = {f"{'lean' if lean else 'modules'} {'cached' if c else 'uncached'}":
             (lambda lean=lean, c=c: model.generate(prompt, n_new, use_cache=c, lean=lean))
             for lean in (True, False) for c in (True, False)}
    wall = time_calls(calls, repeats=repeat, threads=1)  # medians
    cpu = time_calls(calls, repeats=repeat, threads=1, clock="cpu")
    best = time_calls(calls, repeats=repeat, threads=1, stat="min")  # wall, the best run
    n_tok = max(15, repeat)
    grid = {"median": [16, 256], "min": [16, 64, 128, 192, 256]}
    per_token = {lean: {stat: per_token_times(model, ids, grid[stat], repeats=n_tok, stat=stat,
                                              lean=lean) for stat in ("median", "min")}
                 for lean in (True, False)}
    # a whole generation from the best step times: the sum over t ≈ the area under the curve
    area = {(lean, k): float(torch.trapezoid(torch.tensor(per_token[lean]["min"][k]),
                                             torch.tensor(grid["min"])))
            for lean in (True, False) for k in ("cached", "uncached")}
    step_ratio = {lean: area[lean, "uncached"] / area[lean, "cached"] for lean in (True, False)}
    mem = {}
    for name, n_kv in LAYOUTS.items():
        m = GPT(model.vocab_size, d_model=64, n_heads=8, n_layers=2, max_len=256,
                n_kv_heads=n_kv).eval()  # (memory does not depend on the weights)
        mem[name] = cache_memory(m, 256)
    load_after = os.getloadavg()[0]

    def ratio(clock: dict[str, float], path: str) -> float:
        return clock[f"{path} uncached"] / clock[f"{path} cached"]

    speed = {(p, k): ratio(c, p) for p in ("lean", "modules")
             for k, c in (("wall", wall), ("cpu", cpu), ("best", best))}
    flat = {(lean, s): per_token[lean][s]["cached"][-1] / per_token[lean][s]["cached"][0]
            for lean in (True, False) for s in ("median", "min")}
    mem_ratio = {(n, how): mem["MHA"][how] / mem[n][how] for n in ("GQA", "MQA")
                 for how in ("storage", "allocated")}
    rows = [{"case": f"generate 240 tokens, {k}", "wall_s": wall[k], "cpu_s": cpu[k],
             "best_wall_s": best[k]} for k in calls]
    rows[0].update(load_before=load_before, load_after=load_after, same_tokens=same)
    rows += [{"case": f"per-token, {'lean' if lean else 'modules'}, {s}",
              **{f"{k}_t{t}_s": per_token[lean][s][k][i] for k in ("cached", "uncached")
                 for i, t in enumerate(grid[s])}}
             for lean in (True, False) for s in ("median", "min")]
    rows += [{"case": f"cache memory, {n} (8 query heads, {LAYOUTS[n]} key/value), 256 tokens",
              **mem[n]} for n in LAYOUTS]
    table_rows = [[f"generate 240 tokens, {k}: wall / CPU / best wall (s)",
                   f"{wall[k]:.3f} / {cpu[k]:.3f} / {best[k]:.3f}"] for k in calls]
    table_rows += [
        ["uncached / cached, lean path (headline): wall / CPU / best wall",
         " / ".join(f"{speed['lean', k]:.1f}×" for k in ("wall", "cpu", "best"))],
        ["uncached / cached, modules: wall / CPU / best wall",
         " / ".join(f"{speed['modules', k]:.1f}×" for k in ("wall", "cpu", "best"))],
        ["uncached / cached from the best step times at t = 16 … 256 (area): lean / modules",
         f"{step_ratio[True]:.1f}× / {step_ratio[False]:.1f}×"],
        ["the four runs give the same tokens", "yes" if same else "NO"],
        ["lean cached step at t = 16 / 256, median (ms)",
         f"{1e3 * per_token[True]['median']['cached'][0]:.3f} / "
         f"{1e3 * per_token[True]['median']['cached'][1]:.3f}"],
        ["lean uncached pass at t = 16 / 256, median (ms)",
         f"{1e3 * per_token[True]['median']['uncached'][0]:.3f} / "
         f"{1e3 * per_token[True]['median']['uncached'][1]:.3f}"],
        ["cached per-token time, t = 256 / t = 16, lean: median / min",
         f"{flat[True, 'median']:.2f}× / {flat[True, 'min']:.2f}×"],
        ["cached per-token time, t = 256 / t = 16, modules: median / min",
         f"{flat[False, 'median']:.2f}× / {flat[False, 'min']:.2f}×"]]
    table_rows += [[f"cache of 256 tokens, {n} ({LAYOUTS[n]} of 8 heads): formula / storages "
                    "held / allocated (KiB)",
                    " / ".join(f"{mem[n][k] / 1024:.0f}" for k in ("formula", "storage",
                                                                    "allocated"))]
                   for n in LAYOUTS]
    table_rows += [[f"MHA / {n} cache: storages / allocated (formula {8 // LAYOUTS[n]}×)",
                    f"{mem_ratio[n, 'storage']:.2f}× / {mem_ratio[n, 'allocated']:.2f}×"]
                   for n in ("GQA", "MQA")]
    table_rows.append(["1-minute load average, before / after",
                       f"{load_before:.1f} / {load_after:.1f}"])
    lw, lc = speed["lean", "wall"], speed["lean", "cpu"]
    met = ("met" if min(lw, lc) >= 5 else "met on one clock only" if max(lw, lc) >= 5
           else "NOT met")
    verdict = (f"Targets: with the cache, generation is {lw:.1f}× faster on the wall clock and "
               f"{lc:.1f}× on the CPU clock (medians), {speed['lean', 'best']:.1f}× by the best "
               f"runs, lean path against lean path (target ≥ 5× on both median clocks: {met}); "
               f"from the best step times (area under t = 16 … 256) {step_ratio[True]:.1f}×; "
               f"through the modules {speed['modules', 'wall']:.1f}× / "
               f"{speed['modules', 'cpu']:.1f}× / {speed['modules', 'best']:.1f}×. "
               f"The cached per-token time grows "
               f"{flat[True, 'median']:.2f}× from t = 16 to 256 (median; "
               f"{flat[True, 'min']:.2f}× by the best of {n_tok}; target: roughly flat). "
               f"GQA (H/H_kv = 4) cache {mem_ratio['GQA', 'storage']:.2f}× smaller than MHA's "
               f"by the storages held and {mem_ratio['GQA', 'allocated']:.2f}× by the "
               f"allocator (target 4×). Same tokens on all four paths: {same}. Medians of "
               f"{repeat} runs after one warm-up, one thread, load average "
               f"{load_before:.1f} → {load_after:.1f}.")
    write_result("decoding", "Decoding with and without the KV cache (chapter 15's model)",
                 rows, markdown_table(["measure", "value"], table_rows), verdict)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    with torch.no_grad():
        main(args.repeat)
