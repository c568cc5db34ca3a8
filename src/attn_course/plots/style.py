"""The shared look of every figure in the book.

- ``COLORS``: the Okabe–Ito palette (safe for the common kinds of colour blindness).
- ``CMAP``: ``"viridis"``, perceptually uniform and colourblind-safe, for heatmaps.
- Figures get an opaque white background so they stay readable in the book's dark theme.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

__all__ = ["CMAP", "COLORS", "attention_heatmap", "new_figure", "to_numpy"]

COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
PALETTE = [COLORS[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]
CMAP = "viridis"

plt.rcParams.update(
    {
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "figure.dpi": 100,
    }
)


def _figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure, for IPython's display machinery."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return buf.getvalue()


def _register_ipython_display() -> None:
    """Let a bare ``Figure`` (built without pyplot) display as a PNG in notebooks."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there in the course env
        return
    ip = get_ipython()
    if ip is not None:
        ip.display_formatter.formatters["image/png"].for_type(Figure, _figure_png)


_register_ipython_display()


def to_numpy(x: Any) -> np.ndarray:
    """A NumPy copy of an array or (detached) torch tensor."""
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.2,
               **kw: Any) -> tuple[Figure, Any]:
    """A figure with ``nrows × ncols`` axes of the book's default size (not shown by pyplot).

    Figures are built with ``matplotlib.figure.Figure`` directly, so nothing is
    left open in pyplot's global state; notebooks display the returned Figure.
    """
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def attention_heatmap(
    weights: Any,
    *,
    x_labels: Sequence[str] | None = None,
    y_labels: Sequence[str] | None = None,
    title: str = "Attention weights",
    xlabel: str = "key",
    ylabel: str = "query",
    annotate: bool = False,
    ax: Any = None,
) -> Figure:
    """Heatmap of a ``(n_q, n_k)`` weight matrix: rows are queries, columns keys."""
    w = to_numpy(weights)
    if w.ndim != 2:
        raise ValueError(f"weights must have shape (n_q, n_k), got {w.shape}")
    if ax is None:
        # grow with the matrix, but stay within a page-sized 9 × 7 inches
        fig, ax = new_figure(width=min(9.0, max(3.0, 0.45 * w.shape[1] + 1.5)),
                             height=min(7.0, max(2.5, 0.4 * w.shape[0] + 1.0)))
    else:
        fig = ax.figure
    im = ax.imshow(w, cmap=CMAP, vmin=0.0, vmax=max(1e-12, float(w.max())), aspect="auto")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if x_labels is not None:
        ax.set_xticks(range(len(x_labels)), list(x_labels), rotation=45, ha="right")
    if y_labels is not None:
        ax.set_yticks(range(len(y_labels)), list(y_labels))
    if annotate:
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                ax.text(j, i, f"{w[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if w[i, j] < 0.6 * w.max() else "black")
    fig.colorbar(im, ax=ax, label="weight")
    return fig
