"""One query block of tiled attention, tile by tile (chapter 13's step-through playground).

:func:`flash_block_trace` follows the rows of one query block of
:func:`attn_course.flash_attention` through the key tiles it computes, with the package's
online softmax (:func:`attn_course.core.online_softmax.online_softmax_update` for the
rescale factor, :func:`~attn_course.core.online_softmax.online_attention_update` for the
running maximum, sum and output), and records the state after every tile. The browser
view (``views/js/math/flash.js``) recomputes the same numbers; the tests check them against
the state of ``flash_attention`` itself and against plain attention.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from ..core.attention import scaled_dot_product_attention
from ..core.online_softmax import (
    online_attention_update,
    online_softmax_init,
    online_softmax_update,
)

__all__ = ["flash_block_trace"]


def flash_block_trace(q: Tensor, k: Tensor, v: Tensor, *, block: int, query_block: int = 0,
                      causal: bool = False) -> dict[str, Any]:
    """The running state of one query block after each key tile it computes.

    Args:
        q: queries ``(N, d_k)``; ``k`` keys ``(N, d_k)``; ``v`` values ``(N, d_v)``.
        block: the square tile size ``b`` (the last tile may be ragged).
        query_block: which block of queries, rows ``[query_block · b, …)``.
        causal: top-left causal mask; the key tiles right of the diagonal are skipped, as
            ``flash_attention(causal=True)`` skips them.

    Returns:
        ``rows`` ``[i0, i1)``; ``tiles``, the ``[j0, j1)`` of each key tile computed;
        ``skipped``, the key tiles skipped; per tile (outer lists), for each row of the
        block: ``m`` (running max), ``l`` (running sum), ``rescale`` ``= exp(m_old − m_new)``
        (0 on the first tile, where ``m_old = −∞``), ``acc`` (running unnormalised output,
        ``(b_q, d_v)``) and ``out = acc / l``; and ``exact``, the block's rows of plain
        attention (``(b_q, d_v)``), which ``out`` reaches after the last tile; ``error``, per
        tile, the largest ``|out − exact|`` over the block.
    """
    n, d_k = q.shape
    if block < 1 or not 0 <= query_block * block < n:
        raise ValueError(f"need block ≥ 1 and query_block in [0, {math.ceil(n / max(block, 1))}), "
                         f"got block={block}, query_block={query_block}")
    i0, i1 = query_block * block, min(query_block * block + block, n)
    qi = q[i0:i1] / math.sqrt(d_k)  # (b_q, d_k)
    k_end = min(n, i1) if causal else n
    m, l = online_softmax_init(qi[:, :1])  # (b_q, 1) each
    acc = torch.zeros(i1 - i0, v.shape[1], dtype=q.dtype)  # (b_q, d_v)
    trace: dict[str, Any] = {"rows": [i0, i1], "tiles": [], "m": [], "l": [], "rescale": [],
                             "acc": [], "out": []}
    for j0 in range(0, k_end, block):
        j1 = min(j0 + block, k_end)
        s = qi @ k[j0:j1].T  # (b_q, b_k) one tile of scores
        if causal:
            rows = torch.arange(i0, i1).unsqueeze(-1)  # (b_q, 1)
            s = s.masked_fill(torch.arange(j0, j1) > rows, -math.inf)
        rescale = online_softmax_update(m, l, s)[2]  # (b_q, 1)
        m, l, acc = online_attention_update(m, l, acc, s, v[j0:j1])
        out = torch.where(l > 0, acc / l.clamp_min(1e-300), torch.zeros_like(acc))
        trace["tiles"].append([j0, j1])
        for key, x in (("m", m), ("l", l), ("rescale", rescale)):
            trace[key].append(x.flatten().tolist())
        trace["acc"].append(acc.tolist())
        trace["out"].append(out.tolist())
    trace["skipped"] = math.ceil(n / block) - len(trace["tiles"])
    mask = torch.arange(n) <= torch.arange(n).unsqueeze(-1) if causal else None  # (N, N)
    exact, _ = scaled_dot_product_attention(q, k, v, mask=mask)  # (N, d_v)
    trace["exact"] = exact[i0:i1].tolist()
    trace["error"] = [float((torch.tensor(o, dtype=exact.dtype) - exact[i0:i1]).abs().max())
                      for o in trace["out"]]
    return trace
