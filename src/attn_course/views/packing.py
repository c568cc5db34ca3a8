"""Arrays in the widget state, compactly: base64 of float32, or of 8/16-bit integers on a range.

A view's data are saved in the page (the widget state), so a long list of floats written
as JSON text (``0.012299999594688416, …``, ~20 bytes a number) makes a heavy page. A trait
declared with :class:`PackedArray` is synced as ``{"packed", "shape", "data", "lo", "hi"}``:
``data`` is base64 of little-endian

- ``"float32"``: 4 bytes a number, relative precision ``2⁻²⁴ ≈ 6e-8``;
- ``"uint16"``: 2 bytes, ``q`` standing for ``lo + q·(hi − lo)/65535``: absolute precision
  ``(hi − lo)/131070`` (``7.6e-6`` on ``[0, 1]``, invisible at the three decimals a view shows);
- ``"uint8"``: 1 byte, ``lo + q·(hi − lo)/255``: ``(hi − lo)/510`` (pixels of an image).

Values outside ``[lo, hi]`` (by more than half a step) fall back to ``"float32"``.
``hi=None`` takes the smallest power of two at or above the largest value (non-negative data
of unknown scale, e.g. a saliency map); the page then carries that ``hi``.

The trait's Python value is a plain list (flat or of rows), **already rounded** the way it
is shipped (validation rounds it), so the view's ``readout()`` computes from exactly the
numbers the browser decodes (``views/js/math/packed.js``, ``unpack``): the parity of the two
stays at float64 round-off, whatever the packing. Repacking rounded values gives the same
bytes.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import traitlets

__all__ = ["ENCODINGS", "PackedArray", "is_packed", "pack", "quantize", "unpack"]

ENCODINGS = ("float32", "uint8", "uint16")
_LEVELS = {"uint8": 255, "uint16": 65535}
_DTYPES = {"float32": "<f4", "float64": "<f8", "uint8": "u1", "uint16": "<u2"}


def _check(encoding: str, lo: float, hi: float | None) -> None:
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    if hi is None and lo != 0:
        raise ValueError(f"hi=None (a power of two fitted to the data) needs lo=0, got lo={lo!r}")
    if not (np.isfinite(lo) and (hi is None or (np.isfinite(hi) and lo < hi))):
        raise ValueError(f"need finite lo < hi, got lo={lo!r}, hi={hi!r}")


def _range(a: np.ndarray, lo: float, hi: float | None) -> tuple[float, float]:
    """``(lo, hi)``, with ``hi=None`` resolved to the power of two at or above ``a.max()``.
    (Quantized values keep the same power of two, so repacking them is lossless.)"""
    if hi is not None:
        return lo, hi
    top = float(a.max()) if a.size else 0.0
    return lo, float(2.0 ** np.ceil(np.log2(top))) if top > 0 else 1.0


def _as_array(values: Any) -> np.ndarray:
    try:
        a = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("a packed array must be numbers (a flat list or rows of equal "
                         "length)") from None
    if a.ndim > 2:
        raise ValueError(f"a packed array has one or two axes, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"a packed array must be finite (shape {a.shape})")
    return a


def _encoding_for(a: np.ndarray, encoding: str, lo: float, hi: float) -> str:
    """``encoding`` when every value lies on its range, give or take half a step (it rounds to
    the end of the range: the error stays within half a step), else float32."""
    if encoding == "float32" or a.size == 0:
        return encoding
    half = (hi - lo) / _LEVELS[encoding] / 2
    return encoding if a.min() >= lo - half and a.max() <= hi + half else "float32"


def quantize(values: Any, encoding: str = "float32", *, lo: float = 0.0,
             hi: float | None = 1.0) -> np.ndarray:
    """The values as the browser decodes them: float64, the shape of ``values`` (1 or 2 axes)."""
    _check(encoding, lo, hi)
    a = _as_array(values)
    lo, hi = _range(a, lo, hi)
    enc = _encoding_for(a, encoding, lo, hi)
    if enc == "float32":
        out = a.astype(np.float32).astype(np.float64)
        if not np.all(np.isfinite(out)):
            raise ValueError("a packed float32 array must lie within ±3.4e38")
        return out
    step = (hi - lo) / _LEVELS[enc]
    q = np.clip(np.rint((a - lo) / step), 0, _LEVELS[enc])
    return lo + q * step


def pack(values: Any, encoding: str = "float32", *, lo: float = 0.0,
         hi: float | None = 1.0) -> dict[str, Any]:
    """The JSON form of an array: ``{"packed", "shape", "data"}`` (+ ``"lo"``, ``"hi"`` for the
    integer encodings). Lossless for values :func:`quantize` returned."""
    _check(encoding, lo, hi)
    a = _as_array(values)
    lo, hi = _range(a, lo, hi)
    enc = _encoding_for(a, encoding, lo, hi)
    out: dict[str, Any] = {"packed": enc, "shape": list(a.shape)}
    if enc == "float32":
        raw = a.astype(_DTYPES[enc])
    else:
        step = (hi - lo) / _LEVELS[enc]
        raw = np.clip(np.rint((a - lo) / step), 0, _LEVELS[enc]).astype(_DTYPES[enc])
        out.update(lo=float(lo), hi=float(hi))
    out["data"] = base64.b64encode(raw.tobytes()).decode("ascii")
    return out


def unpack(obj: dict[str, Any]) -> np.ndarray:
    """The float64 array of a packed array (``views/js/math/packed.js`` ``unpack`` decodes it
    to the same numbers)."""
    enc = obj.get("packed")
    if enc not in _DTYPES:
        raise ValueError(f"unknown packing {enc!r}; expected one of {sorted(_DTYPES)}")
    shape = tuple(int(n) for n in obj["shape"])
    raw = np.frombuffer(base64.b64decode(obj["data"]), dtype=_DTYPES[enc])
    if raw.size != int(np.prod(shape)):
        raise ValueError(f"packed {enc} data has {raw.size} numbers, shape {shape} needs "
                         f"{int(np.prod(shape))}")
    if enc in _LEVELS:
        lo, hi = float(obj["lo"]), float(obj["hi"])
        return (lo + raw.astype(np.float64) * ((hi - lo) / _LEVELS[enc])).reshape(shape)
    return raw.astype(np.float64).reshape(shape)


def is_packed(x: Any) -> bool:
    """True for the JSON form of a packed array."""
    return isinstance(x, dict) and "packed" in x and "data" in x


class PackedArray(traitlets.List):
    """A trait holding a list of floats (flat, or rows of equal length), synced packed.

    Assigning rounds the values as :func:`quantize` does (so Python holds what the browser
    decodes); assigning the packed JSON form decodes it (so ``View.from_state`` accepts the
    ``data-state`` a page shows). Use it for arrays of more than a few hundred numbers::

        maps = PackedArray("uint16").tag(sync=True, role="data")   # weights in [0, 1]
        q = PackedArray("float32").tag(sync=True, role="data")     # any finite numbers

    ``encoding_from="<trait>"`` lets each instance choose: the encoding is then the value of
    that (``Unicode``) trait of the same object, ``encoding`` only its default. A view with
    many maps (snapshots over training, many examples) can so ship them as ``uint8`` (half
    the bytes of ``uint16``; error ``1/510`` on ``[0, 1]``). Declare that trait before the
    array and set it first; the view re-assigns the array when it changes, so the Python copy
    is rounded as the page carries it.
    """

    info_text = "a list of floats (synced as a packed array)"

    def __init__(self, encoding: str = "float32", *, lo: float = 0.0, hi: float | None = 1.0,
                 encoding_from: str | None = None, **kwargs: Any) -> None:
        _check(encoding, lo, hi)
        super().__init__(**kwargs)
        self.encoding, self.lo, self.hi = encoding, float(lo), None if hi is None else float(hi)
        self.encoding_from = encoding_from
        self.metadata = {**self.metadata, "to_json": self._to_json,
                         "from_json": self._from_json, "packed": encoding}

    def encoding_of(self, obj: Any) -> str:
        """The encoding ``obj``'s array is shipped in (``encoding`` unless ``encoding_from``)."""
        if self.encoding_from is None or obj is None:
            return self.encoding
        encoding = getattr(obj, self.encoding_from, None) or self.encoding
        _check(encoding, self.lo, self.hi)
        return encoding

    def validate(self, obj: Any, value: Any) -> Any:
        if is_packed(value):
            value = unpack(value).tolist()
        elif isinstance(value, np.ndarray):
            value = value.tolist()
        value = super().validate(obj, value)
        try:
            return quantize(value, self.encoding_of(obj), lo=self.lo, hi=self.hi).tolist()
        except ValueError as err:
            raise traitlets.TraitError(f"{self.name}: {err}") from None

    def _to_json(self, value: Any, widget: Any) -> dict[str, Any]:
        return pack(value, self.encoding_of(widget), lo=self.lo, hi=self.hi)

    def _from_json(self, value: Any, widget: Any) -> list:
        return unpack(value).tolist() if is_packed(value) else value
