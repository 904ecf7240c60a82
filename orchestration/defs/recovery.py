"""The daemon's side of crash recovery: runs the sensor and the schedule launch wait on the same
pools as `svw run`, so a run killed there must not block them either (orchestration/recovery.py)."""

import dagster as dg

from orchestration.recovery import recover_stale_runs
from orchestration.resources import WarehouseSettings
from publishing.publish import clean_leftovers


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def stale_run_recovery(context: dg.SensorEvaluationContext, warehouse: WarehouseSettings) -> dg.SkipReason:
    """Every minute: runs whose process is gone marked failed, their slots freed, their staged
    releases removed. Requests no run."""
    recovery = recover_stale_runs(context.instance)
    for line in recovery.lines():
        context.log.warning(line)
    removed = clean_leftovers(warehouse.get().published_dir, recovery.live_runs)
    for path in removed:
        context.log.warning(f"removed {path}, left by a run that did not finish")
    return dg.SkipReason(f"{len(recovery.failed_runs)} dead run(s) recovered, {len(removed)} leftover(s) removed")


defs = dg.Definitions(sensors=[stale_run_recovery])
