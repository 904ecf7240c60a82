"""Recovery after a crash, so a kill -9 at any point never needs a person to clear up.

A run killed with SIGKILL never reports its end: Dagster keeps it STARTED and keeps the concurrency
slots (pools `warehouse_writer`, `raw_writer`) its steps claimed, so every later run waiting on the
same pool waits forever. Dagster's own answer (run monitoring in the daemon) cannot tell that the
worker of an in-process or default-launcher run died, so the start of every run (`svw run`,
`svw backfill`, and the `stale_run_recovery` sensor for runs the daemon launches) does it here:

* a run not finished whose every recorded process is gone is marked failed, saying why;
* the slots and pending claims of every finished run are freed
  (DagsterInstance.event_log_storage.free_concurrency_slots_for_run, Dagster 1.13);
* staging folders of publications whose run is gone are removed (publishing/publish.py).

A process id is "gone" when no process has it, or the process that has it now started after the
run's event was written (the id was reused).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.storage.dagster_run import FINISHED_STATUSES, NOT_FINISHED_STATUSES

POOLS = ("warehouse_writer", "raw_writer")


class SlotWaitTimeout(RuntimeError):
    """A live run held a pool slot for longer than this run was willing to wait."""


def _boot_time() -> float:
    with open("/proc/stat", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("btime "):
                return float(line.split()[1])
    raise OSError("no btime in /proc/stat")


def process_started_at(pid: int) -> float | None:
    """When the process with this id started (epoch seconds), or None when there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # the command name (field 2) may hold spaces and brackets: fields restart after the last ')'
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):  # a zombie has finished; it only waits to be reaped
        return None
    return _boot_time() + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def _run_processes(instance: dg.DagsterInstance, run_id: str) -> dict[int, float]:
    """Every process that wrote an event for the run, with the time of its first event."""
    seen: dict[int, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is not None and event.pid is not None and event.pid not in seen:
            seen[event.pid] = entry.timestamp
    return seen


def run_is_alive(instance: dg.DagsterInstance, run: dg.DagsterRun, grace_seconds: float = 300) -> bool:
    """True while any process that worked on the run still runs. A run with no process recorded yet
    is given grace_seconds from its creation to start."""
    processes = _run_processes(instance, run.run_id)
    if not processes:
        record = instance.get_run_record_by_id(run.run_id)
        created = record.create_timestamp.timestamp() if record else 0.0
        return time.time() - created < grace_seconds
    for pid, first_event in processes.items():
        started = process_started_at(pid)
        if started is not None and started <= first_event + 1:
            return True
    return False


@dataclass
class Recovery:
    failed_runs: list[str]
    freed_runs: list[str]
    live_runs: list[str]

    def lines(self) -> list[str]:
        out = [f"run {r} had died (its process is gone): marked failed, its slots freed" for r in self.failed_runs]
        out += [f"run {r} had finished but still held a pool slot: freed" for r in self.freed_runs]
        return out


def recover_stale_runs(instance: dg.DagsterInstance) -> Recovery:
    """Mark dead runs failed and free every slot a run no longer running holds."""
    failed, freed, live = [], [], []
    for run in instance.get_runs(dg.RunsFilter(statuses=list(NOT_FINISHED_STATUSES))):
        if run.status in (dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED):
            live.append(run.run_id)  # waiting for the daemon to launch it: holds no slot yet
            continue
        if run_is_alive(instance, run):
            live.append(run.run_id)
            continue
        instance.report_run_failed(
            run,
            message="Marked failed by the next run: the process running it is gone (killed, or the machine "
            "stopped), so it can never finish. Its concurrency slots are freed; nothing it staged was published.",
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        failed.append(run.run_id)
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        holders = set(storage.get_concurrency_run_ids())
        for key in storage.get_concurrency_keys():
            holders |= storage.get_concurrency_info(key).active_run_ids
        for run_id in sorted(holders - set(live) - set(failed)):
            holder = instance.get_run_by_id(run_id)
            if holder is None or holder.status in FINISHED_STATUSES:
                storage.free_concurrency_slots_for_run(run_id)
                freed.append(run_id)
    return Recovery(failed, freed, live)


def slot_holders(instance: dg.DagsterInstance, pools: tuple[str, ...] = POOLS) -> dict[str, set[str]]:
    """Run ids holding a slot, by pool."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return {}
    return {pool: storage.get_concurrency_info(pool).active_run_ids for pool in pools}


def full_pools(instance: dg.DagsterInstance, pools: tuple[str, ...] = POOLS) -> dict[str, set[str]]:
    """The pools with no free slot, and the runs holding them. One slot per pool by default (the
    local SQLite profile: one writer at a time); the PostgreSQL profile gives raw_writer more, so
    partners load in parallel and a run waits only when every slot is taken."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return {}
    full = {}
    for pool in pools:
        info = storage.get_concurrency_info(pool)
        limit = info.limit if info.limit is not None else 1
        if info.active_run_ids and info.active_slot_count >= max(limit, info.slot_count, 1):
            full[pool] = info.active_run_ids
    return full


def wait_for_free_pools(
    instance: dg.DagsterInstance,
    timeout_seconds: float,
    say: Callable[[str], None],
    pools: tuple[str, ...] = POOLS,
    poll_seconds: float = 2.0,
) -> None:
    """Never wait silently: when live runs hold every slot of a pool this run needs, say which and
    for how long this run will wait, then raise SlotWaitTimeout if they still hold them."""
    deadline = time.monotonic() + timeout_seconds
    announced: set[str] = set()
    while True:
        recover_stale_runs(instance)  # a holder that died while we waited frees its slot here
        held = full_pools(instance, pools)
        if not held:
            return
        for pool, runs in held.items():
            for run_id in runs - announced:
                run = instance.get_run_by_id(run_id)
                say(
                    f"waiting: run {run_id} ({run.job_name if run else 'unknown job'}) is running and holds the "
                    f"'{pool}' slot (one writer at a time); waiting up to {timeout_seconds:.0f}s "
                    "(SVW_SLOT_WAIT_SECONDS)"
                )
                announced.add(run_id)
        if time.monotonic() >= deadline:
            names = ", ".join(f"{pool}: {', '.join(sorted(runs))}" for pool, runs in held.items())
            raise SlotWaitTimeout(
                f"gave up after {timeout_seconds:.0f}s waiting for a running run to free its slot ({names}). "
                "Let it finish (the Dagster UI shows it) and run again, or raise SVW_SLOT_WAIT_SECONDS."
            )
        time.sleep(poll_seconds)


@contextlib.contextmanager
def instance_lock(dagster_home: Path) -> Iterator[None]:
    """One process at a time creates or migrates the instance's storage: two first runs on a fresh
    DAGSTER_HOME would otherwise both create the same SQLite tables ("table already exists")."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    with open(dagster_home / ".svw-instance.lock", "w", encoding="ascii") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_instance() -> dg.DagsterInstance:
    """The Dagster instance of DAGSTER_HOME (ephemeral without one), its storage created under a lock."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    with instance_lock(Path(home)):
        instance = dg.DagsterInstance.get()
        # touch every storage so its tables exist before the lock is let go
        instance.get_runs(limit=1)
        instance.event_log_storage.get_concurrency_keys()
        instance.all_instigator_state()
    return instance
