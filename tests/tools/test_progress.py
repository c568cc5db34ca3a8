"""The package's one progress bar: shown to a person, kept out of the built book."""

from __future__ import annotations

import pytest

from attn_course.tools.progress import BOOK_BUILD, progress


def test_progress_counts_and_draws_outside_the_book_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BOOK_BUILD, raising=False)
    bar = progress(range(3), desc="x")
    assert not bar.disable
    assert list(bar) == [0, 1, 2]


def test_progress_is_disabled_text_bar_during_the_book_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tqdm.std import tqdm as text_tqdm

    monkeypatch.setenv(BOOK_BUILD, "1")
    bar = progress(range(4))
    assert bar.disable
    assert list(bar) == [0, 1, 2, 3]
    # A text bar, never a notebook widget: nothing is saved into the page.
    assert type(bar) is text_tqdm
    with progress(total=5) as manual:
        assert manual.disable
        manual.update(5)  # a no-op, not an error
