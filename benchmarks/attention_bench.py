"""The course's attention vs torch's own, at typical sizes, as time ratios (ours / torch).

- ``attn_course.scaled_dot_product_attention`` (returns the weights too) vs
  ``torch.nn.functional.scaled_dot_product_attention`` (fused kernel);
- ``attn_course.MultiHeadAttention`` vs ``torch.nn.MultiheadAttention`` (same weights,
  batch-first), both returning the averaged/per-head weights, and both on their fast path
  (``need_weights=False``).

Inference mode (``torch.no_grad``), float32, medians of interleaved repeats after warm-up.
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F
from _common import markdown_table, write_result

import attn_course as ac
from attn_course.tools.measure import time_calls

SIZES = [  # (B, H, N, d_k)
    (4, 8, 1024, 64),
    (8, 8, 256, 64),
    (32, 4, 64, 32),
    (1, 8, 2048, 64),
]


def main(repeat: int) -> None:
    torch.manual_seed(0)
    rows = []
    for B, H, N, d in SIZES:
        q, k, v = (torch.randn(B, H, N, d) for _ in range(3))  # (B, H, N, d_k)
        t = time_calls({
            "ours": lambda q=q, k=k, v=v: ac.scaled_dot_product_attention(q, k, v),
            "torch": lambda q=q, k=k, v=v: F.scaled_dot_product_attention(q, k, v),
        }, repeats=repeat, warmup=2)
        rows.append({"what": "scaled_dot_product_attention", "B": B, "H": H, "N": N, "d_k": d,
                     "ours_s": t["ours"], "torch_s": t["torch"], "ratio": t["ours"] / t["torch"]})
        d_model = H * d
        ours = ac.MultiHeadAttention(d_model, H)
        ref = torch.nn.MultiheadAttention(d_model, H, batch_first=True)
        with torch.no_grad():  # the same weights in both
            ref.in_proj_weight.copy_(torch.cat([ours.W_q.weight, ours.W_k.weight, ours.W_v.weight]))
            ref.in_proj_bias.copy_(torch.cat([ours.W_q.bias, ours.W_k.bias, ours.W_v.bias]))
            ref.out_proj.weight.copy_(ours.W_o.weight)
            ref.out_proj.bias.copy_(ours.W_o.bias)
        x = torch.randn(B, N, d_model)  # (B, N, d_model)
        for need in (True, False):
            t = time_calls({
                "ours": lambda need=need, m=ours, x=x: m(x, x, x, need_weights=need),
                "torch": lambda need=need, m=ref, x=x: m(x, x, x, need_weights=need,
                                                         average_attn_weights=False),
            }, repeats=repeat, warmup=2)
            rows.append({"what": f"MultiHeadAttention (need_weights={need})", "B": B, "H": H,
                         "N": N, "d_k": d, "ours_s": t["ours"], "torch_s": t["torch"],
                         "ratio": t["ours"] / t["torch"]})
    table = markdown_table(
        ["what", "B, H, N, d_k", "ours (ms)", "torch (ms)", "ours / torch"],
        [[r["what"], f"{r['B']}, {r['H']}, {r['N']}, {r['d_k']}", f"{r['ours_s'] * 1e3:.2f}",
          f"{r['torch_s'] * 1e3:.2f}", f"{r['ratio']:.2f}×"] for r in rows])
    write_result("attention", "The course's attention vs torch's (inference, float32)", rows,
                 table, "Ratios > 1: ours is slower. Ours returns the weights (an N × N "
                        "tensor per head) where torch's fused kernel does not.")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    with torch.no_grad():
        main(args.repeat)
