"""Tests of ``attn_course.tools.tables``."""

from __future__ import annotations

import pytest

from attn_course.tools.tables import markdown_table


def test_markdown_table():
    t = markdown_table(["a", "b"], [[1, 0.5], [2, None]], formats=["", ".2f"])
    assert t.splitlines() == ["| a | b |", "| --- | --- |", "| 1 | 0.50 |", "| 2 | — |"]
    with pytest.raises(ValueError, match="row 0"):
        markdown_table(["a"], [[1, 2]])
