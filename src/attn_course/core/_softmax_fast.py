"""The softmax at the array library's own speed (issue 20): the same contract, fewer passes.

:func:`attn_course.core.softmax.softmax_reference` is the definition the chapters teach
(mask, subtract the row maximum, divide by the temperature, exponentiate, normalise), one
Array API pass per step. The two functions here give the *same* result (held equal by
``tests/test_fast_paths.py``, values and gradients) and run at native speed:

- :func:`softmax_torch`: torch's fused softmax after one ``masked_fill``, written over the
  masked copy (or the caller's own scores) when no gradient is recorded, so a masked
  softmax allocates one input-size tensor, the output. The only difference from the
  contract — a row with nothing kept is NaN in torch, zeros here — is found from the first
  column of the output (such a row is NaN everywhere, as are rows with a NaN or ``+∞``),
  so the common case costs no extra pass; the rare bad row is repaired in place or left to
  the reference.
- :func:`softmax_numpy`: the reference's steps done in place in one float buffer (NumPy
  has no fused softmax; SciPy's allocates a temporary per step).

Both expect a floating input whose axis is checked and a mask already checked by
:func:`attn_course.core.masks.check_mask`; they return ``None`` where they leave the case to the
reference (an empty axis; see each) (then the caller runs the reference).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["softmax_numpy", "softmax_torch"]


def softmax_torch(x: Any, ax: int, t: float, mask: Any | None, *, owned: bool = False) -> Any:
    """Softmax of a floating tensor ``x`` along ``ax`` at temperature ``t``; ``None`` when
    the reference must run instead: an empty axis, a row with nothing kept while gradients
    are recorded, or a NaN row after an in-place softmax (whose logits are gone).

    ``owned=True`` says the caller made ``x`` (attention scores): the mask, the temperature
    and the softmax may then overwrite it (so, after ``None``, the caller recomputes it).
    A user's tensor is never modified.
    """
    import torch

    if x.shape[ax] == 0:
        return None  # an empty axis: the reference's −∞ maximum handles it
    z = x
    if mask is not None:  # masked → −∞: one input-size tensor (none when owned)
        z = z.masked_fill_(~mask, -math.inf) if owned else z.masked_fill(~mask, -math.inf)
        owned = True
    if t < 1.0:  # subtract the max before dividing, or z / t could overflow
        m = torch.amax(z.detach(), dim=ax, keepdim=True)  # (..., 1, ...) a constant shift
        m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))  # ±∞, NaN: no shift needed
        z = z.sub_(m).div_(t) if owned else (z - m).div_(t)
        owned = True
    elif t > 1.0:  # |z / t| ≤ |z|: no overflow; torch.softmax subtracts the max itself
        z = z.div_(t) if owned else z / t
        owned = True
    # Over its own input, as torch's multi-head attention does on the CPU (the only device
    # this is tested on; elsewhere a new buffer).
    in_place = (owned and z.device.type == "cpu"
                and not (torch.is_grad_enabled() and z.requires_grad))
    if in_place:  # no new buffer
        p = torch.ops.aten._softmax.out(z, ax, False, out=z)
    else:
        p = torch.softmax(z, dim=ax)  # half types accumulate in float32 inside the kernel
    # A row with nothing kept (or a NaN, or +∞) is NaN in every entry: look at one column.
    bad = torch.isnan(p.narrow(ax, 0, 1))  # (..., 1, ...)
    if not bool(bad.any()):
        return p
    if in_place:
        return None  # the logits are gone: the reference recomputes (rare: NaN or dead rows)
    dead = bad & (torch.amax(z, dim=ax, keepdim=True) == -math.inf)  # nothing kept → zeros
    if not bool(dead.any()):
        return p  # NaN rows stay NaN, as the contract says
    if p.requires_grad:
        return None  # zeros with zero gradients: the reference handles it
    return p.masked_fill_(dead, 0.0)


def softmax_numpy(x: np.ndarray, ax: int, t: float, mask: np.ndarray | None) -> np.ndarray | None:
    """Softmax of a float32/float64 NumPy array along ``ax``, computed in one output buffer;
    ``None`` for other dtypes and empty axes (the reference handles those)."""
    if x.dtype not in (np.float32, np.float64) or x.shape[ax] == 0:
        return None
    with np.errstate(all="ignore"):
        if mask is None:
            m = np.max(x, axis=ax, keepdims=True)  # (..., 1, ...); NaN propagates
            m[m == -math.inf] = 0.0  # a row of −∞: any finite shift
            e = np.subtract(x, m)  # the output buffer
        else:
            e = np.where(mask, x, x.dtype.type(-math.inf))  # the output buffer; masked → −∞
            m = np.max(e, axis=ax, keepdims=True)
            m[m == -math.inf] = 0.0
            e -= m
        if t != 1.0:
            e /= x.dtype.type(t)  # after subtracting: exponents ≤ 0 at any temperature
        np.exp(e, out=e)
        total = np.sum(e, axis=ax, keepdims=True)
        total[total == 0] = 1.0  # a row with nothing kept keeps its zeros
        e /= total
    return e
