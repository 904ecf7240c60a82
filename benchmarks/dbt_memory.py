"""dbt's build of the warehouse at DuckDB memory limits: DuckDB's own default (80% of RAM, the
baseline) against the project's setting (SVW_DBT_MEMORY_LIMIT, default 2GB) and others.

    .venv/bin/python -m benchmarks.dbt_memory <folder benchmarks/scale.py --keep left>
    .venv/bin/python -m benchmarks.dbt_memory <folder> --limits 80%,2GB,1GB

The folder is the one a scale run kept (its raw layer under raw/, its working warehouse under
work/). Each limit runs `dbt build` as a run does (the run's --vars, svw_dbt_memory_limit set to the
limit) on one copy of the warehouse, in a fresh process, one limit after the other; it prints wall
time and the peak RSS of dbt's process tree (sampled twice a second), and the row count of every
table dbt built. The counts must agree at every limit, or the script fails.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.scale import TreeMemory
from ingestion.dbt_digest import kept_rows_from_another_project, project_digest

ROOT = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"


def row_counts(warehouse: Path) -> dict[str, int]:
    """Every table's row count, by schema.table: what the build made, to compare between limits."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        counts = {}
        for schema, table in tables:  # names from the warehouse's own catalogue, quoted as identifiers
            (count,) = con.execute(f"select count(*) from {_quoted(schema)}.{_quoted(table)}").fetchone() or (0,)
            counts[f"{schema}.{table}"] = int(count)
        return counts


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def run_build(project: Path, raw_dir: Path, warehouse: Path, limit: str, scratch: Path) -> tuple[float, float]:
    """`dbt build` of `project` as a run does it (the run's --vars), in a fresh process, its target and
    logs under `scratch`: wall seconds and the peak RSS of its process tree (MB)."""
    dbt_vars = {"svw_raw_dir": str(raw_dir), "svw_warehouse": str(warehouse), "svw_dbt_memory_limit": limit}
    dbt_vars["svw_project_digest"] = project_digest(project)  # as Settings.dbt_vars: incremental models keep rows
    command = [str(DBT), "build", "--profiles-dir", ".", "--vars", json.dumps(dbt_vars), "--quiet"]
    if kept_rows_from_another_project(warehouse, dbt_vars["svw_project_digest"]):
        command.append("--full-refresh")  # as orchestration/defs/transform.py does
    command += ["--target-path", str(scratch / "target"), "--log-path", str(scratch / "logs")]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    memory = TreeMemory(process.pid)
    memory.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    memory.finished.set()
    memory.join()
    if process.returncode != 0:
        raise SystemExit(
            f"dbt build of {project} at memory limit {limit} failed (exit {process.returncode}):\n"
            f"{output.decode()[-4000:]}"
        )
    return seconds, memory.peak()


def build(raw_dir: Path, warehouse: Path, limit: str, scratch: Path) -> dict:
    seconds, peak_mb = run_build(ROOT / "dbt_project", raw_dir, warehouse, limit, scratch)
    return {"seconds": round(seconds, 1), "peak_mb": round(peak_mb), "counts": row_counts(warehouse)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a folder benchmarks/scale.py --keep left (raw/, work/)")
    parser.add_argument("--limits", default="80%,2GB", help="DuckDB memory limits; 80%% is DuckDB's own default")
    args = parser.parse_args()
    folder = args.folder.resolve()
    raw_dir, original = folder / "raw", folder / "work" / "warehouse.duckdb"
    if not (raw_dir.is_dir() and original.is_file()):
        raise SystemExit(
            f"{folder}: expected raw/ and work/warehouse.duckdb, as benchmarks/scale.py --keep leaves them"
        )
    runs = {}
    with tempfile.TemporaryDirectory(prefix="svw_dbt_memory_") as tmp:
        scratch = Path(tmp)
        warehouse = scratch / "warehouse.duckdb"
        shutil.copyfile(original, warehouse)
        for limit in args.limits.split(","):
            runs[limit] = build(raw_dir, warehouse, limit, scratch)
            print(f"{limit:>12} {runs[limit]['seconds']:>8} s {runs[limit]['peak_mb']:>8,} MB", flush=True)
    if len({json.dumps(run["counts"], sort_keys=True) for run in runs.values()}) != 1:
        print("row counts differ between limits")
        return 1
    counts = next(iter(runs.values()))["counts"]
    print(f"row counts identical at every limit ({len(counts)} tables, {sum(counts.values()):,} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
