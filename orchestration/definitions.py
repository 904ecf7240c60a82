"""The Dagster code location: `dagster dev` (make dev) and `make run` load these definitions.

Each module of orchestration/defs declares what it adds (its assets, checks, jobs, sensors,
schedules, resources) as its own `defs`; they are merged here, so a new module is one import and
one entry below, and nothing else in this file changes.
"""

from __future__ import annotations

import dagster as dg

from orchestration import resources
from orchestration.defs import (
    ingest,
    outputs,
    publish,
    quality,
    recovery,
    reference,
    registers,
    resolution,
    schedules,
    sources,
    transform,
    withdraw,
)

defs = dg.Definitions.merge(
    sources.defs,
    ingest.defs,
    reference.defs,
    registers.defs,
    resolution.defs,
    transform.defs,
    publish.defs,
    outputs.defs,
    quality.defs,
    schedules.defs,
    withdraw.defs,
    recovery.defs,
    resources.defs,
)


def load_batch_job() -> dg.JobDefinition:
    """The batch load job with the project's resources bound. `dg.reconstructable` points at this
    function: the multiprocess executor rebuilds the job from it in each worker process."""
    return defs.resolve_job_def("load_batch")
