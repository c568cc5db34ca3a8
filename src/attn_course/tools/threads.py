"""The one thread switch: run a block on ``n`` CPU threads and restore the setting after.

Tiny models and small matrix products run fastest on one thread, and on a shared 2-core
machine two threads that wait for each other were measured up to 10× slower. Training
loops (:func:`attn_course.tools.training.train`), timers
(:func:`attn_course.tools.measure.time_call`) and NumPy sweeps use this switch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import torch

__all__ = ["torch_threads"]


@contextmanager
def torch_threads(n: int | None, *, blas: bool = False) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(n)``, restoring the old value afterwards.

    Args:
        n: the number of threads; ``None`` changes nothing.
        blas: also limit the BLAS library NumPy uses (through ``threadpoolctl``), for
            NumPy code.

    Raises:
        ValueError: if ``n`` is not a positive integer.
    """
    if n is None:
        yield
        return
    if n < 1:
        raise ValueError(f"n must be a positive number of threads, got {n}")
    old = torch.get_num_threads()
    with ExitStack() as stack:
        if blas:
            from threadpoolctl import threadpool_limits

            stack.enter_context(threadpool_limits(limits=n))
        torch.set_num_threads(n)
        try:
            yield
        finally:
            torch.set_num_threads(old)
