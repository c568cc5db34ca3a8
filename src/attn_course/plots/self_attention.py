"""Figures of chapter 6: Q, K, V of one sentence, self vs cross, equivariance, positions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import CMAP, COLORS, attention_heatmap, new_figure, to_numpy

__all__ = [
    "plot_equivariance",
    "plot_qkv",
    "plot_self_vs_cross",
    "plot_sinusoidal",
    "plot_weight_maps",
    "plot_weighted_sum",
]


def _matrix(ax: Any, m: np.ndarray, title: str, rows: Sequence[str] | None,
            cols: Sequence[str] | None, *, cmap: str = CMAP, vmin: float | None = None,
            vmax: float | None = None) -> Any:
    im = ax.imshow(m, cmap=cmap, aspect="auto", vmin=vmin, vmax=vmax)
    ax.set_title(title)
    if rows is not None:
        ax.set_yticks(range(len(rows)), list(rows))
    if cols is not None:
        ax.set_xticks(range(len(cols)), list(cols), rotation=60, ha="right", fontsize=8)
    return im


def plot_qkv(X: Any, Q: Any, K: Any, V: Any, tokens: Sequence[str], *,
             features: Sequence[str] | None = None, key_dims: Sequence[str] | None = None
             ) -> Figure:
    """Four heatmaps: the input ``X (N, d_model)`` and its projections ``Q, K (N, d_k)``, ``V``.

    Each panel has its own colour bar: the four matrices have different ranges (the queries
    are scaled by the head's strength).
    """
    mats = [to_numpy(a) for a in (X, Q, K, V)]
    fig, axes = new_figure(4, 1, width=3.1, height=3.0)
    cols = [features, key_dims, key_dims, features]
    names = ["X (the words)", "Q = X W_q (looks for)", "K = X W_k (offers)",
             "V = X W_v (passes on)"]
    for ax, m, name, c in zip(axes, mats, names, cols):
        im = _matrix(ax, m, name, tokens, c, vmin=min(0.0, float(m.min())),
                     vmax=max(1e-12, float(m.max())))
        ax.set_xlabel("dimension")
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle("One sentence, three roles: queries, keys and values are linear maps of X "
                 "(each panel has its own scale)")
    return fig


def plot_weight_maps(maps: Sequence[Any], labels: Sequence[Sequence[str]], *,
                     titles: Sequence[str], annotate: bool = True) -> Figure:
    """Attention-weight matrices side by side, all on one 0–1 colour scale (one colour bar).

    Args:
        maps: ``(n_q, n_k)`` weight matrices; labels: the tokens of each (rows = columns, as
            in self-attention); titles: one per panel. Cells are annotated when small.
    """
    ms = [to_numpy(m) for m in maps]
    if not ms or any(m.ndim != 2 for m in ms) or len(labels) != len(ms) or len(titles) != len(ms):
        raise ValueError(f"need matching lists of (n_q, n_k) maps, labels and titles, got "
                         f"{[m.shape for m in ms]}, {len(labels)} labels, {len(titles)} titles")
    fig, axes = new_figure(len(ms), width=3.3, height=3.2)
    axes = np.atleast_1d(axes)
    im = None
    for ax, m, lab, t in zip(axes, ms, labels, titles):
        im = _matrix(ax, m, t, lab, lab, vmin=0.0, vmax=1.0)
        ax.set_xlabel("key")
        ax.set_ylabel("query")
        if annotate and m.size <= 64:
            for i in range(m.shape[0]):
                for j in range(m.shape[1]):
                    ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=6.5,
                            color="white" if m[i, j] < 0.6 else "black")
    fig.colorbar(im, ax=list(axes), label="weight (every panel: 0 to 1)", shrink=0.8)
    return fig


def plot_weighted_sum(weights_row: Any, V: Any, out_row: Any, tokens: Sequence[str],
                      query: int, *, features: Sequence[str] | None = None) -> Figure:
    """How one output row is formed: the weights over the tokens, and ``Σ_j w_j v_j``.

    Left: bars of ``weights_row (N,)``. Right: the scaled value rows ``w_j · v_j`` and,
    below a line, the output ``out_row (d_v,)`` of token ``query`` (their sum).
    """
    w, Vm, o = to_numpy(weights_row), to_numpy(V), to_numpy(out_row)
    if w.ndim != 1 or Vm.ndim != 2 or Vm.shape[0] != w.shape[0] or o.shape != Vm.shape[1:]:
        raise ValueError(f"weights_row must be (N,), V (N, d_v) and out_row (d_v,): got "
                         f"{w.shape}, {Vm.shape}, {o.shape}")
    fig, (a0, a1) = new_figure(2, 1, width=4.2, height=3.4)
    labels = [f"{i}:{t}" for i, t in enumerate(tokens)]
    colors = [COLORS["vermillion"] if i == query else COLORS["blue"] for i in range(len(w))]
    a0.barh(range(len(w)), w, color=colors)
    a0.set_yticks(range(len(w)), labels)
    a0.invert_yaxis()
    a0.set_xlabel("attention weight")
    a0.set_title(f"Row of query {query}:'{tokens[query]}' (sums to 1)")
    stacked = np.vstack([w[:, None] * Vm, o[None]])  # (N + 1, d_v)
    im = _matrix(a1, stacked, "w_j · v_j, and their sum", labels + ["output"], features,
                 vmin=0.0)
    a1.axhline(len(w) - 0.5, color="white", lw=2)
    fig.colorbar(im, ax=a1, label="entry")
    return fig


def plot_self_vs_cross(w_self: Any, w_cross: Any, tokens_self: Sequence[str],
                       tokens_cross: Sequence[str]) -> Figure:
    """Side by side: self-attention ``(N, N)`` and cross-attention ``(n_q, n_k)`` weights."""
    fig, (a0, a1) = new_figure(2, 1, width=4.0, height=3.6)
    attention_heatmap(w_self, x_labels=tokens_self, y_labels=tokens_self, ax=a0,
                      title="Self-attention: Q, K from one sentence")
    attention_heatmap(w_cross, x_labels=tokens_self, y_labels=tokens_cross, ax=a1,
                      title="Cross-attention: Q from another sentence",
                      ylabel="query (French)", xlabel="key (English)")
    return fig


def plot_equivariance(out: Any, out_of_shuffled: Any, tokens: Sequence[str],
                      perm: Sequence[int], *, title: str = "") -> Figure:
    """The outputs of a sentence and of its shuffled copy, rows labelled by word.

    With ``out_of_shuffled[i] = out[perm[i]]`` the right panel is the left one with its
    rows reordered: nothing about the words changed, only their order.
    """
    a, b = to_numpy(out), to_numpy(out_of_shuffled)
    fig, (a0, a1) = new_figure(2, 1, width=3.6, height=3.2)
    vmax = float(max(a.max(), b.max()))
    _matrix(a0, a, "outputs, original order", [f"{i}:{t}" for i, t in enumerate(tokens)],
            None, vmin=0.0, vmax=vmax)
    im = _matrix(a1, b, "outputs, shuffled input", [f"{i}:{tokens[p]}" for i, p in
                                                   enumerate(perm)], None, vmin=0.0, vmax=vmax)
    for ax in (a0, a1):
        ax.set_xlabel("output dimension")
    fig.colorbar(im, ax=a1, label="entry")
    if title:
        fig.suptitle(title)
    return fig


def plot_sinusoidal(pe: Any, *, columns: Sequence[int] = (0, 2, 4, 6)) -> Figure:
    """Three views of a sinusoidal table ``pe (N, d_model)``.

    Left: the table as a heatmap. Middle: a few even columns (sines of falling
    frequency) against the position. Right: the similarity ``PE[i] · PE[j]``, which
    depends only on the offset ``i - j``.
    """
    P = to_numpy(pe)
    if P.ndim != 2:
        raise ValueError(f"pe must have shape (N, d_model), got {P.shape}")
    fig, (a0, a1, a2) = new_figure(3, 1, width=3.6, height=3.2)
    im = a0.imshow(P, cmap="cividis", aspect="auto", vmin=-1, vmax=1)
    a0.set_title("PE table")
    a0.set_xlabel("dimension")
    a0.set_ylabel("position")
    fig.colorbar(im, ax=a0, label="value")
    palette = [COLORS[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky")]
    for c, color in zip(columns, palette):
        a1.plot(P[:, c], color=color, label=f"dim {c}")
    a1.set_title("Columns: sines of falling frequency")
    a1.set_xlabel("position")
    a1.set_ylabel("value")
    a1.legend(fontsize=7, loc="lower left")
    sim = P @ P.T  # (N, N)
    im2 = a2.imshow(sim, cmap=CMAP, aspect="auto")
    a2.set_title("Similarity PE[i] · PE[j]")
    a2.set_xlabel("position j")
    a2.set_ylabel("position i")
    fig.colorbar(im2, ax=a2, label="dot product")
    return fig
