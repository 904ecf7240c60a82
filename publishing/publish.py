"""Publish the checked marts as one immutable release, switched in whole by a single pointer.

A publication is one folder, data/published/releases/<publication_id>/, holding everything people
read: warehouse.duckdb, parquet/, statements/, dashboard.html, exports/, catalogue/ and a
MANIFEST.json of their SHA-256. It is built completely in a hidden staging folder
(releases/.staging-<run_id>/) and only then switched in: renamed to its final name, and the
`current` symlink replaced by os.replace of a new symlink (atomic on one filesystem). Every reader
and BI tool uses data/published/current/..., so it sees the previous publication or the new one,
whole, never a mix; a crash at any point leaves `current` where it was, and the next run removes
what the dead run left (clean_leftovers).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.manifest import LoadManifest
from publishing.declared import declared
from publishing.gate import GateReport
from publishing.history import HISTORY_TABLE, history_table

# The published warehouse is written in the storage format of DuckDB 1.4 (read by DuckDB 1.4, 1.5
# and 2.x alike), because BI drivers embed DuckDB 1.x: the Metabase DuckDB driver and the DuckDB
# ODBC driver ship 1.4.x. DuckDB 2.0's own format (storage version 69) cannot be opened by them.
# tests/integration/test_published_outputs_for_analysts.py opens it with a real DuckDB 1.4.
PUBLISHED_STORAGE_VERSION = "v1.4.0"
# DuckDB's memory for copying the marts into the release (it spills to a temp folder beyond it).
# Its default, 80% of RAM, let the copy of a 10M-row warehouse reach 2.5 GB; at 2 GB it peaks at
# 1.7 GB and is no slower (benchmarks/publish_release.py).
PUBLISH_MEMORY_LIMIT = "2GB"


class PublicationBlocked(RuntimeError):
    """A blocking check failed; nothing was published."""


@dataclass
class Publication:
    publication_id: str
    published_at: datetime
    warehouse_path: Path
    parquet_dir: Path
    row_counts: dict[str, int]


def _require_tables(con: duckdb.DuckDBPyConnection, warehouse: Path, tables: tuple[str, ...], catalog: str) -> None:
    known = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_catalog = ?", [catalog]
        ).fetchall()
    }
    missing = [t for t in tables if t not in known]
    if missing:
        raise PublicationBlocked(f"working warehouse {warehouse} has no table(s) {missing}; run the dbt build first")


def _publication_tables(
    publication_id: str,
    published_at: datetime,
    gate: GateReport,
    manifests: list[LoadManifest],
    rule_versions: dict[str, str],
) -> dict[str, pa.Table]:
    publication = pa.Table.from_pylist(
        [
            {
                "publication_id": publication_id,
                "published_at": published_at,
                "rule_versions": json.dumps(rule_versions, sort_keys=True),
                "local_spend_rule_version": rule_versions.get("local_spend"),
                "feed_files": len(manifests),
                "checks_run": len(gate.checks),
                "checks_failed": len(gate.failures),
                "duckdb_version": duckdb.__version__,
                "storage_version": PUBLISHED_STORAGE_VERSION,
            }
        ]
    )
    feeds = pa.Table.from_pylist(
        [
            {
                "publication_id": publication_id,
                "partner_code": m.partner,
                "feed": m.feed,
                "period": m.period,
                "source_file": m.source_file,
                "source_file_hash": m.source_file_hash,
                "load_id": m.load_id,
                "loaded_at": m.loaded_at,
                "rows_in": m.rows_in,
                "rows_loaded": m.rows_loaded,
                "rows_quarantined": m.rows_quarantined,
                "passed": m.passed,
                # loaded | quarantined | empty | refused | failed_to_read (ingestion/load.py)
                "state": m.state,
            }
            for m in manifests
        ],
        schema=pa.schema(
            [
                ("publication_id", pa.string()),
                ("partner_code", pa.string()),
                ("feed", pa.string()),
                ("period", pa.string()),
                ("source_file", pa.string()),
                ("source_file_hash", pa.string()),
                ("load_id", pa.string()),
                ("loaded_at", pa.string()),
                ("rows_in", pa.int64()),
                ("rows_loaded", pa.int64()),
                ("rows_quarantined", pa.int64()),
                ("passed", pa.bool_()),
                ("state", pa.string()),
            ]
        ),
    )
    checks = pa.Table.from_pylist([{"publication_id": publication_id, **c} for c in gate.as_records()])
    return {"publication": publication, "publication_feeds": feeds, "publication_checks": checks}


def _sql_path(path: Path) -> str:
    """A file path as a SQL string literal (ATTACH and COPY take no parameters); the paths are the
    run's own settings and staging folder, quoted so that a quote in a folder name cannot break out."""
    return "'" + path.as_posix().replace("'", "''") + "'"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# The Parquet copy is for pandas and BI tools, so DECIMAL money and percentages (and the 128-bit
# integers SUM(BIGINT) gives) are stored as DOUBLE: pandas reads a Parquet decimal as Python Decimal
# objects (dtype `object`), which analysts cannot sum or plot without converting. Every value is
# already rounded once to the penny in the marts and a double holds it to well past the penny (15
# significant digits), so `round(x, 2)` gives back the exact published figure. The DuckDB file
# keeps DECIMAL(18,2), exact under SQL sums (docs/connecting-bi-tools.md, "Types").
_AS_DOUBLE = ("DECIMAL", "HUGEINT", "UHUGEINT")


def _parquet_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = 'published' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return ", ".join(
        f"cast({_quoted(c)} as double) as {_quoted(c)}" if t.startswith(_AS_DOUBLE) else _quoted(c) for c, t in columns
    )


def write_release(
    working: Path, final_db: Path, parquet_dir: Path, marts: tuple[str, ...], small: dict[str, pa.Table]
) -> dict[str, int]:
    """The published warehouse (DuckDB 1.4's storage format, PUBLISHED_STORAGE_VERSION) and one
    Parquet file per table; returns each table's row count.

    The marts are copied from the working warehouse by DuckDB itself, file to file, and each
    Parquet file is written by COPY from the published copy: DuckDB streams them within its memory
    limit. Holding every mart in Arrow first (as this did until GM scale) cost more memory than the
    rest of a 10M-row run together. `small` are the publication's own tables, built in Python."""
    with duckdb.connect() as con:
        con.execute("set memory_limit = ?", [PUBLISH_MEMORY_LIMIT])
        con.execute(f"attach {_sql_path(working)} as working (read_only)")
        _require_tables(con, working, marts, "working")
        con.execute(f"attach {_sql_path(final_db)} as published (storage_version '{PUBLISHED_STORAGE_VERSION}')")
        for name in marts:  # names from the marts yml declarations, never from input
            con.execute(f"create table published.{_quoted(name)} as select * from working.{_quoted(name)}")
        for name, table in small.items():
            con.register("incoming", table)
            con.execute(f"create table published.{_quoted(name)} as select * from incoming")
            con.unregister("incoming")
        con.execute("detach working")
        counts = {}
        for name in (*marts, *small):
            (counts[name],) = con.execute(f"select count(*) from published.{_quoted(name)}").fetchall()[0]
            target = _sql_path(parquet_dir / f"{name}.parquet")
            con.execute(
                f"copy (select {_parquet_select(con, name)} from published.{_quoted(name)}) to {target} (format parquet)"
            )
        con.execute("detach published")
    return counts


STAGING_PREFIX = ".staging-"
MANIFEST = "MANIFEST.json"


def staging_dir(published_dir: Path, run_id: str) -> Path:
    """Where one run builds its release: hidden (never a release name) and named by the run, so the
    output steps of the same run find it and the next run can tell whether its builder is alive."""
    return published_dir / "releases" / f"{STAGING_PREFIX}{run_id}"


def publish(
    warehouse: Path,
    staging: Path,
    gate: GateReport,
    manifests: list[LoadManifest],
    rule_versions: dict[str, str],
) -> Publication:
    """Stage the warehouse and Parquet files of a new publication in `staging` (nothing is switched
    in here: switch_release does that once every output is built)."""
    if not gate.passed:
        raise PublicationBlocked(gate.summary())
    published_at = datetime.now(UTC)
    publication_id = f"{published_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    small = _publication_tables(publication_id, published_at, gate, manifests, rule_versions)
    previous = current_release(staging.parent.parent)
    small[HISTORY_TABLE] = history_table(
        previous / "warehouse.duckdb" if previous else None, small["publication"].to_pylist()[0], manifests
    )

    if staging.exists():  # a retried step of the same run starts its release again
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    final_db = staging / "warehouse.duckdb"
    parquet_dir = staging / "parquet"
    try:
        parquet_dir.mkdir()
        row_counts = write_release(warehouse, final_db, parquet_dir, declared().published, small)
        (staging / "PUBLICATION_ID").write_text(publication_id + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # a full disk gets its space back at once
        raise
    return Publication(publication_id, published_at, final_db, parquet_dir, row_counts)


def file_manifest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in a release, by relative path: what a release is, byte for byte."""
    digests = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digests[path.relative_to(folder).as_posix()] = digest.hexdigest()
    return digests


def _fsync_tree(folder: Path) -> None:
    """Flush every file and folder of the release to disk before the pointer names it, so a power
    cut after the switch cannot leave `current` naming half-written files."""
    for path in [*folder.rglob("*"), folder, folder.parent]:
        flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
        fd = os.open(path, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def current_release(published_dir: Path) -> Path | None:
    """The release `current` points at, or None before the first publication."""
    pointer = published_dir / "current"
    if not pointer.is_symlink():
        return None
    return (published_dir / os.readlink(pointer)).resolve()


def switch_release(published_dir: Path, staging: Path, keep: int) -> Path:
    """Make a completely built staging folder the current publication, in one atomic step."""
    id_file = staging / "PUBLICATION_ID"
    if not id_file.exists():
        raise PublicationBlocked(f"{staging} holds no staged publication: nothing to switch in")
    publication_id = id_file.read_text(encoding="utf-8").strip()
    (staging / MANIFEST).write_text(
        json.dumps({"publication_id": publication_id, "files": file_manifest(staging)}, indent=1), encoding="utf-8"
    )
    release = published_dir / "releases" / publication_id
    os.replace(staging, release)
    _fsync_tree(release)
    pointer = published_dir / "current"
    new_pointer = published_dir / f".current.{publication_id}"
    new_pointer.unlink(missing_ok=True)
    os.symlink(Path("releases") / publication_id, new_pointer, target_is_directory=True)
    os.replace(new_pointer, pointer)  # the single switch: readers see the old release or the new one
    fd = os.open(published_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    prune_releases(published_dir, keep)
    _remove_old_layout(published_dir)
    return release


OLD_LAYOUT = ("warehouse.duckdb", "parquet", "statements", "dashboard.html", "exports", "catalogue")


def _remove_old_layout(published_dir: Path) -> None:
    """Before releases, outputs lived at the top of data/published/; once `current` exists they are
    a stale publication a BI tool could still open by mistake, so they go."""
    for name in OLD_LAYOUT:
        path = published_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink(missing_ok=True)


def prune_releases(published_dir: Path, keep: int) -> list[Path]:
    """Keep the current release and the keep-1 newest before it; remove older ones and any release
    newer than current (switched in by nobody: its run died between rename and switch). A BI tool
    with an old file open keeps reading it: on Linux a removed file lives until it is closed."""
    releases = published_dir / "releases"
    current = current_release(published_dir)
    if current is None or not releases.is_dir():
        return []
    names = sorted(p.name for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    older = [n for n in names if n < current.name]
    kept = {current.name, *older[max(0, len(older) - (keep - 1)) :]} if keep > 1 else {current.name}
    removed = [releases / n for n in names if n not in kept]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def clean_leftovers(published_dir: Path, live_run_ids: Iterable[str]) -> list[Path]:
    """Remove what dead runs left: staging folders of runs no longer alive, half-made pointers, and
    the files of the layout before releases (warehouse.duckdb and .parquet.<id> folders at the top)."""
    live = set(live_run_ids)
    removed: list[Path] = []
    releases = published_dir / "releases"
    if releases.is_dir():
        for path in releases.iterdir():
            if path.name.startswith(STAGING_PREFIX) and path.name[len(STAGING_PREFIX) :] not in live:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    if published_dir.is_dir():
        for path in published_dir.iterdir():
            if path.name.startswith((".current.", ".parquet.", ".warehouse.")):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
    return removed
