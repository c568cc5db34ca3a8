"""Chapter 17's measurements of a language model past its training length.

- :func:`stream_nll`: the loss of every next token of a long text, the text fed through a
  cache — a full :class:`~attn_course.layers.kv_cache.KVCache`, or a
  :class:`~attn_course.layers.rolling_cache.RollingKVCache` (a window, with or without
  attention sinks);
- :func:`recompute_nll`: the same losses with the cache rebuilt from the last ``window``
  tokens for every prediction (exact sliding windows, ``window`` times the work);
- :func:`first_token_attention`: how much weight each head puts on the first positions,
  against what uniform attention would;
- :func:`generation_profile`: time per token and cache bytes while generating.

The chapter runs them on chapter 15's stored models
(:func:`attn_course.experiments.language_model.load_model`).
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import Tensor

from ..layers.kv_cache import KVCache
from ..layers.rolling_cache import RollingKVCache
from ..models.gpt import GPT
from ..tools.measure import resident_memory
from ..tools.progress import progress

__all__ = [
    "first_token_attention",
    "generation_profile",
    "make_cache",
    "recompute_nll",
    "stream_nll",
]


def make_cache(model: GPT, *, window: int | None = None, sinks: int = 0, capacity: int = 0,
               cache_positions: bool = True) -> KVCache:
    """A cache for ``model``: full (``window=None``, ``capacity`` positions) or rolling.

    ``cache_positions``: rotate the sinks to their slots in the cache (StreamingLLM) rather
    than keep their positions in the text.
    """
    p = model.embed.weight
    kw = dict(batch=1, n_kv_heads=model.n_kv_heads, d_k=model.d_k, dtype=p.dtype,
              device=p.device)
    if window is None:
        return KVCache(model.n_layers, capacity=capacity, **kw)
    return RollingKVCache(model.n_layers, window=window, sinks=sinks,
                          rotate=model.rope.rotate if cache_positions else None, **kw)


@torch.no_grad()
def stream_nll(model: GPT, ids: Tensor, cache: KVCache, *, chunk: int = 128,
               show_progress: bool = False, desc: str = "stream") -> Tensor:
    """Next-token losses (nats) of ``ids (T,)`` read left to right through ``cache``.

    The text goes in ``chunk`` tokens at a time while the cache has room for them, then one
    token at a time (a full rolling cache takes one). Returns ``(T − 1,)``: entry ``t`` is
    the loss of ``ids[t + 1]`` given what the cache held after ``ids[t]``.
    """
    if ids.dim() != 1 or ids.numel() < 2:
        raise ValueError(f"ids must be a 1-d tensor of at least 2 tokens, got {tuple(ids.shape)}")
    model.eval()
    x = ids[:-1][None]  # (1, T − 1)
    out, t, T = [], 0, x.shape[1]
    bar = progress(total=T, desc=desc, disable=not show_progress, leave=False)
    while t < T:
        room = cache.capacity - cache.length
        n = max(1, min(chunk, room, T - t)) if room > 0 else 1
        out.append(model(x[:, t:t + n], cache=cache)[0])  # (n, V)
        t += n
        bar.update(n)
    bar.close()
    logits = torch.cat(out)  # (T − 1, V)
    return F.cross_entropy(logits, ids[1:], reduction="none")


@torch.no_grad()
def recompute_nll(model: GPT, ids: Tensor, window: int, *, batch: int = 64) -> Tensor:
    """Next-token losses when every prediction reruns the model on the last ``window`` tokens
    only (positions 0 … window − 1): ``(T − 1,)``, as :func:`stream_nll`."""
    if not 1 <= window <= model.max_len:
        raise ValueError(f"window must lie in [1, max_len={model.max_len}], got {window}")
    model.eval()
    T = ids.numel()
    head = model(ids[None, :min(window, T - 1)])[0]  # (≤ window, V): the first tokens
    losses = [F.cross_entropy(head, ids[1:head.shape[0] + 1], reduction="none")]
    starts = torch.arange(1, T - window)  # windows ending at t = window … T − 2
    for i in range(0, starts.numel(), batch):
        s = starts[i:i + batch]
        idx = s[:, None] + torch.arange(window)  # (b, window)
        last = model(ids[idx])[:, -1]  # (b, V)
        losses.append(F.cross_entropy(last, ids[s + window], reduction="none"))
    return torch.cat(losses)


@torch.no_grad()
def first_token_attention(model: GPT, ids: Tensor, *, context: int, first: int = 1,
                          start: int = 16, n_windows: int = 16) -> dict[str, Tensor]:
    """How much weight each head puts on the first ``first`` positions of its context.

    Runs ``n_windows`` consecutive windows of ``context`` tokens of ``ids``; for the queries
    at positions ``t ≥ start`` it averages the weight on positions ``< first``. Returns
    ``weight (n_layers, n_heads)``, ``uniform`` (what attending uniformly to all ``t + 1``
    visible positions would give, averaged the same way) and ``ratio = weight / uniform``.
    """
    n = n_windows * context
    if ids.numel() < n:
        raise ValueError(f"ids must hold n_windows · context = {n} tokens, got {ids.numel()}")
    model.eval()
    windows = ids[:n].view(n_windows, context)  # (W, context)
    _, w = model.run(windows, need_weights=True)  # (W, L, H, context, context)
    mass = w[..., start:, :first].sum(-1)  # (W, L, H, context − start)
    t = torch.arange(start, context, dtype=w.dtype)
    uniform = (first / (t + 1)).mean()
    weight = mass.mean(dim=(0, 3))  # (L, H)
    return {"weight": weight, "uniform": uniform, "ratio": weight / uniform}


@torch.no_grad()
def generation_profile(model: GPT, prompt: Tensor, n_new: int, cache: KVCache, *,
                       every: int = 128) -> list[dict[str, float]]:
    """Generate ``n_new`` greedy tokens after ``prompt (N,)`` through ``cache`` and record,
    every ``every`` tokens, ``t`` (tokens so far), ``seconds_per_token`` (over the last
    ``every``), ``cache_bytes`` (the keys and values held,
    :meth:`attn_course.layers.kv_cache.KVCache.bytes_used`) and ``rss_growth`` (the
    process's resident memory now minus before the prompt: measured, and with a preallocated
    cache it grows as the cache's pages are first written)."""
    model.eval()
    rss0 = resident_memory()
    logits = model(prompt[None], cache=cache)[:, -1]  # (1, V)
    rows, t0 = [], time.perf_counter()
    for i in range(1, n_new + 1):
        nxt = logits.argmax(-1, keepdim=True)  # (1, 1)
        logits = model(nxt, cache=cache)[:, -1]
        if i % every == 0:
            now = time.perf_counter()
            rows.append({"t": prompt.numel() + i, "seconds_per_token": (now - t0) / every,
                         "cache_bytes": cache.bytes_used(), "rss_growth": resident_memory() - rss0})
            t0 = now
    return rows
