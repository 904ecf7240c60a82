"""Publish the checked marts: a DuckDB file and one Parquet file per table, swapped in whole.

BI tools only ever read data/published/. The new warehouse is written to a temporary file in the
same folder and moved over the old one with os.replace (atomic on one filesystem), so a reader
sees the previous publication or the new one, never a mix; if anything fails first, the previous
publication is left exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from publishing.declared import declared
from publishing.gate import GateReport


class PublicationBlocked(RuntimeError):
    """A blocking check failed; nothing was published."""


@dataclass
class Publication:
    publication_id: str
    published_at: datetime
    warehouse_path: Path
    parquet_dir: Path
    row_counts: dict[str, int]


def read_tables(warehouse: Path, tables: tuple[str, ...] | None = None) -> dict[str, pa.Table]:
    """Every published table (declared in the marts yml, meta.published), as the working warehouse holds it."""
    tables = declared().published if tables is None else tables
    with duckdb.connect(str(warehouse), read_only=True) as con:
        known = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
        missing = [t for t in tables if t not in known]
        if missing:
            raise PublicationBlocked(
                f"working warehouse {warehouse} has no table(s) {missing}; run the dbt build first"
            )
        # Table names come from the dbt manifest's declarations, never from input.
        return {t: con.sql(f'select * from "{t}"').to_arrow_table() for t in tables}


def _publication_tables(
    publication_id: str, published_at: datetime, gate: GateReport, manifests: list[dict], rule_versions: dict[str, str]
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
            }
        ]
    )
    feeds = pa.Table.from_pylist(
        [
            {
                "publication_id": publication_id,
                "partner_code": m["partner"],
                "feed": m["feed"],
                "period": m["period"],
                "source_file": m["source_file"],
                "source_file_hash": m["source_file_hash"],
                "load_id": m["load_id"],
                "loaded_at": m["loaded_at"],
                "rows_in": m["rows_in"],
                "rows_loaded": m["rows_loaded"],
                "rows_quarantined": m["rows_quarantined"],
                "passed": m["passed"],
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
            ]
        ),
    )
    checks = pa.Table.from_pylist([{"publication_id": publication_id, **c} for c in gate.as_records()])
    return {"publication": publication, "publication_feeds": feeds, "publication_checks": checks}


def publish(
    warehouse: Path, published_dir: Path, gate: GateReport, manifests: list[dict], rule_versions: dict[str, str]
) -> Publication:
    if not gate.passed:
        raise PublicationBlocked(gate.summary())
    published_at = datetime.now(UTC)
    publication_id = f"{published_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    tables = read_tables(warehouse)
    tables.update(_publication_tables(publication_id, published_at, gate, manifests, rule_versions))

    published_dir.mkdir(parents=True, exist_ok=True)
    tmp_db = published_dir / f".warehouse.{publication_id}.duckdb"
    tmp_parquet = published_dir / f".parquet.{publication_id}"
    try:
        with duckdb.connect(str(tmp_db)) as con:
            for name, table in tables.items():
                con.register("incoming", table)
                con.execute(f'create table "{name}" as select * from incoming')
                con.unregister("incoming")
        tmp_parquet.mkdir()
        for name, table in tables.items():
            pq.write_table(table, tmp_parquet / f"{name}.parquet")
        final_db = published_dir / "warehouse.duckdb"
        os.replace(tmp_db, final_db)
        final_parquet = published_dir / "parquet"
        old = published_dir / f".parquet.old.{publication_id}"
        if final_parquet.exists():
            os.replace(final_parquet, old)
        os.replace(tmp_parquet, final_parquet)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        tmp_db.unlink(missing_ok=True)
        shutil.rmtree(tmp_parquet, ignore_errors=True)
    return Publication(
        publication_id, published_at, final_db, final_parquet, {name: t.num_rows for name, t in tables.items()}
    )
