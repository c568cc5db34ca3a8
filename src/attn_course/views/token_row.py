"""Token-row view (chapter 6): pick a token, see where it attends and what it reads.

From token embeddings ``X (N, d_model)`` and projections ``W_q, W_k, W_v`` the browser
computes ``Q = X W_q``, ``K = X W_k``, ``V = X W_v`` and, for the chosen token ``i``,
its row of :func:`attn_course.scaled_dot_product_attention`: the weights over all tokens
and the weighted sum of the value vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets

from ..core.attention import scaled_dot_product_attention
from ..core.masks import causal_mask
from ._base import AttnView, as_matrix

__all__ = ["TokenRowView"]


class TokenRowView(AttnView):
    """Self-attention over a short sentence, one query token at a time.

    Args:
        tokens: ``N`` token strings.
        X: ``(N, d_model)`` embeddings.
        W_q, W_k: ``(d_model, d_k)``; W_v: ``(d_model, d_v)``.
        selected: the first chosen token.
        causal: apply a causal mask (a token sees only itself and earlier tokens).
        title: a heading shown above the view.
    """

    view_name = "token_row"
    _view_js = "token_row.js"

    tokens = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    X = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    W_q = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    W_k = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    W_v = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True, role="data")
    selected = traitlets.Int(0).tag(sync=True, role="param")
    causal = traitlets.Bool(False).tag(sync=True, role="param")

    def __init__(
        self,
        tokens: Sequence[str],
        X: Any,
        W_q: Any,
        W_k: Any,
        W_v: Any,
        *,
        selected: int = 0,
        causal: bool = False,
        title: str = "Which tokens does a token attend to?",
    ) -> None:
        n = len(tokens)
        x = as_matrix("X", X, (n, None))
        d_model = len(x[0])
        wq = as_matrix("W_q", W_q, (d_model, None))
        wk = as_matrix("W_k", W_k, (d_model, len(wq[0])))
        wv = as_matrix("W_v", W_v, (d_model, None))
        if not 0 <= selected < n:
            raise ValueError(f"selected must be a token index in [0, {n}), got {selected}")
        super().__init__(tokens=[str(t) for t in tokens], X=x, W_q=wq, W_k=wk, W_v=wv,
                         selected=int(selected), causal=bool(causal), title=title)

    @classmethod
    def demo(cls) -> TokenRowView:
        rng = np.random.default_rng(0)
        words = "the cat sat on the mat".split()
        return cls(words, rng.normal(size=(6, 8)), rng.normal(size=(8, 4)),
                   rng.normal(size=(8, 4)), rng.normal(size=(8, 3)))

    def _attention(self) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(self.X, dtype=np.float64)
        q = x @ np.asarray(self.W_q)  # (N, d_k)
        k = x @ np.asarray(self.W_k)  # (N, d_k)
        v = x @ np.asarray(self.W_v)  # (N, d_v)
        mask = causal_mask(len(self.tokens)) if self.causal else None
        return scaled_dot_product_attention(q, k, v, mask=mask)

    @property
    def weights(self) -> np.ndarray:
        """``(N,)`` the selected token's attention weights over all tokens."""
        return self._attention()[1][self.selected]

    def readout(self) -> dict[str, Any]:
        out, w = self._attention()
        return {"weights": w[self.selected].tolist(), "output": out[self.selected].tolist()}

    def fallback_figure(self) -> Any:
        from ..plots.style import COLORS, new_figure

        out, w = self._attention()
        i = self.selected
        fig, (ax0, ax1) = new_figure(2, width=3.6, height=2.8)
        ax0.bar(range(len(self.tokens)), w[i], color=COLORS["blue"])
        ax0.set_xticks(range(len(self.tokens)), self.tokens, rotation=45)
        ax0.set(ylim=(0, 1), ylabel="weight", title=f"'{self.tokens[i]}' attends to")
        ax1.bar(range(out.shape[1]), out[i], color=COLORS["green"])
        ax1.set(xlabel="feature", ylabel="value", title="weighted sum of values")
        return fig
