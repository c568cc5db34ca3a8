"""Array helpers shared by the math modules: one implementation for NumPy and torch.

The core functions are written once against the Array API (through
``array_api_compat``), so the same code runs on ``numpy.ndarray`` and
``torch.Tensor`` inputs and returns the kind it was given. This module holds the
small pieces they share, and with them the package's rules for unusual input:

- **dtype**: :func:`as_floats` brings the inputs of a function to their common floating
  dtype (integers and booleans become the library's default float: ``float64`` in NumPy,
  ``torch.get_default_dtype()`` — ``float32`` — in torch; a Python constant never promotes);
  the result has that dtype. Half types (``float16``, ``bfloat16``) are *computed* in
  ``float32`` (:func:`compute_dtype`) and returned in their own dtype, as torch's fused
  kernels do.
- **empty input**: :func:`max_keepdims` gives ``−∞`` (the identity of the maximum) over an
  empty axis, so every reduction built on it turns empty input into empty output.
- **arguments**: :func:`check_int` and :func:`broadcast_shapes_or_raise` turn a bad
  argument into a ``ValueError`` that names it.

The mask rule is in :mod:`attn_course.core.masks`, the softmax's NaN and ``±∞`` rules in
:mod:`attn_course.core.softmax`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from array_api_compat import array_namespace, is_numpy_array, is_torch_array
from array_api_compat import device as device_of

__all__ = [
    "Array",
    "array_namespace",
    "as_array",
    "as_float",
    "as_floats",
    "as_like",
    "broadcast_shapes_or_raise",
    "cast",
    "check_axis",
    "check_int",
    "check_module_input",
    "check_scale",
    "compute_dtype",
    "device_of",
    "is_torch",
    "max_keepdims",
    "quiet",
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


def as_array(x: Any, name: str = "x") -> Array:
    """``x`` if it is a NumPy array or a torch tensor; a number or a (nested) list becomes a
    NumPy array. Anything else (strings, objects, ragged lists) is a ``ValueError``."""
    if is_torch_array(x) or is_numpy_array(x):
        return x
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):
        a = None
    if a is None or a.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a NumPy array, a torch tensor or a list of numbers, "
                         f"got {type(x).__name__}")
    return a


def _default_float(x: Array) -> Any:
    if is_torch_array(x):
        import torch

        return torch.get_default_dtype()
    return np.float64


def _is_float(x: Array) -> bool:
    return array_namespace(x).isdtype(x.dtype, "real floating")


def as_float(x: Array, name: str = "x") -> Array:
    """``x`` with a real floating dtype: integer or boolean arrays become float64 (NumPy) or
    torch's default float (``float32``); floating arrays are returned as they are.

    The one promotion rule of the core functions, for a single input (see :func:`as_floats`).
    """
    x = as_array(x, name)
    if _is_float(x):
        return x
    return array_namespace(x).astype(x, _default_float(x))


def as_floats(*named: tuple[str, Any]) -> list[Array]:
    """Several inputs ``(name, array)`` in their common floating dtype (the one dtype rule).

    Integers and booleans count as the library's default float; floating dtypes promote as
    the library promotes them (``float16`` with ``float32`` gives ``float32``).

    Raises:
        ValueError: when NumPy arrays and torch tensors are mixed, or tensors live on
            different devices (naming the arguments).
    """
    arrays = [as_array(a, n) for n, a in named]
    torch_flags = {is_torch_array(a) for a in arrays}
    if len(torch_flags) > 1:
        kinds = ", ".join(f"{n} {type(a).__module__}.{type(a).__name__}"
                          for (n, _), a in zip(named, arrays))
        raise ValueError(f"inputs must all be NumPy arrays or all torch tensors, got {kinds}")
    floats = [as_float(a) for a in arrays]
    if torch_flags == {True}:
        import torch

        devices = {a.device for a in floats}
        if len(devices) > 1:
            where = ", ".join(f"{n} on {a.device}" for (n, _), a in zip(named, floats))
            raise ValueError(f"inputs must be on one device, got {where}")
        dtype = floats[0].dtype
        for a in floats[1:]:
            dtype = torch.promote_types(dtype, a.dtype)
        return [a if a.dtype == dtype else a.to(dtype) for a in floats]
    dtype = np.result_type(*floats)
    return [a if a.dtype == dtype else a.astype(dtype) for a in floats]


def compute_dtype(x: Array) -> Any:
    """The dtype ``x``'s arithmetic runs in: ``float32`` for the half types (``float16``,
    ``bfloat16``), ``x``'s own floating dtype otherwise."""
    if is_torch_array(x):
        import torch

        return torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    return np.float32 if x.dtype == np.float16 else x.dtype


def cast(x: Array, dtype: Any) -> Array:
    """``x`` in ``dtype`` (no copy when it already is)."""
    if x.dtype == dtype:
        return x
    return x.to(dtype) if is_torch_array(x) else x.astype(dtype)


def as_like(x: Array, like: Array, *, dtype: Any = None, name: str = "x") -> Array:
    """Return ``x`` as the same kind of array as ``like`` (NumPy or torch, same device).

    Python scalars, lists, NumPy arrays (any strides) and tensors are accepted. Booleans
    stay boolean unless ``dtype`` is given.
    """
    if is_torch_array(like):
        import torch

        if is_torch_array(x):
            t = x.to(like.device)
        else:  # torch cannot view negative NumPy strides: copy those
            t = torch.as_tensor(np.ascontiguousarray(as_array(x, name)), device=like.device)
        return t if dtype is None else t.to(dtype)
    if is_numpy_array(like) or isinstance(like, np.generic):
        if is_torch_array(x):
            x = x.detach().cpu().numpy()
        a = as_array(x, name)
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


def check_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """``value`` as a Python int, or a ``ValueError`` naming ``name``.

    Python and NumPy integers and 0-d integer tensors are accepted; booleans, floats (even
    ``2.0``), strings and sequences are not.
    """
    if is_torch_array(value):
        import torch

        ok = value.ndim == 0 and not (value.is_floating_point() or value.is_complex()
                                      or value.dtype == torch.bool)
    else:
        ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    bound = "" if minimum is None else f" ≥ {minimum}"
    if not ok:
        raise ValueError(f"{name} must be an integer{bound}, got {value!r}")
    v = int(value)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be an integer{bound}, got {v}")
    return v


def check_axis(x: Array, axis: Any, name: str = "x") -> int:
    """``axis`` as a non-negative index into ``x``'s axes, or a ``ValueError`` naming it."""
    ndim = len(shape_of(x))
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or \
            not -ndim <= axis < ndim:
        raise ValueError(f"axis must be an integer in [-{ndim}, {ndim}) for {name} with shape "
                         f"{shape_of(x)}, got {axis!r}")
    return int(axis) % ndim


def check_module_input(name: str, t: Any, weight: Any) -> None:
    """A ``ValueError`` naming ``name`` unless ``t`` is a floating tensor in the dtype and on
    the device of the module parameter ``weight`` (what ``torch.nn.Linear`` would otherwise
    refuse with a ``RuntimeError``)."""
    if not is_torch_array(t):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if t.dtype != weight.dtype or t.device != weight.device:
        raise ValueError(
            f"{name} has dtype {t.dtype} on {t.device} with shape {tuple(t.shape)}, but the "
            f"module's parameters are {weight.dtype} on {weight.device}: convert one of them "
            f"(module.to(...) or {name}.to(...))"
        )


def check_scale(scale: Any, d_k: int) -> float:
    """The scores' multiplier: ``1 / √d_k`` for ``None`` (1 when ``d_k = 0``), else ``scale``
    as a finite float, or a ``ValueError`` naming it."""
    if scale is None:
        return 1.0 / math.sqrt(d_k) if d_k > 0 else 1.0
    try:
        s = float(scale)
    except (TypeError, ValueError):
        s = math.nan
    if not math.isfinite(s):
        raise ValueError(f"scale must be a finite number, got {scale!r}")
    return s


def max_keepdims(x: Array, axis: int) -> Array:
    """The maximum along ``axis``, kept as a size-1 axis; ``−∞`` over an empty axis.

    ``−∞`` is the identity of the maximum, so a softmax or log-sum-exp over zero entries
    needs no special case: empty in gives empty out (the one empty-input rule). A NaN in a
    row makes its maximum NaN (NumPy and torch both propagate it).
    """
    xp = array_namespace(x)
    shape = list(shape_of(x))
    if shape[axis] == 0:
        shape[axis] = 1
        return xp.full(tuple(shape), -math.inf, dtype=x.dtype, device=device_of(x))
    return xp.max(x, axis=axis, keepdims=True)


def quiet() -> Any:
    """A context that silences NumPy's floating-point warnings for arithmetic that produces
    ``±∞`` or NaN on purpose (``∞ − ∞`` of a ``+∞`` logit, ``log 0``); torch never warns."""
    return np.errstate(all="ignore")
