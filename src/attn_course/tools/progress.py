"""The one progress bar of the package: every training loop and sweep goes through it.

A person running a notebook sees a bar (``tqdm.auto``: a widget in Jupyter, text in a
terminal). While the book is built, no bar is drawn: a widget bar would be saved into the
page's widget state (a frozen bar that changes on every build), and a text bar into its
outputs. The build says so with the environment variable ``ATTN_COURSE_BOOK_BUILD``, which
``book/_ext/course_pages.py`` sets for the kernels it starts; here the bar is then disabled.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from tqdm.auto import tqdm
from tqdm.std import tqdm as text_tqdm

__all__ = ["BOOK_BUILD", "progress"]

BOOK_BUILD = "ATTN_COURSE_BOOK_BUILD"


def progress(iterable: Iterable[Any] | None = None, **kwargs: Any) -> Any:
    """A progress bar over ``iterable`` (or a manual one, with ``total=``).

    Args:
        iterable: what to loop over; ``None`` for a bar advanced with ``.update(n)``.
        **kwargs: passed to ``tqdm.auto.tqdm`` (``desc``, ``total``, ``disable``, ``leave``…).

    Returns:
        A ``tqdm`` bar to iterate over or to use as a context manager. While the book is built
        (``ATTN_COURSE_BOOK_BUILD`` set) it is a disabled text bar: it counts, draws nothing
        and saves nothing into the page.
    """
    if os.environ.get(BOOK_BUILD):
        return text_tqdm(iterable, **{**kwargs, "disable": True})
    return tqdm(iterable, **kwargs)
