"""Markdown that the chapters print is rendered, not shown as source (read from ``_build/html``).

A cell that ends with ``IPython.display.Markdown(...)`` (or a ``{glue:md}`` value) gives the
book Markdown to render. MyST-NB renders it as CommonMark unless told otherwise, and CommonMark
has no tables: a table then reaches the reader as one paragraph of pipes and dashes. The book
sets ``nb_render_markdown_format: myst`` in ``_config.yml``; this test reads every chapter page
and fails on Markdown table source left in the text.
"""

from __future__ import annotations

import html.parser
import re

import pytest
from browser_helpers import HTML
from test_whole_book import CHAPTERS

pytestmark = pytest.mark.browser

# A table's delimiter row, | --- | :---: | ---: |, as it reaches the page: Sphinx's smart
# quotes turn "---" into an em dash and "--" into an en dash.
DELIMITER_ROW = re.compile(r"^[ \t]*\|?(?:[ \t]*:?[-\u2013\u2014]+:?[ \t]*\|)+[ \t]*(?::?[-\u2013\u2014]+:?[ \t]*)?$",
                           re.MULTILINE)


class _Text(html.parser.HTMLParser):
    """The text of a page outside code blocks (where table source may legitimately appear)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("pre", "code", "script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("pre", "code", "script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(path: str) -> str:
    parser = _Text()
    parser.feed((HTML / path).read_text(encoding="utf-8"))
    return "".join(parser.parts)


def test_the_delimiter_pattern() -> None:
    assert DELIMITER_ROW.search("| a | b |\n|---|---:|\n| 1 | 2 |")
    assert DELIMITER_ROW.search("a | b\n:--- | ---\n")
    assert DELIMITER_ROW.search("| a | b |\n|\u2014|\u2014|\n")  # as smart quotes leave it
    assert not DELIMITER_ROW.search("| a | b |\n| 1 | 2 |")
    assert not DELIMITER_ROW.search("a sentence - with a dash --- and a pipe | here")


@pytest.mark.parametrize("path", CHAPTERS)
def test_no_table_source_in_the_text(path: str) -> None:
    found = DELIMITER_ROW.findall(page_text(path))
    assert not found, (
        f"{path}: {len(found)} Markdown table(s) shown as source instead of a table "
        "(cell output read as CommonMark?)"
    )
