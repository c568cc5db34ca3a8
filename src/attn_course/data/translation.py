"""A tiny rule-based language pair for chapter 8: English-like → French-like.

A source sentence is a list of noun phrases joined by ``and``; a phrase is a
determiner, an optional colour adjective and a noun::

    the red car and a dog   →   la voiture rouge et un chien

The rules a translator has to learn are the ones that make real translation
need alignment:

- a word-for-word lexicon (``car → voiture``);
- **reordering**: the adjective moves after the noun (``red car → voiture rouge``),
  so the alignment is not monotonic;
- **agreement**: the determiner and the adjective take the noun's gender
  (``the → le/la``, ``green → vert/verte``), so an output word depends on an
  input word that comes *later*.

Everything is deterministic under a seed. Sentences are lists of strings;
:class:`Vocab` turns them into padded ``LongTensor`` batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "ADJECTIVES",
    "DETERMINERS",
    "NOUNS",
    "PAD",
    "BOS",
    "EOS",
    "Vocab",
    "encode_batch",
    "make_length_test",
    "make_pairs",
    "make_split",
    "possible_lengths",
    "random_sentence",
    "source_vocab",
    "target_vocab",
    "translate",
]

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"

Pairs = list[tuple[list[str], list[str]]]
"""(source words, target words) pairs."""

# noun → (French noun, gender)
NOUNS: dict[str, tuple[str, str]] = {
    "cat": ("chat", "m"), "dog": ("chien", "m"), "bird": ("oiseau", "m"),
    "tree": ("arbre", "m"), "book": ("livre", "m"), "boat": ("bateau", "m"),
    "car": ("voiture", "f"), "house": ("maison", "f"), "flower": ("fleur", "f"),
    "table": ("table", "f"), "apple": ("pomme", "f"), "moon": ("lune", "f"),
}
# adjective → (masculine, feminine)
ADJECTIVES: dict[str, tuple[str, str]] = {
    "red": ("rouge", "rouge"), "green": ("vert", "verte"), "black": ("noir", "noire"),
    "white": ("blanc", "blanche"), "blue": ("bleu", "bleue"), "small": ("petit", "petite"),
}
DETERMINERS: dict[str, tuple[str, str]] = {"the": ("le", "la"), "a": ("un", "une")}
AND = ("and", "et")


_DET, _ADJ, _NOUN = list(DETERMINERS), list(ADJECTIVES), list(NOUNS)


def _phrase(rng: np.random.Generator, adjective: bool) -> list[str]:
    words = [_DET[rng.integers(len(_DET))]]
    if adjective:
        words.append(_ADJ[rng.integers(len(_ADJ))])
    return words + [_NOUN[rng.integers(len(_NOUN))]]


def possible_lengths(min_len: int, max_len: int) -> list[int]:
    """Sentence lengths the grammar can produce in ``[min_len, max_len]`` (all but 1 and 4).

    ``k`` phrases with ``a`` adjectives have ``3k - 1 + a`` words, ``0 ≤ a ≤ k``.
    """
    return [n for n in range(min_len, max_len + 1)
            if any(3 * k - 1 <= n <= 4 * k - 1 for k in range(1, n + 1))]


def random_sentence(length: int, rng: np.random.Generator) -> list[str]:
    """A random source sentence of exactly ``length`` words.

    The number of phrases ``k`` is drawn among those that can make ``length``;
    ``length + 1 - 3k`` of the phrases, chosen at random, get an adjective.
    """
    ks = [k for k in range(1, length + 1) if 3 * k - 1 <= length <= 4 * k - 1]
    if not ks:
        raise ValueError(f"no sentence has length {length}; see possible_lengths()")
    k = ks[rng.integers(len(ks))]
    with_adj = set(rng.choice(k, size=length + 1 - 3 * k, replace=False).tolist())
    words: list[str] = []
    for i in range(k):
        if i:
            words.append(AND[0])
        words += _phrase(rng, i in with_adj)
    return words


def translate(source: list[str]) -> list[str]:
    """The reference translation of a source sentence (the rules in the module docstring)."""
    out: list[str] = []
    i = 0
    while i < len(source):
        w = source[i]
        if w == AND[0]:
            out.append(AND[1])
            i += 1
            continue
        if w not in DETERMINERS:
            raise ValueError(f"expected a determiner at position {i}, got {w!r} in {source}")
        adj = source[i + 1] if source[i + 1] in ADJECTIVES else None
        noun = source[i + 2] if adj else source[i + 1]
        fr_noun, gender = NOUNS[noun]
        g = 0 if gender == "m" else 1
        out.append(DETERMINERS[w][g])
        out.append(fr_noun)
        if adj:
            out.append(ADJECTIVES[adj][g])
        i += 3 if adj else 2
    return out


def make_pairs(n: int, min_len: int, max_len: int, seed: int) -> list[tuple[list[str], list[str]]]:
    """``n`` (source, target) pairs, source lengths uniform over :func:`possible_lengths`."""
    lengths = possible_lengths(min_len, max_len)
    if not lengths:
        raise ValueError(f"no sentence length in [min_len={min_len}, max_len={max_len}]")
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(n):
        src = random_sentence(lengths[rng.integers(len(lengths))], rng)
        pairs.append((src, translate(src)))
    return pairs


@dataclass
class Vocab:
    """Token ↔ id maps; ids 0, 1, 2 are ``<pad>``, ``<bos>``, ``<eos>``."""

    itos: list[str]

    def __post_init__(self) -> None:
        self.stoi = {s: i for i, s in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, words: list[str]) -> list[int]:
        try:
            return [self.stoi[w] for w in words]
        except KeyError as e:
            raise ValueError(f"unknown word {e.args[0]!r} in {words}") from None

    def decode(self, ids: list[int]) -> list[str]:
        """Ids → words, stopping at the first ``<eos>`` and skipping ``<pad>``/``<bos>``."""
        out = []
        for i in ids:
            w = self.itos[int(i)]
            if w == EOS:
                break
            if w not in (PAD, BOS):
                out.append(w)
        return out


def source_vocab() -> Vocab:
    return Vocab([PAD, BOS, EOS, *DETERMINERS, *ADJECTIVES, *NOUNS, AND[0]])


def target_vocab() -> Vocab:
    words = [w for pair in DETERMINERS.values() for w in pair]
    words += sorted({w for pair in ADJECTIVES.values() for w in pair})
    words += [fr for fr, _ in NOUNS.values()] + [AND[1]]
    return Vocab([PAD, BOS, EOS, *words])


def encode_batch(sentences: list[list[str]], vocab: Vocab, *, add_eos: bool = False
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad a list of sentences into ids ``(B, N)`` and lengths ``(B,)``.

    With ``add_eos`` each sentence ends with ``<eos>`` (decoder targets).
    """
    rows = [vocab.encode(s) + ([vocab.stoi[EOS]] if add_eos else []) for s in sentences]
    lengths = torch.tensor([len(r) for r in rows])
    ids = torch.full((len(rows), int(lengths.max())), vocab.stoi[PAD], dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
    return ids, lengths


def make_split(n_train: int, n_test_per_len: int, train_lens: tuple[int, int],
               test_lens: tuple[int, int], seed: int = 0) -> tuple[Pairs, dict[int, Pairs]]:
    """Training pairs with source lengths in ``train_lens`` and test pairs per length.

    Test sentences are drawn with a different seed; a test sentence that also
    occurs in the training set is dropped, so test accuracy is measured on unseen
    sentences only. Returns ``(train, {length: pairs})``.
    """
    train = make_pairs(n_train, *train_lens, seed=seed)
    seen = {" ".join(s) for s, _ in train}
    test: dict[int, Pairs] = {}
    for length in possible_lengths(*test_lens):
        pairs = make_pairs(n_test_per_len, length, length, seed=seed + 1000 + length)
        test[length] = [p for p in pairs if " ".join(p[0]) not in seen]
    return train, test


def make_length_test(n_per_len: int, min_len: int, max_len: int, seed: int = 0
                     ) -> dict[int, Pairs]:
    """``n_per_len`` test pairs for every possible length in ``[min_len, max_len]``.

    Meant for lengths beyond the training range (chapter 8 trains on at most 18 words and
    tests on 19–30), where no test sentence can occur in the training set. The first
    ``k`` pairs of a length do not depend on ``n_per_len``, so a smaller test is a subset.
    """
    return {n: make_pairs(n_per_len, n, n, seed=seed + 2000 + n)
            for n in possible_lengths(min_len, max_len)}
