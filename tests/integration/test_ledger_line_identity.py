"""stg_raw__spend's payment_id is tested through the three columns it is made from (partner, file
hash, row number: unique together, none null), not by hashing every line. These show the tests on
the three fail where payment_id itself is repeated or missing, and pass on the sample as loaded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingestion.dbt_digest import project_digest
from ingestion.settings import PROJECT_ROOT
from tests.integration.dbt_cli import run_dbt

LINE_TESTS = {
    "unique_together": "unique_together_stg_raw__spend",
    "not_null_hash": "not_null_stg_raw__spend_source_file_hash",
}


def _build_staging(tmp_path: Path, raw: Path) -> tuple[dict[str, str], Path]:
    """dbt build of stg_raw__spend and its tests: each test's status, and the warehouse."""
    warehouse = tmp_path / "w.duckdb"
    dbt_vars = {
        "svw_raw_dir": str(raw),
        "svw_warehouse": str(warehouse),
        "svw_project_digest": project_digest(PROJECT_ROOT / "dbt_project"),
    }
    run_dbt(["build", "--select", "stg_raw__spend"], dbt_vars, tmp_path)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2]: r["status"] for r in results}, warehouse


def _payment_ids(warehouse: Path) -> tuple[int, int]:
    """(ids repeated, ids missing) in the view, computed the costly way the tests avoid."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ((repeated, missing),) = con.execute(
            "select count(*) - count(distinct payment_id), count(*) - count(payment_id) from stg_raw__spend"
        ).fetchall()
    return repeated, missing


def _status(statuses: dict[str, str], test: str) -> str:
    (status,) = [s for name, s in statuses.items() if name.startswith(LINE_TESTS[test])]
    return status


def _a_month(raw: Path) -> Path:
    months = sorted((raw / "spend").glob("partner=*/period=*/rows.parquet"))
    return next(m for m in months if pq.read_metadata(m).num_rows > 1)


@pytest.mark.slow
def test_the_tests_on_the_three_columns_are_the_payment_ids_own(raw_layer, tmp_path):
    statuses, warehouse = _build_staging(tmp_path / "as_loaded", raw_layer)
    assert _payment_ids(warehouse) == (0, 0)
    assert _status(statuses, "unique_together") == "pass" and _status(statuses, "not_null_hash") == "pass"

    # the same file's rows under a second period (one file loaded into two partitions): ids repeat
    month = _a_month(raw_layer)
    copy = month.parent.parent / "period=2099-01"
    copy.mkdir()
    shutil.copy(month, copy / "rows.parquet")
    statuses, warehouse = _build_staging(tmp_path / "repeated", raw_layer)
    repeated, _ = _payment_ids(warehouse)
    assert repeated == pq.read_metadata(month).num_rows
    assert _status(statuses, "unique_together") == "fail"
    shutil.rmtree(copy)

    # a line without its file's hash: its payment_id is null
    table = pq.read_table(month)
    hashes = table.column("source_file_hash").to_pylist()
    hashes[0] = None
    at = table.schema.get_field_index("source_file_hash")
    pq.write_table(table.set_column(at, "source_file_hash", pa.array(hashes, pa.string())), month)
    statuses, warehouse = _build_staging(tmp_path / "missing", raw_layer)
    assert _payment_ids(warehouse)[1] == 1
    assert _status(statuses, "not_null_hash") == "fail"
