"""A published mart's suite results, handed from the run's blocking asset check to its publication gate.

Each published table's Great Expectations suite runs twice in a build-and-publish run: as the blocking
asset check that stops the run before publication (orchestration/defs/quality.py), then again inside
the gate that records every check in the publication (orchestration/defs/publish.py). At 10M ledger
lines the second pass cost as much as the first (about 35 s on fct_spend). The check now writes its
results here and the gate takes them instead of validating again, but only when it is sure they are
the answer it would compute itself:

* from the same Dagster run, so the code, the suite and the rules are the ones the gate runs;
* for the same question (whether the mart is expected to have rows);
* on the same warehouse file: its size, modification time and inode, its write-ahead log's, and
  its headers (which every checkpoint rewrites) are what they were when the suite read it. A
  warehouse rebuilt or written to in between gives other values, and the gate validates again.

Anything else (no file, another run's, a file that cannot be read) means the gate runs the suite
itself, so a missing or damaged result never lets a mart through unchecked. One file per table,
replaced by the next run's check, so nothing accumulates.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ingestion.validate import CheckResult

FOLDER = "mart_check_results"


# DuckDB's file starts with a main header and two database headers (4 KiB each); a checkpoint writes
# the next database header with its iteration count raised, so these bytes change with every write
# that reaches the file, even one that keeps its size and lands within the clock's tick.
_HEADERS_BYTES = 3 * 4096


def _identity(warehouse_path: Path) -> list:
    """What changes whenever the database is written or replaced: the size, mtime_ns and inode of
    the file and of its write-ahead log (None for one that does not exist), and a digest of the
    file's headers."""
    identity: list = []
    for path in (warehouse_path, warehouse_path.with_name(warehouse_path.name + ".wal")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            identity.append(None)
        else:
            identity.append([stat.st_size, stat.st_mtime_ns, stat.st_ino])
    try:
        with warehouse_path.open("rb") as database:
            identity.append(hashlib.sha256(database.read(_HEADERS_BYTES)).hexdigest())
    except FileNotFoundError:
        identity.append(None)
    return identity


def results_path(warehouse_path: Path, table: str) -> Path:
    """Beside the working warehouse, which only this project's runs write."""
    return warehouse_path.parent / FOLDER / f"{table}.json"


def save(warehouse_path: Path, run_id: str, table: str, expect_rows: bool, results: list[CheckResult]) -> Path:
    """Record the suite's results as the check found them. Written to a temporary name and renamed,
    so a reader sees the whole file or the previous one."""
    path = results_path(warehouse_path, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "run_id": run_id,
        "table": table,
        "expect_rows": expect_rows,
        "warehouse": str(warehouse_path.resolve()),
        "identity": _identity(warehouse_path),
        "results": [r.as_dict() for r in results],
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record), encoding="utf-8")
    os.replace(temporary, path)
    return path


def load(warehouse_path: Path, run_id: str, table: str, expect_rows: bool) -> list[CheckResult] | None:
    """The check's results when they answer exactly what the gate would ask now; otherwise None, and
    the caller validates the mart itself."""
    path = results_path(warehouse_path, table)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if (
            record["run_id"] != run_id
            or record["table"] != table
            or record["expect_rows"] is not expect_rows
            or record["warehouse"] != str(warehouse_path.resolve())
            or record["identity"] != _identity(warehouse_path)
        ):
            return None
        return [CheckResult(**raw) for raw in record["results"]]
    except (OSError, ValueError, KeyError, TypeError):
        # not there, another layout, or damaged: the gate validates the mart itself
        return None
