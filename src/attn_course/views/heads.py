"""What one head does on a repeated sequence (chapter 16): its row, its scores, its ablation.

A ``[segment][segment]`` sequence is run through a trained attention-only model once
intact and once with each head removed (``head_mask``). The page carries every head's
attention map and, for every position, the probability and the loss of the correct next
token under each of those runs. The reader picks a layer, a head and a query position;
the browser shows the head's attention row, computes its previous-token and
prefix-matching scores on the sequence (``views/js/math/heads.js`` ↔
:func:`attn_course.experiments.induction.head_scores`) and compares the prediction with
the head intact and removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets

from ._base import AttnView
from .packing import PackedArray

__all__ = ["HeadAblationView"]


class HeadAblationView(AttnView):
    """Sliders for the example, layer, head and query position.

    Args:
        tokens: ``(E, 2S)`` token ids of ``E`` sequences ``[segment][segment]``.
        segment: ``S``.
        maps: ``(E, L, H, 2S, 2S)`` every head's attention weights (shipped in 8 bits, ±1/510).
        p_correct: ``(E, 1 + L·H, 2S − 1)`` the probability of the correct next token at each
            position, intact (index 0) and with head ``(l, h)`` removed (index ``1 + l·H + h``).
        loss: ``(E, 1 + L·H, 2S − 1)`` the loss ``−ln p`` of the same predictions, in nats.
        labels: optional text of every token id (default: the id).
        example, layer, head, query: the first controls (``query`` in ``[0, 2S − 2]``).

    Traits: params ``example``, ``layer``, ``head``, ``query``.
    """

    view_name = "heads"
    _view_js = "heads.js"

    tokens = traitlets.List(traitlets.List(traitlets.Int())).tag(sync=True, role="data")
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    segment = traitlets.Int(1).tag(sync=True, role="data")
    maps = PackedArray("uint8").tag(sync=True, role="data")  # flat (E, L, H, 2S, 2S), ±1/510
    shape = traitlets.List(traitlets.Int()).tag(sync=True, role="data")  # [E, L, H, 2S]
    p_correct = traitlets.List(traitlets.List(traitlets.List(traitlets.Float()))).tag(
        sync=True, role="data")
    loss = traitlets.List(traitlets.List(traitlets.List(traitlets.Float()))).tag(
        sync=True, role="data")
    example = traitlets.Int(0).tag(sync=True, role="param")
    layer = traitlets.Int(0).tag(sync=True, role="param")
    head = traitlets.Int(0).tag(sync=True, role="param")
    query = traitlets.Int(0).tag(sync=True, role="param")

    def __init__(self, tokens: Any, segment: int, maps: Any, p_correct: Any, loss: Any, *,
                 labels: Sequence[str] | None = None, example: int = 0, layer: int = 0,
                 head: int = 0, query: int | None = None,
                 title: str = "What one head does, and what removing it costs") -> None:
        t = np.asarray(tokens)
        S = int(segment)
        if S != segment or S < 2:
            raise ValueError(f"segment must be an int ≥ 2, got {segment!r}")
        if t.ndim != 2 or t.shape[1] != 2 * S or not np.issubdtype(t.dtype, np.integer) \
                or t.min() < 0:
            raise ValueError(f"tokens must be non-negative ints of shape (E, 2S={2 * S}), got "
                             f"{t.dtype} with shape {t.shape}")
        E = t.shape[0]
        m = np.asarray(maps, dtype=np.float64)
        if m.ndim != 5 or m.shape[0] != E or m.shape[3:] != (2 * S, 2 * S):
            raise ValueError(f"maps must have shape (E={E}, L, H, 2S={2 * S}, 2S={2 * S}), "
                             f"got {m.shape}")
        L, H = m.shape[1:3]
        want = (E, 1 + L * H, 2 * S - 1)
        p = np.round(np.asarray(p_correct, dtype=np.float64), 4)
        nll = np.round(np.asarray(loss, dtype=np.float64), 3)
        for name, a in (("p_correct", p), ("loss", nll)):
            if a.shape != want or not np.all(np.isfinite(a)):
                raise ValueError(f"{name} must be finite with shape (E, 1 + L·H, 2S − 1) = "
                                 f"{want}, got {a.shape}")
        V = int(t.max()) + 1
        labels = [str(i) for i in range(V)] if labels is None else [str(s) for s in labels]
        if len(labels) < V:
            raise ValueError(f"labels must name every token id up to {V - 1}, got {len(labels)}")
        query = S + S // 2 if query is None else query
        for name, val, hi in (("example", example, E - 1), ("layer", layer, L - 1),
                              ("head", head, H - 1), ("query", query, 2 * S - 2)):
            if int(val) != val or not 0 <= val <= hi:
                raise ValueError(f"{name} must be an int in [0, {hi}], got {val!r}")
        super().__init__(tokens=t.tolist(), labels=labels, segment=S, maps=m.ravel().tolist(),
                         shape=[E, L, H, 2 * S], p_correct=p.tolist(), loss=nll.tolist(),
                         example=int(example), layer=int(layer), head=int(head),
                         query=int(query), title=title)

    @classmethod
    def from_model(cls, model: Any, tokens: Any, segment: int, **kwargs: Any
                   ) -> HeadAblationView:
        """Run ``model`` (an :class:`attn_course.GPT`) on ``tokens (E, 2S)`` intact and with
        each head removed, and ship the maps and the predictions."""
        import torch
        import torch.nn.functional as F

        L, H = model.n_layers, model.n_heads
        with torch.no_grad():
            _, w = model.run(tokens, need_weights=True)  # (E, L, H, 2S, 2S)
            ps, losses = [], []
            for a in range(1 + L * H):
                mask = torch.ones(L, H)  # (L, H): 1 keeps a head
                if a:
                    mask[(a - 1) // H, (a - 1) % H] = 0.0
                logits = model(tokens[:, :-1], head_mask=mask)  # (E, 2S − 1, V)
                nll = F.cross_entropy(logits.transpose(1, 2), tokens[:, 1:],
                                      reduction="none")  # (E, 2S − 1)
                losses.append(nll)
                ps.append(torch.exp(-nll))
        return cls(tokens.numpy(), segment, w.double().numpy(),
                   torch.stack(ps, 1).double().numpy(), torch.stack(losses, 1).double().numpy(),
                   **kwargs)

    @classmethod
    def demo(cls) -> HeadAblationView:
        rng = np.random.default_rng(0)
        E, L, H, S = 1, 2, 2, 4
        seg = rng.integers(0, 6, size=(E, S))
        maps = rng.dirichlet(np.ones(2 * S), size=(E, L, H, 2 * S))
        maps = np.tril(maps)
        maps /= maps.sum(-1, keepdims=True)
        loss = rng.uniform(0, 3, size=(E, 1 + L * H, 2 * S - 1))
        return cls(np.concatenate([seg, seg], 1), S, maps, np.exp(-loss), loss, query=5)

    # --- what the view shows -----------------------------------------------------------
    def current_map(self) -> np.ndarray:
        """``(2S, 2S)`` the chosen head's map on the chosen sequence."""
        E, L, H, n = self.shape
        return np.asarray(self.maps).reshape(E, L, H, n, n)[self.example, self.layer, self.head]

    def readout(self) -> dict[str, Any]:
        import torch

        from ..experiments.induction import head_scores

        S, i = self.segment, self.query
        m = self.current_map()
        sc = head_scores(torch.tensor(m)[None, None, None], S)
        a = 1 + self.layer * self.shape[2] + self.head
        p, nll = np.asarray(self.p_correct[self.example]), np.asarray(self.loss[self.example])
        return {"row": m[i, :i + 1].tolist(),
                "previous_score": float(sc["previous"]), "prefix_score": float(sc["prefix"]),
                "prefix_key": i - S + 1 if i >= S else -1,
                "p_intact": float(p[0, i]), "p_ablated": float(p[a, i]),
                "loss_intact": float(nll[0, i]), "loss_ablated": float(nll[a, i]),
                "second_intact": float(nll[0, S:].mean()),
                "second_ablated": float(nll[a, S:].mean())}

    def fallback_figure(self) -> Any:
        from ..plots.style import COLORS, new_figure

        S = self.segment
        a = 1 + self.layer * self.shape[2] + self.head
        p = np.asarray(self.p_correct[self.example])
        fig, ax = new_figure(width=5.2, height=2.6)
        ax.plot(p[0], color=COLORS["blue"], label="intact")
        ax.plot(p[a], color=COLORS["vermillion"], label=f"head {self.layer + 1}.{self.head + 1} "
                                                        "removed")
        ax.axvline(S - 0.5, color="0.6", lw=0.8)
        ax.set(ylim=(0, 1), xlabel="position", ylabel="p(correct next token)")
        ax.legend(frameon=False, fontsize=8)
        return fig
