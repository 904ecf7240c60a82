"""Work run in a process of its own, which ends when the work does.

Why: CPython and its allocator keep the heap a step has grown. Supplier resolution grows to several
gigabytes at 10M ledger lines (docs/performance.md), and when it ran inside the Dagster run's
process every later step (dbt, the quality gate, publishing) ran beside that heap, so the run's
peak memory was resolution's plus dbt's. A spawned process gives its memory back when it exits.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")


class ChildProcessDied(RuntimeError):
    pass


def die_with_parent() -> None:
    """A worker asks the kernel for SIGKILL when the run that started it dies: a pool's workers hold
    their own end of its job queue, so a run killed with SIGKILL would leave them waiting for work
    for ever (tests/faults/test_crash_faults.py). As orchestration/dbt_child.py does for dbt."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the run died before the request took effect
            os._exit(1)


def run_in_child(what: str, function: Callable[..., T], *args) -> T:
    """function(*args) in a spawned process, its result (or its exception) returned here. Spawn, not
    fork: the caller may hold DuckDB and Dagster threads, which a fork copies mid-state. `function`
    and its arguments must pickle (a module-level function; paths, not open handles)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=die_with_parent) as pool:
        try:
            return pool.submit(function, *args).result()
        except BrokenProcessPool as error:
            raise ChildProcessDied(
                f"{what}: its process ended without a result (killed, or out of memory: see the "
                "kernel log with `dmesg`); the run stops here, before any later step reads what it "
                "wrote, and the next run does the work again"
            ) from error
