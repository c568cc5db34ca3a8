"""Plot helpers: pure functions that take arrays and return a ``matplotlib.figure.Figure``.

One module per topic; :mod:`attn_course.plots.style` holds the shared look
(colourblind-safe palette and colour map, readable on light and dark themes).
Plots never compute attention themselves: they draw what the math modules return.
"""

from .style import CMAP, COLORS, attention_heatmap, new_figure

__all__ = ["CMAP", "COLORS", "attention_heatmap", "new_figure"]
