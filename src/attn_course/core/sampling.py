"""How a language model picks the next token (chapter 15): greedy, temperature, top-k, top-p.

:func:`next_token_probs` turns the logits of the next token into the distribution a sampler
draws from. Works on NumPy arrays and torch tensors alike (the chapter's playground
recomputes it in the browser, tested equal).
"""

from __future__ import annotations

from .._backend import Array, array_namespace, as_float, shape_of
from .softmax import softmax

__all__ = ["next_token_probs"]


def next_token_probs(logits: Array, *, temperature: float = 1.0, top_k: int | None = None,
                     top_p: float | None = None) -> Array:
    """The next-token distribution ``(..., V)`` from ``logits (..., V)``.

    - ``temperature == 0``: greedy — all the mass on the largest logit (the first, on ties);
    - otherwise ``softmax(logits / temperature)``, then
    - ``top_k``: keep the ``k`` most likely tokens (ties at the ``k``-th value are all kept);
    - ``top_p`` (nucleus): keep the smallest set of most likely tokens whose mass reaches
      ``p`` (the most likely token always stays);

    and renormalise what is kept.

    Raises:
        ValueError: on a negative temperature, ``top_k < 1`` or ``top_p`` outside ``(0, 1]``.
    """
    if not temperature >= 0:
        raise ValueError(f"temperature must be ≥ 0, got {temperature}")
    if top_k is not None and (int(top_k) != top_k or top_k < 1):
        raise ValueError(f"top_k must be a positive int or None, got {top_k}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must lie in (0, 1] or be None, got {top_p}")
    if len(shape_of(logits)) < 1 or shape_of(logits)[-1] < 1:
        raise ValueError(f"logits must have shape (..., V) with V ≥ 1, got {shape_of(logits)}")
    xp = array_namespace(logits)
    z = as_float(logits)
    if temperature == 0:
        best = xp.argmax(z, axis=-1)[..., None]  # (..., 1)
        ids = xp.arange(shape_of(z)[-1])
        return xp.astype(ids == best, z.dtype)  # (..., V) one-hot
    p = softmax(z / temperature, axis=-1)  # (..., V)
    keep = xp.ones_like(p, dtype=xp.bool)
    if top_k is not None and top_k < shape_of(p)[-1]:
        kth = xp.sort(p, axis=-1, descending=True)[..., int(top_k) - 1 : int(top_k)]  # (..., 1)
        keep = keep & (p >= kth)
    if top_p is not None:
        # a token stays if the mass of the tokens strictly more likely than it is < top_p
        above = xp.sum(xp.where(p[..., None, :] > p[..., :, None], p[..., None, :], 0.0),
                       axis=-1)  # (..., V): mass of the tokens above each token
        keep = keep & (above < top_p)
    p = xp.where(keep, p, 0.0)
    return p / xp.sum(p, axis=-1, keepdims=True)
