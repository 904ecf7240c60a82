"""dbt's CLI as the integration tests run it: in the project folder, with the run's --vars, its
target and logs under the test's own folder (so tests never share dbt's state)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ingestion.settings import PROJECT_ROOT

DBT = Path(sys.executable).parent / "dbt"


def run_dbt(
    args: list[str], dbt_vars: dict[str, str], scratch: Path, timeout: int = 600
) -> subprocess.CompletedProcess:
    """`dbt <args>` with these vars; its run_results.json lands in <scratch>/target."""
    return subprocess.run(
        [str(DBT), *args, "--profiles-dir", ".", "--vars", json.dumps(dbt_vars)],
        cwd=PROJECT_ROOT / "dbt_project",
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "DBT_LOG_PATH": str(scratch / "logs"), "DBT_TARGET_PATH": str(scratch / "target")},
        check=False,
    )
