"""Step through a generation (chapter 15): the next-token distribution and the attention row.

A language model's generation is shipped step by step: the ``K`` largest logits of every
step (rounded), the token the generation took, and every head's attention row of the
step's query over the positions in the cache. The reader moves through the steps and sets
the temperature, top-``k`` and top-``p``; the browser recomputes the distribution with the
same rule as :func:`attn_course.core.sampling.next_token_probs` (``views/js/math/sampling.js``)
and shades the context by the chosen head's attention weights.

The distribution is over the ``K`` shipped tokens only (the rest of the vocabulary holds the
mass ``tail`` at ``T = 1``, shown in the view).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets

from ..core.sampling import next_token_probs
from ..core.softmax import entropy
from ._base import AttnView
from .packing import PackedArray

__all__ = ["GenerationView"]


class GenerationView(AttnView):
    """A step slider, temperature / top-k / top-p sliders, layer and head choices.

    Args:
        labels: ``(V,)`` the text of every token id (e.g. ``"␣"`` for a space).
        ids: ``(P + S,)`` the prompt and the ``S`` generated token ids.
        prompt_len: ``P ≥ 1``.
        top_ids: ``(S, K)`` the ids of the ``K`` largest logits of each step, largest first.
        top_logits: ``(S, K)`` those logits (shipped rounded to 2 decimals).
        attention: ``(S, L, H, P + S − 1)`` the attention weights of step ``s``'s query
            (position ``P − 1 + s``) over keys ``0 … P − 1 + s`` (the rest is ignored).
        tail: ``(S,)`` the probability at ``T = 1`` of the tokens not shipped (default 0).
        temperature, top_k, top_p: the first controls (``0`` = greedy; ``top_k = 0`` and
            ``top_p = 1`` = no filter).
        gen_temperature: the temperature the shipped generation was sampled at (shown).

    Traits: params ``step``, ``temperature``, ``top_k``, ``top_p``, ``layer``, ``head``.
    """

    view_name = "generation"
    _view_js = "generation.js"

    labels = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    ids = traitlets.List(traitlets.Int()).tag(sync=True, role="data")
    prompt_len = traitlets.Int(1).tag(sync=True, role="data")
    top_ids = traitlets.List(traitlets.List(traitlets.Int())).tag(sync=True, role="data")
    top_logits = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    attention = PackedArray("uint8").tag(sync=True, role="data")  # flat (S, L, H, P + S − 1)
    attention_shape = traitlets.List(traitlets.Int()).tag(sync=True, role="data")
    tail = traitlets.List(traitlets.Float()).tag(sync=True, role="data")
    gen_temperature = traitlets.Float(0.0).tag(sync=True, role="data")
    step = traitlets.Int(0).tag(sync=True, role="param")
    temperature = traitlets.Float(1.0).tag(sync=True, role="param")
    top_k = traitlets.Int(0).tag(sync=True, role="param")
    top_p = traitlets.Float(1.0).tag(sync=True, role="param")
    layer = traitlets.Int(0).tag(sync=True, role="param")
    head = traitlets.Int(0).tag(sync=True, role="param")

    def __init__(self, labels: Sequence[str], ids: Any, prompt_len: int, top_ids: Any,
                 top_logits: Any, attention: Any, *, tail: Any = None,
                 temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                 gen_temperature: float = 0.0, title: str = "Step through a generation"
                 ) -> None:
        ids_a = np.asarray(ids)
        if ids_a.ndim != 1 or not np.issubdtype(ids_a.dtype, np.integer):
            raise ValueError(f"ids must be integers of shape (P + S,), got {ids_a.dtype} with "
                             f"shape {ids_a.shape}")
        V = len(labels)
        if ids_a.size and (ids_a.min() < 0 or ids_a.max() >= V):
            raise ValueError(f"ids must lie in [0, len(labels)={V}), got {ids_a.min()} … "
                             f"{ids_a.max()}")
        P = int(prompt_len)
        S = ids_a.size - P
        if P != prompt_len or P < 1 or S < 1:
            raise ValueError(f"prompt_len must be an int in [1, len(ids) − 1 = {ids_a.size - 1}], "
                             f"got {prompt_len!r}")
        t_ids = np.asarray(top_ids)
        z = np.round(np.asarray(top_logits, dtype=np.float64), 2)  # (S, K)
        if t_ids.ndim != 2 or t_ids.shape[0] != S or z.shape != t_ids.shape \
                or not np.issubdtype(t_ids.dtype, np.integer):
            raise ValueError(f"top_ids and top_logits must have shape (S={S}, K), integer ids; "
                             f"got {t_ids.shape} ({t_ids.dtype}) and {z.shape}")
        if t_ids.min() < 0 or t_ids.max() >= V or not np.all(np.isfinite(z)):
            raise ValueError(f"top_ids must lie in [0, {V}) and top_logits be finite")
        a = np.asarray(attention, dtype=np.float64)
        if a.ndim != 4 or a.shape[0] != S or a.shape[3] != P + S - 1:
            raise ValueError(f"attention must have shape (S={S}, L, H, P + S − 1={P + S - 1}), "
                             f"got {a.shape}")
        tail_l = [0.0] * S if tail is None else [float(x) for x in np.asarray(tail).ravel()]
        if len(tail_l) != S:
            raise ValueError(f"tail must have shape (S={S},), got {len(tail_l)} entries")
        K = t_ids.shape[1]
        if not (temperature >= 0 and np.isfinite(temperature)):
            raise ValueError(f"temperature must be ≥ 0 and finite, got {temperature!r}")
        if int(top_k) != top_k or not 0 <= top_k <= K:
            raise ValueError(f"top_k must be an int in [0, K={K}] (0 = off), got {top_k!r}")
        if not 0 < top_p <= 1:
            raise ValueError(f"top_p must lie in (0, 1] (1 = off), got {top_p!r}")
        super().__init__(labels=[str(s) for s in labels], ids=ids_a.tolist(), prompt_len=P,
                         top_ids=t_ids.tolist(), top_logits=z.tolist(),
                         attention=a.ravel().tolist(), attention_shape=list(a.shape),
                         tail=tail_l, gen_temperature=float(gen_temperature),
                         temperature=float(temperature), top_k=int(top_k), top_p=float(top_p),
                         title=title)

    @classmethod
    def from_model(cls, model: Any, prompt: Any, n_new: int, labels: Sequence[str], *,
                   k: int = 40, gen_temperature: float = 0.8, seed: int = 0,
                   **kwargs: Any) -> GenerationView:
        """Generate ``n_new`` tokens from ``prompt (1, P)`` with ``model`` (an
        :class:`attn_course.GPT`, sampled at ``gen_temperature`` with ``seed``) and ship the
        ``k`` largest logits and the attention rows of every step (one forward pass over the
        result: by the causal mask, the same numbers each step saw)."""
        import torch

        g = torch.Generator().manual_seed(seed)
        out = model.generate(prompt, n_new, temperature=gen_temperature, generator=g)  # (1, N)
        P = prompt.shape[1]
        with torch.no_grad():
            logits, w = model.run(out[:, :-1], need_weights=True)  # (1, N−1, V), (1, L, H, ·, ·)
        step_logits = logits[0, P - 1:].double()  # (S, V)
        top = step_logits.topk(k, dim=-1)  # (S, k)
        p1 = step_logits.softmax(-1)  # (S, V) at T = 1
        tail = 1 - p1.gather(1, top.indices).sum(-1)  # (S,)
        att = w[0, :, :, P - 1:].permute(2, 0, 1, 3)  # (S, L, H, N − 1)
        return cls(labels, out[0].numpy(), P, top.indices.numpy(), top.values.numpy(),
                   att.double().numpy(), tail=tail.clamp(min=0).numpy(),
                   gen_temperature=gen_temperature, **kwargs)

    @classmethod
    def demo(cls) -> GenerationView:
        rng = np.random.default_rng(0)
        V, P, S, L, H, K = 12, 5, 6, 2, 2, 8
        labels = list("abcdefghij") + ["␣", "."]
        ids = rng.integers(0, V, size=P + S)
        logits = rng.normal(scale=2, size=(S, V))
        top_ids = np.argsort(-logits, axis=1)[:, :K]
        att = rng.dirichlet(np.ones(P + S - 1), size=(S, L, H))
        return cls(labels, ids, P, top_ids, np.take_along_axis(logits, top_ids, 1), att,
                   gen_temperature=1.0)

    # --- what the view shows -----------------------------------------------------------
    @property
    def n_steps(self) -> int:
        return len(self.top_ids)

    def probs(self) -> np.ndarray:
        """``(K,)`` the distribution over the shipped tokens of the current step."""
        z = np.asarray(self.top_logits[self.step], dtype=np.float64)
        return next_token_probs(z, temperature=self.temperature,
                                top_k=self.top_k or None,
                                top_p=None if self.top_p >= 1 else self.top_p)

    def attention_row(self) -> np.ndarray:
        """``(P + step,)`` the chosen head's weights of the step's query over the cache."""
        S, L, H, N = self.attention_shape
        a = np.asarray(self.attention).reshape(S, L, H, N)
        return a[self.step, self.layer, self.head, :self.prompt_len + self.step]

    def readout(self) -> dict[str, Any]:
        p = self.probs()
        ids = self.top_ids[self.step]
        chosen = self.ids[self.prompt_len + self.step]
        row = self.attention_row()
        return {"probs": p.tolist(), "kept": int((p > 0).sum()), "entropy": float(entropy(p)),
                "greedy": ids[int(np.argmax(self.top_logits[self.step]))],
                "chosen": chosen,
                "chosen_p": float(p[ids.index(chosen)]) if chosen in ids else 0.0,
                "attention": row.tolist(), "attention_argmax": int(np.argmax(row))}

    def fallback_figure(self) -> Any:
        from ..plots.style import new_figure

        p = self.probs()[:12]
        fig, ax = new_figure(width=4.6, height=2.6)
        ax.bar([self.labels[i] for i in self.top_ids[self.step][:12]], p)
        ax.set(ylim=(0, 1), xlabel="next token", ylabel="probability",
               title=f"step {self.step + 1}, T = {self.temperature:g}")
        return fig
