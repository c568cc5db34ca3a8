"""Byte-pair encoding, merge by merge (chapter 15): how many positions a text takes.

The merges of a trained :class:`~attn_course.data.bpe.BPETokenizer` are shipped with a few
sentences; the reader moves the number of merges used and picks a sentence, and the browser
re-encodes it (``views/js/math/bpe.js``, the same rule as
:meth:`BPETokenizer.encode <attn_course.data.bpe.BPETokenizer.encode>`) and shows its tokens
and how many positions per character it needs. Sentences are printable ASCII (the browser
splits pieces with ASCII character classes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import traitlets

from ..data.bpe import BPETokenizer
from ._base import AttnView

__all__ = ["BpeView"]

_ASCII = set("\n" + "".join(chr(c) for c in range(32, 127)))
_DEMO = ("The value of the expression is the value of the last item; the values of the "
         "earlier items are evaluated first, and then the value of the last one is returned.")


class BpeView(AttnView):
    """A slider for the number of merges used and a choice of sentence.

    Args:
        merges: ``[(a, b), …]`` a trained tokenizer's merges (merge ``i`` makes id ``256 + i``).
        texts: the sentences to encode (printable ASCII and newlines, at most 2,000
            characters each).
        n_merges: the first number of merges used (default: all).
        text: the index of the first sentence shown.

    Readout: ``ids`` (the encoding), ``n_tokens``, ``n_chars``, ``tokens_per_char``.
    """

    view_name = "bpe"
    _view_js = "bpe.js"

    merges = traitlets.List(traitlets.List(traitlets.Int())).tag(sync=True, role="data")
    texts = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")
    n_merges = traitlets.Int(0).tag(sync=True, role="param")
    text = traitlets.Int(0).tag(sync=True, role="param")

    def __init__(self, merges: Sequence[tuple[int, int]], texts: Sequence[str], *,
                 n_merges: int | None = None, text: int = 0,
                 title: str = "Byte-pair encoding: tokens of a sentence") -> None:
        pairs = BPETokenizer(merges).merges  # checks that each merge joins earlier ids
        if isinstance(texts, str) or not texts:
            raise ValueError("texts must be a non-empty list of strings")
        for i, t in enumerate(texts):
            if not isinstance(t, str) or not 0 < len(t) <= 2000 or set(t) - _ASCII:
                raise ValueError(f"texts[{i}] must be 1 to 2,000 printable ASCII characters, "
                                 f"got {t!r:.60}")
        n = len(pairs) if n_merges is None else n_merges
        if not 0 <= n <= len(pairs):
            raise ValueError(f"n_merges must be in 0 … {len(pairs)}, got {n_merges}")
        if not 0 <= text < len(texts):
            raise ValueError(f"text must index texts (0 … {len(texts) - 1}), got {text}")
        super().__init__(merges=[list(p) for p in pairs], texts=list(texts), n_merges=int(n),
                         text=int(text), title=title)

    @classmethod
    def demo(cls) -> BpeView:
        tok = BPETokenizer.train(_DEMO, 40)
        return cls(tok.merges, [_DEMO, "the value of the values"], n_merges=20)

    def readout(self) -> dict[str, Any]:
        sentence = self.texts[self.text]
        ids = BPETokenizer(self.merges[:self.n_merges]).encode(sentence).tolist()
        return {"ids": ids, "n_tokens": len(ids), "n_chars": len(sentence),
                "tokens_per_char": len(ids) / len(sentence)}

    def fallback_figure(self) -> Any:
        from ..plots.style import new_figure

        sentence = self.texts[self.text]
        steps = sorted({round(len(self.merges) * f) for f in (0, 0.125, 0.25, 0.5, 0.75, 1)})
        per_char = [len(BPETokenizer(self.merges[:k]).encode(sentence)) / len(sentence)
                    for k in steps]
        fig, ax = new_figure(1, width=4.4, height=2.6)
        ax.plot(steps, per_char, marker="o")
        ax.set(xlabel="merges used", ylabel="tokens per character",
               title=f"sentence {self.text + 1}: {len(sentence)} characters")
        return fig
