"""A byte-level byte-pair-encoding (BPE) tokenizer, trained in seconds (chapter 15).

Byte-pair encoding (Sennrich et al. 2016, after Gage's 1994 compression scheme) starts from
a base vocabulary and repeatedly **merges the most frequent adjacent pair** of tokens into a
new token. Byte-level BPE (GPT-2, Radford et al. 2019) starts from the 256 byte values of the
UTF-8 encoding, so every string has an encoding and no token is ever unknown.

Conventions here:

- Ids ``0 … 255`` are the bytes; merge ``i`` (from 0) creates id ``256 + i``.
- Pair counts are the plain adjacent-pair counts of the current token sequences, so a run
  ``a a a`` counts the pair ``(a, a)`` twice; a merge replaces occurrences left to right.
- **Ties** between equally frequent pairs go to the smallest ``(a, b)`` in id order: the
  training is deterministic and does not depend on dictionary order.
- With ``split=True`` (the default) the text is first cut into pieces by :func:`pre_split`
  — a letter run with its leading space, a digit run, a punctuation run, whitespace — and
  merges never cross a piece boundary, as in GPT-2. With ``split=False`` the whole text is
  one sequence.
- Training counts each distinct piece once with its frequency and updates the pair counts
  incrementally (only the pieces holding the merged pair are rewritten); the next pair comes
  from a heap. The result is identical to recounting every pair after every merge.

``decode`` joins the tokens' bytes and decodes them as UTF-8; a sequence of ids that cuts a
multi-byte character in two decodes it as U+FFFD (``errors="replace"``), so
``decode(encode(s)) == s`` for every string ``s``, but not every id sequence is a string.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable

import torch
from torch import Tensor

__all__ = ["BPETokenizer", "bpe_merges", "pre_split"]

# Letters (Unicode, without digits and "_"), digits, punctuation and "_", whitespace. The
# alternatives cover every character, so the pieces always join back to the text.
_PIECE = re.compile(r" ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+")


def pre_split(text: str) -> list[str]:
    """Cut ``text`` into the pieces merges stay inside; ``"".join(pre_split(s)) == s``.

    A piece is a run of letters, of digits or of other non-space characters, each with at
    most one leading space, or a run of whitespace; a whitespace run before a non-space
    leaves its last character out (a space joins the next piece, as in GPT-2).
    ``pre_split("Hi, you  2")`` is ``["Hi", ",", " you", " ", " 2"]``.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    return _PIECE.findall(text)


def _merge(seq: list[int], a: int, b: int, new: int) -> list[int]:
    """``seq`` with every ``(a, b)``, scanned left to right, replaced by ``new``."""
    out, i, n = [], 0, len(seq)
    while i < n:
        if i + 1 < n and seq[i] == a and seq[i + 1] == b:
            out.append(new)
            i += 2
        else:
            out.append(seq[i])
            i += 1
    return out


def _utf8(text: str, name: str = "text") -> bytes:
    if not isinstance(text, str):
        raise ValueError(f"{name} must be a str, got {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate
        raise ValueError(f"{name} holds a character UTF-8 cannot encode: "
                         f"{text[e.start]!r} at index {e.start}") from None


def bpe_merges(pieces: Iterable[bytes], n_merges: int) -> list[tuple[int, int]]:
    """Train BPE: the pairs merged, in order (merge ``i`` makes id ``256 + i``).

    Args:
        pieces: byte strings that merges must not cross (repeats count: pass the pieces of
            the whole text).
        n_merges: how many merges to learn, >= 0. Fewer are returned when no adjacent pair
            is left.

    Returns:
        ``[(a, b), …]`` of length ``<= n_merges``: the ids merged at each step.
    """
    if isinstance(n_merges, bool) or not isinstance(n_merges, int) or n_merges < 0:
        raise ValueError(f"n_merges must be an int >= 0, got {n_merges!r}")
    pieces = list(pieces)
    bad = next((p for p in pieces if not isinstance(p, (bytes, bytearray))), None)
    if bad is not None:
        raise ValueError(f"pieces must be byte strings, got a {type(bad).__name__}: {bad!r}")
    freq = Counter(bytes(p) for p in pieces)
    words = [list(w) for w in freq]  # each distinct piece as a list of ids
    counts = list(freq.values())
    pairs: Counter[tuple[int, int]] = Counter()
    where: dict[tuple[int, int], set[int]] = {}  # pair -> pieces that may hold it
    for w, (seq, c) in enumerate(zip(words, counts)):
        for p in zip(seq, seq[1:]):
            pairs[p] += c
            where.setdefault(p, set()).add(w)
    heap = [(-c, a, b) for (a, b), c in pairs.items()]
    heapq.heapify(heap)
    merges: list[tuple[int, int]] = []
    while len(merges) < n_merges and heap:
        neg, a, b = heapq.heappop(heap)
        if pairs.get((a, b), 0) != -neg:  # a stale entry: the count has changed since
            continue
        new = 256 + len(merges)
        merges.append((a, b))
        changed = set()
        for w in where.pop((a, b)):
            old = words[w]
            if len(old) < 2:
                continue
            seq = _merge(old, a, b, new)
            if len(seq) == len(old):
                continue  # the pair left this piece in an earlier merge
            c = counts[w]
            for p in zip(old, old[1:]):
                pairs[p] -= c
                changed.add(p)
            for p in zip(seq, seq[1:]):
                pairs[p] += c
                changed.add(p)
                where.setdefault(p, set()).add(w)
            words[w] = seq
        for p in changed:
            if pairs[p] > 0:
                heapq.heappush(heap, (-pairs[p], *p))
            else:
                del pairs[p]
    return merges


class BPETokenizer:
    """Byte-level BPE: text ↔ ids. Build it with :meth:`train` (or from its ``merges``).

    ``vocab_size`` is ``256 + len(merges)``; ``token_bytes(i)`` is the byte string of id
    ``i``. Encoding applies the merges to each piece in the order they were learned.
    """

    def __init__(self, merges: Iterable[tuple[int, int]], *, split: bool = True) -> None:
        self.merges = [(int(a), int(b)) for a, b in merges]
        self.split = split
        self._rank: dict[tuple[int, int], int] = {}
        self._bytes = [bytes([i]) for i in range(256)]
        for i, (a, b) in enumerate(self.merges):
            if not (0 <= a < 256 + i and 0 <= b < 256 + i) or (a, b) in self._rank:
                raise ValueError(f"merges[{i}] = {(a, b)} must join two earlier ids "
                                 f"(< {256 + i}) and appear once")
            self._rank[(a, b)] = i
            self._bytes.append(self._bytes[a] + self._bytes[b])
        self._cache: dict[bytes, list[int]] = {}

    @classmethod
    def train(cls, text: str, n_merges: int, *, split: bool = True) -> BPETokenizer:
        """Learn up to ``n_merges`` merges from ``text`` (see the module for the rules)."""
        data = _utf8(text)
        pieces = [p.encode("utf-8") for p in pre_split(text)] if split else [data]
        return cls(bpe_merges(pieces, n_merges), split=split)

    @property
    def vocab_size(self) -> int:
        return 256 + len(self.merges)

    def truncated(self, n_merges: int) -> BPETokenizer:
        """The tokenizer of the first ``n_merges`` merges — what training for that many gives."""
        if not 0 <= n_merges <= len(self.merges):
            raise ValueError(f"n_merges must be in 0 … {len(self.merges)}, got {n_merges}")
        return BPETokenizer(self.merges[:n_merges], split=self.split)

    def token_bytes(self, i: int) -> bytes:
        """The bytes of id ``i``."""
        if not 0 <= i < self.vocab_size:
            raise ValueError(f"id must be in 0 … {self.vocab_size - 1}, got {i}")
        return self._bytes[i]

    def _encode_piece(self, piece: bytes) -> list[int]:
        hit = self._cache.get(piece)
        if hit is not None:
            return hit
        seq = list(piece)
        while len(seq) > 1:
            rank, pair = min((self._rank.get(p, len(self.merges)), p) for p in zip(seq, seq[1:]))
            if rank == len(self.merges):
                break  # no learned pair left in this piece
            seq = _merge(seq, *pair, 256 + rank)
        self._cache[piece] = seq
        return seq

    def encode(self, text: str) -> Tensor:
        """``str`` → ids ``(N,)`` int64, ``N <= len(text.encode("utf-8"))``."""
        data = _utf8(text)
        pieces = [p.encode("utf-8") for p in pre_split(text)] if self.split else [data]
        ids = [i for p in pieces for i in self._encode_piece(p)]
        return torch.tensor(ids, dtype=torch.long)

    def decode(self, ids: Tensor | Iterable[int]) -> str:
        """ids ``(N,)`` → ``str`` (UTF-8, a cut multi-byte character becomes U+FFFD)."""
        if isinstance(ids, Tensor):
            if ids.dim() != 1 or ids.is_floating_point() or ids.is_complex():
                raise ValueError(f"ids must be a 1-D integer tensor (N,), got shape "
                                 f"{tuple(ids.shape)} and dtype {ids.dtype}")
            seq = ids.tolist()
        else:
            seq = [int(i) for i in ids]
        bad = [i for i in seq if not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"ids must be in 0 … {self.vocab_size - 1}, got {bad[0]}")
        return b"".join(self._bytes[i] for i in seq).decode("utf-8", errors="replace")

    def tokens(self, text: str) -> list[str]:
        """The tokens of ``text`` as strings (for display; a cut character shows as U+FFFD)."""
        ids = self.encode(text).tolist()
        return [self._bytes[i].decode("utf-8", errors="replace") for i in ids]
