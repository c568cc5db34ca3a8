"""Shared tools: seeds, progress bars, the thread switch, the training loop, measuring, tables.

Nothing here is about attention; every layer above may use it. One of each:
:func:`~attn_course.tools.seed.set_seed`, :func:`~attn_course.tools.progress.progress`
(every progress bar), :func:`~attn_course.tools.threads.torch_threads` (every thread
switch), :func:`~attn_course.tools.training.train` (every training loop),
:func:`~attn_course.tools.processes.run_processes` (every group of local processes),
:func:`~attn_course.tools.measure.time_call` (every timer, with peak memory and FLOPs
beside it) and :func:`~attn_course.tools.tables.markdown_table` (every result table).
"""

from .measure import (
    allocated_bytes,
    count_flops,
    peak_memory,
    resident_memory,
    storage_bytes,
    time_call,
    time_calls,
)
from .processes import WorkerError, run_processes
from .progress import progress
from .seed import set_seed
from .tables import markdown_table
from .threads import torch_threads
from .training import (
    IGNORE_INDEX,
    accuracy,
    count_parameters,
    masked_accuracy,
    minibatches,
    token_cross_entropy,
    train,
)

__all__ = [
    "IGNORE_INDEX",
    "WorkerError",
    "accuracy",
    "allocated_bytes",
    "count_flops",
    "count_parameters",
    "markdown_table",
    "masked_accuracy",
    "minibatches",
    "peak_memory",
    "progress",
    "resident_memory",
    "run_processes",
    "set_seed",
    "storage_bytes",
    "time_call",
    "time_calls",
    "token_cross_entropy",
    "torch_threads",
    "train",
]
