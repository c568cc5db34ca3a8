"""Real English text that ships with Python, as characters (chapters 15–17).

Every CPython installation carries the prose of its reference documentation in the
standard-library module ``pydoc_data.topics`` (it is what ``help("with")`` prints):
about eighty topics, from "assert" to "yield", some 460 000 characters. We keep the prose
paragraphs (grammar rules, code examples and tables are indented and dropped), join the
wrapped lines, and keep printable ASCII (typographic quotes and dashes become ASCII). What
remains is about 250 000 characters of edited technical English.

The text is the Python documentation, © Python Software Foundation, distributed with
Python under the PSF License Agreement; nothing is downloaded or copied into this
repository — it is read from the running interpreter. Its exact content changes a little
between Python versions; :func:`corpus_fingerprint` names what a model was trained on.

A **held-out split** by topic: every 8th topic (in sorted order, starting at the 4th) is
validation text, so no validation paragraph is also a training paragraph.

Tokens are characters: :class:`CharTokenizer` maps the ~95 characters of the corpus to ids.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = [
    "CharTokenizer",
    "TextCorpus",
    "corpus_fingerprint",
    "lm_batch",
    "load_corpus",
    "prose_paragraphs",
]

_ASCII = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2014": "--",
          "\u2013": "-", "\u2026": "...", "\u00df": "ss", "\u00b0": " degrees"}
_RULE = re.compile(r"[*=\-~^+|]+")
VAL_EVERY, VAL_START = 8, 3


def _blocks(text: str) -> Iterator[list[str]]:
    """Runs of non-blank lines."""
    block: list[str] = []
    for line in text.splitlines() + [""]:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []


def _is_prose(block: list[str]) -> bool:
    first = block[0]
    if len(first) - len(first.lstrip()) > 2:  # literal blocks (code, grammar) are indented
        return False
    if _RULE.fullmatch(first.strip()) or first.lstrip().startswith(("+-", "|")):
        return False  # a rule line or a table
    if len(block) == 2 and _RULE.fullmatch(block[1].strip()):
        return False  # a heading and its underline
    return not any(">>>" in line or "::=" in line for line in block)


def prose_paragraphs(text: str, *, min_chars: int = 40) -> list[str]:
    """The prose paragraphs of one documentation topic, unwrapped, in printable ASCII."""
    out = []
    for block in _blocks(text):
        if not _is_prose(block):
            continue
        s = " ".join(line.strip() for line in block)
        s = "".join(_ASCII.get(c, c) for c in s)
        s = re.sub(r"\s+", " ", "".join(c for c in s if " " <= c <= "~")).strip()
        if len(s) >= min_chars:
            out.append(s)
    return out


@dataclass(frozen=True)
class TextCorpus:
    """The training and validation text (one paragraph per line) and their topics."""

    train: str
    val: str
    train_topics: tuple[str, ...]
    val_topics: tuple[str, ...]


def load_corpus() -> TextCorpus:
    """Read ``pydoc_data.topics`` from this Python and split it by topic (see module)."""
    from pydoc_data.topics import topics

    parts: dict[bool, list[str]] = {True: [], False: []}
    names: dict[bool, list[str]] = {True: [], False: []}
    for i, name in enumerate(sorted(topics)):
        is_val = i % VAL_EVERY == VAL_START
        paras = prose_paragraphs(topics[name])
        if paras:
            parts[is_val].extend(paras)
            names[is_val].append(name)
    return TextCorpus("\n".join(parts[False]) + "\n", "\n".join(parts[True]) + "\n",
                      tuple(names[False]), tuple(names[True]))


def corpus_fingerprint(corpus: TextCorpus) -> str:
    """The first 12 hex digits of the SHA-256 of the training and validation text."""
    return hashlib.sha256((corpus.train + "\x00" + corpus.val).encode()).hexdigest()[:12]


class CharTokenizer:
    """Characters ↔ ids. ``alphabet`` is the string of known characters, id = index.

    ``encode`` raises a ``ValueError`` naming the first unknown character.
    """

    def __init__(self, alphabet: str) -> None:
        if len(set(alphabet)) != len(alphabet) or not alphabet:
            raise ValueError(f"alphabet must be non-empty without repeats, got {alphabet!r}")
        self.alphabet = alphabet
        self._ids = {c: i for i, c in enumerate(alphabet)}

    @classmethod
    def ascii(cls) -> CharTokenizer:
        """The newline and the 95 printable ASCII characters: 96 ids, the same on every Python."""
        return cls("\n" + "".join(chr(c) for c in range(32, 127)))

    @classmethod
    def from_text(cls, *texts: str) -> CharTokenizer:
        """The sorted set of characters of ``texts``."""
        return cls("".join(sorted(set("".join(texts)))))

    @property
    def vocab_size(self) -> int:
        return len(self.alphabet)

    def encode(self, text: str) -> Tensor:
        """``str`` of length N → ids ``(N,)`` int64."""
        try:
            return torch.tensor([self._ids[c] for c in text], dtype=torch.long)
        except KeyError as e:
            raise ValueError(f"text holds a character outside the alphabet: "
                             f"{e.args[0]!r}") from None

    def decode(self, ids: Tensor | list[int]) -> str:
        """ids ``(N,)`` → ``str``."""
        seq = ids.tolist() if isinstance(ids, Tensor) else list(ids)
        return "".join(self.alphabet[i] for i in seq)


def lm_batch(data: Tensor, batch_size: int, n: int, generator: torch.Generator
             ) -> tuple[Tensor, Tensor]:
    """Random windows of a token stream: inputs ``(B, n)`` and next-token targets ``(B, n)``."""
    if data.dim() != 1 or not 1 <= n < data.numel():
        raise ValueError(f"data must be a 1-D stream longer than n={n}, got shape "
                         f"{tuple(data.shape)}")
    start = torch.randint(data.numel() - n, (batch_size,), generator=generator)  # (B,)
    idx = start[:, None] + torch.arange(n + 1)  # (B, n + 1)
    window = data[idx]  # (B, n + 1)
    return window[:, :-1], window[:, 1:]
