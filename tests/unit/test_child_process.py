"""ingestion/child_process.run_in_child: the work's result or its error comes back; a process that
dies says so, in words that name the work."""

import os
import signal

import pytest

from ingestion.child_process import ChildProcessDied, run_in_child


def _pid_and_sum(a: int, b: int) -> tuple[int, int]:
    return os.getpid(), a + b


def _refuse(message: str) -> None:
    raise ValueError(message)


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_the_result_comes_back_from_another_process():
    pid, total = run_in_child("adding", _pid_and_sum, 2, 3)
    assert total == 5
    assert pid != os.getpid()


def test_the_work_s_own_error_is_raised_here():
    with pytest.raises(ValueError, match="overrides file: give a reason"):
        run_in_child("resolving", _refuse, "overrides file: give a reason")


def test_a_killed_process_is_named_and_not_taken_for_a_result():
    with pytest.raises(ChildProcessDied, match="supplier resolution: its process ended without a result"):
        run_in_child("supplier resolution", _killed)
