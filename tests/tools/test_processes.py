"""``attn_course.tools.processes``: results, errors, timeouts and cleanup (fork, for speed)."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch.distributed as dist

from attn_course.tools.processes import WorkerError, run_processes


def _rank_and_pid(x):
    return dist.get_rank(), dist.get_world_size(), x, os.getpid()


def _fail_on(bad_rank):
    if dist.get_rank() == bad_rank:
        raise KeyError(f"bad rank {bad_rank}")
    dist.barrier()  # the others wait for a message that never comes
    return os.getpid()


def _exit_on(bad_rank):
    if dist.get_rank() == bad_rank:
        os._exit(3)
    dist.barrier()


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no")


def _raise_unpicklable():
    raise Unpicklable("cannot travel")


def _sleep(pid_dir):
    Path(pid_dir, str(os.getpid())).touch()
    time.sleep(120)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_results_in_rank_order_and_nothing_left():
    out = run_processes(_rank_and_pid, [(10,), (11,), (12,)], start_method="fork")
    assert [o[:3] for o in out] == [(0, 3, 10), (1, 3, 11), (2, 3, 12)]
    assert not any(_alive(o[3]) for o in out)
    assert mp.active_children() == []


def test_worker_error_comes_back_with_its_type_and_rank():
    t0 = time.monotonic()
    with pytest.raises(KeyError, match="bad rank 1") as info:
        run_processes(_fail_on, [(1,)] * 3, start_method="fork", timeout=60)
    assert time.monotonic() - t0 < 30  # not the 60 s timeout: the others were ended
    assert any("worker 1 of 3" in note for note in info.value.__notes__)
    assert mp.active_children() == []


def test_worker_that_dies_silently():
    with pytest.raises(WorkerError, match="worker 2 of 3 exited with code 3") as info:
        run_processes(_exit_on, [(2,)] * 3, start_method="fork", timeout=60)
    assert info.value.rank == 2 and info.value.exitcode == 3
    assert mp.active_children() == []


def test_unpicklable_exception_becomes_worker_error():
    with pytest.raises(WorkerError, match="Unpicklable: cannot travel"):
        run_processes(_raise_unpicklable, [()], start_method="fork")


def test_timeout_ends_every_worker(tmp_path):
    t0 = time.monotonic()
    with pytest.raises(TimeoutError, match=r"workers \[0, 1\] of 2"):
        run_processes(_sleep, [(str(tmp_path),)] * 2, start_method="fork", timeout=3)
    assert time.monotonic() - t0 < 15
    pids = [int(p.name) for p in tmp_path.iterdir()]
    assert len(pids) == 2 and not any(_alive(p) for p in pids)


def test_keyboard_interrupt_leaves_no_worker(tmp_path):
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    script = textwrap.dedent(f"""
        import signal, sys
        # Ctrl-C as a terminal delivers it: a shell's background job (as CI may run this
        # suite) starts with SIGINT ignored, and the child would inherit that.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.path[:0] = {sys.path!r}
        from tests.tools.test_processes import _sleep
        from attn_course.tools.processes import run_processes
        if __name__ == "__main__":
            try:
                run_processes(_sleep, [({str(pid_dir)!r},)] * 3, start_method="fork", timeout=100)
            except KeyboardInterrupt:
                print("interrupted", flush=True)
                raise
    """)
    # Output to files, not pipes: a worker left alive would hold a pipe open and turn a
    # leftover process into a hang; with files the parent's exit is awaited on its own and a
    # leftover worker fails the last assert by name.
    out_path, err_path = tmp_path / "out.txt", tmp_path / "err.txt"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=out, stderr=err, text=True)
    deadline = time.monotonic() + 60
    while len(list(pid_dir.iterdir())) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = [int(p.name) for p in pid_dir.iterdir()]
    assert len(pids) == 3
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    out, err = out_path.read_text(), err_path.read_text()
    assert "interrupted" in out and "KeyboardInterrupt" in err, (out, err[-2000:])
    time.sleep(0.2)
    assert not [p for p in pids if _alive(p)]


@pytest.mark.parametrize("bad", [{"start_method": "thread"}, {"timeout": 0}, {"threads": 0}])
def test_bad_arguments(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        run_processes(_rank_and_pid, [(1,)], **bad)


def test_no_ranks():
    with pytest.raises(ValueError, match="args_by_rank"):
        run_processes(_rank_and_pid, [])
