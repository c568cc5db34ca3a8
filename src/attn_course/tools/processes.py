"""Run a function in several local processes joined by a gloo process group (chapter 17).

:func:`run_processes` starts one process per tuple of arguments, joins them into a
``torch.distributed`` group with the gloo backend over 127.0.0.1 (the parent hosts the
rendezvous store on a port the system picks, so two calls never collide), calls the
function in each and returns the results in rank order. It never leaves a worker behind:

- a worker that raises brings the call down with *that* exception (a note names the
  worker and carries its traceback); one that dies without a word raises
  :class:`WorkerError` with its exit code; the others are ended at once, not left waiting
  on a message that will never come;
- after ``timeout`` seconds the call raises ``TimeoutError``;
- on success, failure, timeout or ``KeyboardInterrupt`` every worker is terminated (then
  killed) and reaped before the call returns. Workers ignore Ctrl-C themselves — the parent
  handles it — and on Linux die with the process that started them.

Start methods: ``fork`` is the fastest (a fraction of a second for four workers) but is
unsafe from a process with threads, such as a Jupyter kernel; ``spawn`` is safe everywhere
but starts a fresh interpreter that imports torch in every worker (seconds each);
``forkserver`` (the default on Linux and macOS) starts one clean server process that imports
torch once, then forks each worker from it: safe from Jupyter and fast after the first call.
The server lives until the parent exits, like ``multiprocessing``'s resource tracker — it
is not a worker. With ``spawn`` or ``forkserver`` the function must be importable from a
module (a function defined in a notebook cell cannot be sent), and a script that calls this
needs an ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import ctypes
import datetime
import multiprocessing as mp
import os
import pickle
import queue
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["START_METHODS", "WorkerError", "default_start_method", "run_processes"]

START_METHODS = ("fork", "forkserver", "spawn")


class WorkerError(RuntimeError):
    """A worker failed with an exception that could not be sent back, or died without a result.

    Attributes:
        rank: the worker's rank.
        exitcode: its exit code when it died (negative: killed by that signal), else ``None``.
    """

    def __init__(self, message: str, *, rank: int, exitcode: int | None = None) -> None:
        super().__init__(message)
        self.rank, self.exitcode = rank, exitcode


def default_start_method() -> str:
    """``"forkserver"`` where the platform has it (Linux, macOS), else ``"spawn"`` (Windows)."""
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this process when its parent dies (``PR_SET_PDEATHSIG``)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)
        except OSError:  # pragma: no cover - no libc by that name
            pass


def _worker(rank: int, world_size: int, port: int, fn: Callable[..., Any], payload: bytes,
            results: Any, threads: int, timeout: float, inherited_fd: int) -> None:
    """One worker: join the group, call ``fn(*args)``, report ``(rank, ok, result or error)``."""
    if inherited_fd >= 0:  # a forked worker holds a copy of the parent's listening socket
        os.close(inherited_fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"  # loopback only
    try:
        import torch
        import torch.distributed as dist

        torch.set_num_threads(threads)
        args = pickle.loads(payload)
        wait = datetime.timedelta(seconds=timeout)
        store = dist.TCPStore("127.0.0.1", port, is_master=False, timeout=wait)
        dist.init_process_group("gloo", store=store, rank=rank, world_size=world_size,
                                timeout=wait)
        result = fn(*args)
        dist.destroy_process_group()
        results.put((rank, True, pickle.dumps(result)))
    except BaseException as e:  # noqa: BLE001 - every failure is reported to the parent
        text = traceback.format_exc()
        try:
            exc: bytes | None = pickle.dumps(e)
            pickle.loads(exc)
        except Exception:  # noqa: BLE001 - an exception that does not survive pickling
            exc = None
        results.put((rank, False, (type(e).__name__, str(e), text, exc)))


def _reraise(rank: int, world_size: int, info: tuple) -> None:
    name, message, text, exc = info
    if exc is not None:
        err = pickle.loads(exc)
        if isinstance(err, BaseException):
            err.add_note(f"(raised in worker {rank} of {world_size}; its traceback follows)\n"
                         f"{text}")
            raise err
    raise WorkerError(f"worker {rank} of {world_size} failed with {name}: {message}\n{text}",
                      rank=rank)


def _fail(rank: int, world_size: int, info: tuple, procs: list, results: Any,
          done: dict) -> None:
    """A worker reported an error. If another worker died without a word, that death is the
    cause (the reported error is usually a peer noticing the lost connection): raise it.
    Otherwise re-raise the reported error."""
    time.sleep(0.3)  # time for a dead worker's exit to be seen
    for r, p in enumerate(procs):
        if r != rank and r not in done and p.exitcode not in (None, 0):
            raise WorkerError(
                f"worker {r} of {world_size} exited with code {p.exitcode} without a result "
                f"(then worker {rank} failed with {info[0]}: {info[1]})", rank=r,
                exitcode=p.exitcode)
    _reraise(rank, world_size, info)


def _stop(procs: list) -> None:
    """Terminate every live worker, give them 5 s, kill what is left, and reap them all."""
    for p in procs:
        if p.pid is not None and p.is_alive():
            p.terminate()
    deadline = time.monotonic() + 5.0
    for p in procs:
        if p.pid is None:
            continue
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join()


def run_processes(
    fn: Callable[..., Any], args_by_rank: Sequence[tuple], *, start_method: str | None = None,
    timeout: float = 120.0, threads: int = 1,
) -> list[Any]:
    """Call ``fn(*args_by_rank[r])`` in process ``r`` of a new gloo group; return the results.

    Args:
        fn: the function each worker runs once its process group is initialised (inside,
            ``torch.distributed.get_rank()`` is ``r``). Importable from a module unless
            ``start_method="fork"``.
        args_by_rank: one tuple of arguments per worker; ``len(args_by_rank)`` is the world
            size. Arguments and results are pickled (tensors are copied).
        start_method: ``"fork"``, ``"forkserver"`` or ``"spawn"``; ``None`` for
            :func:`default_start_method`.
        timeout: seconds for the whole call (also the group's timeout for one operation).
        threads: ``torch.set_num_threads`` in each worker.

    Returns:
        The results, in rank order.

    Raises:
        ValueError: no ranks, a bad ``start_method``, ``timeout`` or ``threads``.
        WorkerError: a worker died without reporting.
        TimeoutError: the workers ran longer than ``timeout`` seconds.
        Exception: the first exception a worker raises, with a note naming the worker and
            its traceback.
    """
    import torch.distributed as dist

    world_size = len(args_by_rank)
    if world_size < 1:
        raise ValueError("args_by_rank must hold one tuple of arguments per rank, got none")
    method = default_start_method() if start_method is None else start_method
    if method not in START_METHODS or method not in mp.get_all_start_methods():
        raise ValueError(f"start_method must be None or one of "
                         f"{[m for m in START_METHODS if m in mp.get_all_start_methods()]}, "
                         f"got {start_method!r}")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    ctx = mp.get_context(method)
    if method == "forkserver":  # the server imports these once; each worker is a fork of it
        preload = ["torch", "torch.distributed", __name__]
        if getattr(fn, "__module__", "__main__") != "__main__":
            preload.append(fn.__module__)
        ctx.set_forkserver_preload(preload)
    payloads = [pickle.dumps(tuple(a)) for a in args_by_rank]
    # The port: a listening socket bound by the system to a free one. The rendezvous store is
    # started on it only after the workers exist: a forked child must not inherit the
    # store's server thread (its locks could be held at the moment of the fork).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, name=f"attn-course-worker-{r}", daemon=True,
                         args=(r, world_size, port, fn, payloads[r], results, threads,
                               float(timeout), listener.fileno() if method == "fork" else -1))
             for r in range(world_size)]
    store = None
    done: dict[int, Any] = {}
    try:
        for p in procs:
            p.start()
        store = dist.TCPStore("127.0.0.1", port, world_size + 1, is_master=True,
                              master_listen_fd=listener.detach(), wait_for_workers=False,
                              timeout=datetime.timedelta(seconds=timeout))
        deadline = time.monotonic() + timeout
        silent_since: dict[int, float] = {}
        while len(done) < world_size:
            try:
                rank, ok, payload = results.get(timeout=0.02)
            except queue.Empty:
                now = time.monotonic()
                for r, p in enumerate(procs):
                    # A worker that exited and said nothing within a second never will.
                    if r not in done and p.exitcode is not None:
                        if now - silent_since.setdefault(r, now) > 1.0:
                            raise WorkerError(f"worker {r} of {world_size} exited with code "
                                              f"{p.exitcode} without a result",
                                              rank=r, exitcode=p.exitcode) from None
                if now > deadline:
                    late = [r for r in range(world_size) if r not in done]
                    raise TimeoutError(f"workers {late} of {world_size} did not finish within "
                                       f"timeout={timeout} s; all were ended") from None
                continue
            if not ok:
                _fail(rank, world_size, payload, procs, results, done)
            done[rank] = pickle.loads(payload)
        return [done[r] for r in range(world_size)]
    finally:
        _stop(procs)
        listener.close()  # a no-op once the store owns the socket
        results.close()
        results.cancel_join_thread()
        del store
