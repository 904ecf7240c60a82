"""The raw layer: one directory per feed x partner x period, replaced whole or not at all.

    data/raw/<feed>/partner=<code>/period=<yyyy-mm|current>/
        rows.parquet        rows that loaded, with lineage
        quarantine.parquet  rows that did not, each with its reason and fix
        _load.json          the load manifest: file, hash, counts, every check result

Only ingestion writes here and only dbt reads it, so no two processes ever hold the warehouse file.
A new load is written under _staging/ and swapped in with renames, so a reader sees the old
partition or the new one, never half of each; an unchanged file (same hash, same mapping, same
rules) is not reloaded at all.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.manifest import LoadManifest

MANIFEST = "_load.json"
ROWS = "rows.parquet"
QUARANTINE = "quarantine.parquet"

QUARANTINE_SCHEMA = pa.schema(
    [
        ("partner_code", pa.string()),
        ("feed", pa.string()),
        ("period", pa.string()),
        ("source_file", pa.string()),
        ("source_file_hash", pa.string()),
        ("source_row_number", pa.int64()),
        ("load_id", pa.string()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
        ("checks", pa.string()),
        ("reason", pa.string()),
        ("fix", pa.string()),
        ("raw_record", pa.string()),
        # parsed where the row's cells could be read (null otherwise): the exact £ set aside, and the
        # date that places it in a financial year
        ("amount_pence", pa.int64()),
        ("payment_date", pa.date32()),
    ]
)


def partition_dir(raw_dir: Path, feed: str, partner: str, period: str) -> Path:
    return raw_dir / feed / f"partner={partner}" / f"period={period}"


def read_manifest(raw_dir: Path, feed: str, partner: str, period: str) -> LoadManifest | None:
    path = partition_dir(raw_dir, feed, partner, period) / MANIFEST
    if not path.exists():
        return None
    return LoadManifest.from_dict(json.loads(path.read_text(encoding="utf-8")), where=str(path))


def all_manifests(raw_dir: Path) -> list[LoadManifest]:
    """Every current partition's manifest (what the publication gate and lineage read)."""
    manifests = []
    for path in sorted(raw_dir.glob(f"*/partner=*/period=*/{MANIFEST}")):
        if "_staging" in path.parts or "_trash" in path.parts:
            continue
        manifests.append(LoadManifest.from_dict(json.loads(path.read_text(encoding="utf-8")), where=str(path)))
    return manifests


def write_partition(
    raw_dir: Path, feed: str, partner: str, period: str, rows: pa.Table, quarantine: pa.Table, manifest: LoadManifest
) -> Path:
    load_id = manifest.load_id
    staging = raw_dir / "_staging" / load_id
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    pq.write_table(rows, staging / ROWS)
    pq.write_table(quarantine.cast(QUARANTINE_SCHEMA), staging / QUARANTINE)
    (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")

    final = partition_dir(raw_dir, feed, partner, period)
    final.parent.mkdir(parents=True, exist_ok=True)
    trash = raw_dir / "_trash" / load_id
    if final.exists():
        trash.parent.mkdir(parents=True, exist_ok=True)
        os.replace(final, trash)
    os.replace(staging, final)
    if trash.exists():
        shutil.rmtree(trash)
    return final


# The one place the placeholder partition is named. It holds no rows (an empty, typed table), so no
# reader needs to filter it out; it has no manifest, so it is never counted as a load.
PLACEHOLDER = ("_none", "_none")


def ensure_feed_placeholders(raw_dir: Path, schemas: dict[str, pa.Schema]) -> None:
    """An empty, typed rows.parquet per feed, so dbt's sources read an empty table (not an error)
    when no partner has sent that feed yet. It has no manifest, so it is not a load."""
    for feed, schema in schemas.items():
        folder = partition_dir(raw_dir, feed, *PLACEHOLDER)
        if not (folder / ROWS).exists():
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(schema.empty_table(), folder / ROWS)
            pq.write_table(QUARANTINE_SCHEMA.empty_table(), folder / QUARANTINE)


def write_tables(tables: dict, folder: Path) -> dict[str, int]:
    """Small derived tables (reference, resolution) as <name>.parquet, each replaced atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, frame in tables.items():
        tmp = folder / f".{name}.parquet.tmp"
        frame.to_parquet(tmp, index=False)
        tmp.replace(folder / f"{name}.parquet")
        counts[name] = len(frame)
    return counts
