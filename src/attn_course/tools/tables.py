"""Small result tables for the book: a list of rows → a Markdown table string.

Notebooks wrap the string in ``IPython.display.Markdown`` and glue it, so a table in
the book is produced by the notebook's own run, like every number in the prose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["markdown_table"]


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], *, formats: Sequence[str] | None = None
) -> str:
    """A GitHub/MyST Markdown table.

    Args:
        header: column titles.
        rows: one sequence of cells per row, each as long as ``header``.
        formats: optional format spec per column (e.g. ``".3f"``, ``","``, ``""``);
            a cell that is ``None`` prints as an em dash.

    Raises:
        ValueError: if a row or ``formats`` does not have one entry per column.
    """
    n = len(header)
    if formats is None:
        formats = [""] * n
    if len(formats) != n:
        raise ValueError(f"formats must have {n} entries (one per column), got {len(formats)}")
    lines = ["| " + " | ".join(str(h) for h in header) + " |",
             "|" + "|".join(" --- " for _ in header) + "|"]
    for i, row in enumerate(rows):
        if len(row) != n:
            raise ValueError(f"row {i} has {len(row)} cells, expected {n} (the header's length)")
        cells = ["—" if v is None else format(v, f) for v, f in zip(row, formats)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
