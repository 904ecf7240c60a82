"""dbt models as Dagster assets; dbt data tests become (blocking, error-severity) asset checks."""

import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ingestion.dbt_digest import kept_rows_from_another_project
from ingestion.settings import PROJECT_ROOT, Settings
from orchestration.resources import WarehouseSettings

DBT_PROJECT = DbtProject(project_dir=PROJECT_ROOT / "dbt_project", profiles_dir=PROJECT_ROOT / "dbt_project")
# dagster-dbt runs the dbt found on PATH unless told; point it at the one beside this interpreter
# so `python -m ...` from .venv works without an activated environment.
_REAL_DBT = (
    str(Path(sys.executable).parent / "dbt")
    if (Path(sys.executable).parent / "dbt").exists()
    else (shutil.which("dbt") or "dbt")
)
# dbt runs through orchestration/dbt_child.py, which makes it die with the run (no orphan dbt).
os.environ.setdefault("SVW_REAL_DBT", _REAL_DBT)
DBT_EXECUTABLE = str(PROJECT_ROOT / "orchestration" / "dbt_child.py")


class WarehouseTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else "dbt"


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE)


def run_results_path(settings: Settings) -> Path:
    return settings.work_dir / "dbt" / "run_results.json"


@dbt_assets(manifest=DBT_PROJECT.manifest_path, dagster_dbt_translator=WarehouseTranslator(), pool="warehouse_writer")
def dbt_warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseSettings):
    """Build and test every model; keep run_results.json where the publication gate reads it."""
    settings = warehouse.get()
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    # the folders go to dbt as --vars, not through this process's environment: two runs in one
    # process (a test, a sensor tick) each give dbt their own paths
    dbt_vars = settings.dbt_vars()
    stale = kept_rows_from_another_project(settings.warehouse_path, dbt_vars["svw_project_digest"])
    if stale:
        context.log.info(f"dbt project changed since {', '.join(stale)} were built: a full refresh builds every row")
    command = ["build", "--vars", json.dumps(dbt_vars), *(["--full-refresh"] if stale else [])]
    invocation = dbt.cli(command, context=context, raise_on_error=False)
    yield from invocation.stream()
    results = invocation.get_artifact("run_results.json")
    target = run_results_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results), encoding="utf-8")
    if not invocation.is_successful():
        failed = [r for r in results["results"] if r["status"] in ("fail", "error")]
        raise dg.Failure(
            description="dbt build failed: "
            + "; ".join(f"{r['unique_id']}: {r['status']} ({r.get('message')})" for r in failed[:20]),
            metadata={"failed": len(failed)},
        )


defs = dg.Definitions(assets=[dbt_warehouse], resources={"dbt": dbt_resource()})
