"""Figures for chapter 14: scores as a function of offset, and length extrapolation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .style import CMAP, COLORS, PALETTE, new_figure, to_numpy

__all__ = ["plot_extrapolation", "plot_learned_similarity", "plot_near_attention",
           "plot_offset_profiles"]


def plot_offset_profiles(offsets: Sequence[int], sinusoidal: Any, rope: Mapping[str, Any],
                         alibi: Mapping[str, Any]) -> Figure:
    """Three panels of score vs offset ``Δ = n − m``: sinusoidal ``PE·PE``, RoPE for a few
    content vectors, ALiBi's bias for a few heads."""
    fig, (a0, a1, a2) = new_figure(3, width=3.6, height=3.2)
    x = np.asarray(offsets)
    a0.plot(x, to_numpy(sinusoidal), color=COLORS["blue"])
    a0.set(title="Sinusoidal: PE(m)·PE(m+Δ)", xlabel="offset Δ", ylabel="score (normalised)")
    for (label, y), c in zip(rope.items(), PALETTE):
        a1.plot(x, to_numpy(y), color=c, label=label)
    a1.set(title="RoPE: R_m c · R_(m+Δ) c", xlabel="offset Δ", ylabel="score / |c|²")
    a1.legend(fontsize=7)
    for (label, y), c in zip(alibi.items(), PALETTE):
        a2.plot(x, to_numpy(y), color=c, label=label)
    a2.set(title="ALiBi: bias −slope·|Δ|", xlabel="offset Δ", ylabel="added to the score")
    a2.legend(fontsize=7)
    return fig


def plot_learned_similarity(P: Any, *, train_len: int) -> Figure:
    """Cosine similarity between the learned position vectors ``P (max_len, d_model)``."""
    p = to_numpy(P)
    p = p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-12)
    fig, ax = new_figure(width=4.4, height=3.8)
    im = ax.imshow(p @ p.T, cmap=CMAP, vmin=-1, vmax=1)
    ax.axvline(train_len - 0.5, color="white", ls="--", lw=1)
    ax.axhline(train_len - 0.5, color="white", ls="--", lw=1)
    ax.set(title=f"Learned positions: cosine similarity\n(dashed: trained up to {train_len})",
           xlabel="position n", ylabel="position m")
    fig.colorbar(im, ax=ax, label="cos(P_m, P_n)")
    return fig


def plot_extrapolation(lengths: Sequence[int], accuracy: Mapping[str, Sequence[float]], *,
                       train_len: int, chance: float,
                       spread: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None
                       ) -> Figure:
    """Accuracy vs test length, one line per method (the mean over seeds); ``spread`` maps a
    method to ``(lowest, highest)`` per length, drawn as a band; the training length marked."""
    fig, ax = new_figure(width=5.4, height=3.6)
    for (name, acc), c in zip(accuracy.items(), PALETTE):
        ax.plot(lengths, acc, "o-", color=c, label=name)
        if spread is not None and name in spread:
            lo, hi = spread[name]
            ax.fill_between(lengths, lo, hi, color=c, alpha=0.18, lw=0)
    ax.axvline(train_len, color=COLORS["black"], ls=":", label=f"training length {train_len}")
    ax.axhline(chance, color=COLORS["black"], ls="--", lw=0.8, label="always the majority class")
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(lengths), [str(n) for n in lengths])
    ax.minorticks_off()
    ax.set(xlabel="test sequence length (log)", ylabel="per-position accuracy",
           title="Length extrapolation" + (" (mean; band: lowest to highest seed)"
                                           if spread else ""))
    ax.legend(fontsize=7, loc="lower left")
    return fig


def plot_near_attention(lengths: Sequence[int], share: Mapping[str, Sequence[float]], *,
                        train_len: int, max_offset: int) -> Figure:
    """Share of the attention on the ``max_offset + 1`` nearest keys vs sequence length."""
    fig, ax = new_figure(width=5.0, height=3.4)
    for (name, y), c in zip(share.items(), PALETTE):
        ax.plot(lengths, y, "o-", color=c, label=name)
    ax.axvline(train_len, color=COLORS["black"], ls=":", label=f"training length {train_len}")
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(lengths), [str(n) for n in lengths])
    ax.minorticks_off()
    ax.set_ylim(0, None)
    ax.set(xlabel="sequence length (log)",
           ylabel=f"attention on offsets 0–{max_offset}",
           title="How much attention stays where the answer is")
    ax.legend(fontsize=7)
    return fig
