"""The core math vs the array libraries' own operations, for the *same output* (issue 20).

Five ratios (ours / reference), each timed round-robin in one process after warm-up,
medians of the repeats, inference mode, float32:

1. ``attn_course.softmax(x)`` on a torch tensor ``(32, 8, 256, 256)`` vs ``torch.softmax(x, -1)``;
2. ``attn_course.softmax(x, mask=m)`` (causal ``(256, 256)`` mask) vs
   ``torch.softmax(x.masked_fill(~m, -inf), -1)``;
3. ``attn_course.softmax(x)`` on a NumPy array of the same shape vs ``scipy.special.softmax``;
4. ``attn_course.scaled_dot_product_attention(q, k, v)`` returning the weights
   (B=4, H=8, N=1024, d_k=64) vs plain torch ``w = softmax(q kᵀ / 8); w @ v``;
5. ``attn_course.MultiHeadAttention(x, x, x)`` returning per-head weights (B=4, N=512,
   d_model=256, H=8) vs ``nn.MultiheadAttention(..., need_weights=True,
   average_attn_weights=False)`` with the same weights;

and, for the record, the fused path (``need_weights=False``) of both modules, and the peak
memory of the masked softmax beyond its output, in units of the input's size.
"""

from __future__ import annotations

import argparse
import math

import scipy.special
import torch
from _common import machine, machine_line, markdown_table, write_result

import attn_course as ac
from attn_course.tools.measure import peak_memory, time_calls

GOALS = {  # what issue 20 asks of each ratio
    "softmax": 1.2, "masked softmax": 1.2, "NumPy softmax": 1.2,
    "scaled_dot_product_attention (weights)": 1.15, "MultiHeadAttention (per-head weights)": 1.2,
    "MultiHeadAttention (fused path)": 1.0,
}


def _copy_mha(ours: ac.MultiHeadAttention) -> torch.nn.MultiheadAttention:
    E, H = ours.embed_dim, ours.num_heads
    ref = torch.nn.MultiheadAttention(E, H, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.W_q.weight, ours.W_k.weight, ours.W_v.weight]))
        ref.in_proj_bias.copy_(torch.cat([ours.W_q.bias, ours.W_k.bias, ours.W_v.bias]))
        ref.out_proj.weight.copy_(ours.W_o.weight)
        ref.out_proj.bias.copy_(ours.W_o.bias)
    return ref.eval()


def cases() -> list[tuple[str, str, str, dict]]:
    """(name, size, reference, {"ours": fn, "ref": fn}) for every ratio."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(32, 8, 256, 256, generator=g)  # (B, H, N, N) scores
    m = ac.causal_mask(256, like=x)  # (N, N) boolean, True = may attend
    xn = x.numpy()
    q, k, v = (torch.randn(4, 8, 1024, 64, generator=g) for _ in range(3))  # (B, H, N, d_k)
    mha = ac.MultiHeadAttention(256, 8).eval()
    ref = _copy_mha(mha)
    xm = torch.randn(4, 512, 256, generator=g)  # (B, N, d_model)
    inf = -math.inf
    return [
        ("softmax", "32·8·256·256", "`torch.softmax(x, -1)`",
         {"ours": lambda: ac.softmax(x), "ref": lambda: torch.softmax(x, -1)}),
        ("masked softmax", "32·8·256·256, causal mask",
         "`torch.softmax(x.masked_fill(~m, -inf), -1)`",
         {"ours": lambda: ac.softmax(x, mask=m),
          "ref": lambda: torch.softmax(x.masked_fill(~m, inf), -1)}),
        ("NumPy softmax", "32·8·256·256", "`scipy.special.softmax(x, axis=-1)`",
         {"ours": lambda: ac.softmax(xn), "ref": lambda: scipy.special.softmax(xn, axis=-1)}),
        ("scaled_dot_product_attention (weights)", "B4 H8 N1024 d64",
         "plain torch `w = softmax(q kᵀ / 8); w @ v`",
         {"ours": lambda: ac.scaled_dot_product_attention(q, k, v),
          "ref": lambda: _plain_attention(q, k, v)}),
        ("MultiHeadAttention (per-head weights)", "B4 N512 d256 H8",
         "`nn.MultiheadAttention(need_weights=True, average_attn_weights=False)`",
         {"ours": lambda: mha(xm, xm, xm),
          "ref": lambda: ref(xm, xm, xm, need_weights=True, average_attn_weights=False)}),
        ("MultiHeadAttention (fused path)", "B4 N512 d256 H8",
         "`nn.MultiheadAttention(need_weights=False)`",
         {"ours": lambda: mha(xm, xm, xm, need_weights=False),
          "ref": lambda: ref(xm, xm, xm, need_weights=False)}),
    ]


def _plain_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor):
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1)  # (B, H, N, N)
    return w @ v, w


def memory_rows() -> list[dict]:
    """Peak memory of the masked softmax beyond its output, in input sizes (ours, torch's)."""
    x = torch.randn(32, 8, 256, 256)
    m = ac.causal_mask(256, like=x)
    size = x.numel() * x.element_size()
    rows = []
    for name, fn in (("ours", lambda: ac.softmax(x, mask=m)),
                     ("torch masked_fill + softmax",
                      lambda: torch.softmax(x.masked_fill(~m, -math.inf), -1))):
        with torch.no_grad():
            peak = min(peak_memory(fn) for _ in range(3))
        rows.append({"what": name, "peak_MiB": peak / 2**20,
                     "extra_inputs": (peak - size) / size})  # the output is one input size
    return rows


def main(repeat: int, warmup: int, threads: int | None = None) -> None:
    if threads is not None:
        torch.set_num_threads(threads)
    start = machine()
    print(f"core_bench on {machine_line(start)}", flush=True)
    rows = []
    for name, size, reference, fns in cases():
        t = time_calls(fns, repeats=repeat, warmup=warmup)
        rows.append({"what": name, "size": size, "reference": reference,
                     "ours_s": t["ours"], "ref_s": t["ref"], "ratio": t["ours"] / t["ref"],
                     "goal": GOALS[name]})
    mem = memory_rows()
    table = markdown_table(
        ["ours", "size", "reference", "ours (ms)", "reference (ms)", "ratio", "goal"],
        [[r["what"], r["size"], r["reference"], f"{r['ours_s'] * 1e3:.1f}",
          f"{r['ref_s'] * 1e3:.1f}", f"{r['ratio']:.2f}×", f"≤ {r['goal']}×"] for r in rows])
    notes = ("Peak memory of the masked softmax beyond its output, in units of the input's "
             "size (goal: at most 1): " + "; ".join(
                 f"{r['what']} {r['extra_inputs']:.2f} ({r['peak_MiB']:.0f} MiB peak)"
                 for r in mem) + ". Same output on both sides; ratios > 1: ours is slower. "
             f"1-minute load average {start['load_average_1min']} at the start, "
             f"{machine()['load_average_1min']} at the end.")
    name, title = "core", "The core math vs torch's and SciPy's own operations (same output)"
    if threads is not None:
        name, title = f"core_threads{threads}", f"{title}, {threads} thread(s)"
    write_result(name, title,
                 rows + [{"memory": mem}], table, notes)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads (default: torch's own choice); writes core_threads<n>.json")
    args = p.parse_args()
    with torch.no_grad():
        main(args.repeat, args.warmup, args.threads)
