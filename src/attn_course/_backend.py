"""Array helpers shared by the math modules: one implementation for NumPy and torch.

The core functions are written once against the Array API (through
``array_api_compat``), so the same code runs on ``numpy.ndarray`` and
``torch.Tensor`` inputs and returns the kind it was given. This module holds the
small pieces they share: finding the namespace, moving a mask to the same kind as
the scores, and the shape checks that turn bad input into a clear ``ValueError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from array_api_compat import array_namespace, is_numpy_array, is_torch_array

__all__ = [
    "Array",
    "array_namespace",
    "as_float",
    "as_like",
    "broadcast_shapes_or_raise",
    "is_torch",
    "shape_of",
]

Array = Any
"""A ``numpy.ndarray`` or a ``torch.Tensor``: the type every core function accepts and returns."""


def is_torch(x: Array) -> bool:
    """True when ``x`` is a ``torch.Tensor``."""
    return is_torch_array(x)


def shape_of(x: Array) -> tuple[int, ...]:
    """The shape of ``x`` as a plain tuple of ints (works for NumPy and torch)."""
    return tuple(int(s) for s in x.shape)


def as_float(x: Array) -> Array:
    """``x`` with a real floating dtype: integer or boolean arrays become float64 (NumPy) or
    float32 (torch), the default float of each library; floating arrays are returned as is.

    The one promotion rule of the core functions (softmax, online softmax, …).
    """
    xp = array_namespace(x)
    if xp.isdtype(x.dtype, "real floating"):
        return x
    return xp.astype(x, xp.float32 if is_torch_array(x) else xp.float64)


def as_like(x: Array, like: Array, *, dtype: Any = None) -> Array:
    """Return ``x`` as the same kind of array as ``like`` (NumPy or torch, same device).

    Python scalars, lists, NumPy arrays and tensors are accepted. Booleans stay
    boolean unless ``dtype`` is given.
    """
    if is_torch_array(like):
        import torch

        if is_torch_array(x):
            t = x.to(like.device)
        else:
            t = torch.as_tensor(np.asarray(x), device=like.device)
        return t if dtype is None else t.to(dtype)
    if is_numpy_array(like) or isinstance(like, np.generic):
        if is_torch_array(x):
            x = x.detach().cpu().numpy()
        a = np.asarray(x)
        return a if dtype is None else a.astype(dtype)
    raise TypeError(f"expected a numpy.ndarray or torch.Tensor, got {type(like).__name__}")


def broadcast_shapes_or_raise(name: str, shape: tuple[int, ...], target: tuple[int, ...]) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``shape`` broadcasts to ``target``."""
    try:
        out = np.broadcast_shapes(tuple(shape), tuple(target))
    except ValueError:
        out = None
    if out != tuple(target):
        raise ValueError(
            f"{name} with shape {tuple(shape)} does not broadcast to the scores' shape "
            f"{tuple(target)}"
        )
