"""The one progress bar of the package: every training loop and sweep goes through it.

A person running a notebook sees a bar; how bars behave while the book is built (where a
frozen widget would be saved into the page) is decided here, in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tqdm.auto import tqdm

__all__ = ["progress"]


def progress(iterable: Iterable[Any] | None = None, **kwargs: Any) -> Any:
    """A progress bar over ``iterable`` (or a manual one, with ``total=``).

    Args:
        iterable: what to loop over; ``None`` for a bar advanced with ``.update(n)``.
        **kwargs: passed to ``tqdm.auto.tqdm`` (``desc``, ``total``, ``disable``, ``leave``…).

    Returns:
        A ``tqdm.auto.tqdm`` bar, to iterate over or to use as a context manager.
    """
    return tqdm(iterable, **kwargs)
