"""A mart suite's results are handed from the run's check to its gate (publishing/mart_results.py)
only when they answer what the gate would ask now: the same run, the same question, and the
warehouse file untouched since the suite read it. Anything else must make the gate validate again."""

import json

import duckdb
import pytest

from ingestion.validate import CheckResult
from publishing import mart_results

TABLE = "kpi_local_spend"
RUN = "run-1"


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "work" / "warehouse.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table {TABLE} as select 'TRA' as reporting_unit")
    return path


def _results() -> list[CheckResult]:
    return [
        CheckResult("kpi_local_spend_one_row_per_key", "blocking", True, "one row per key", "fix", 0, 1),
        CheckResult("home_share_pct_in_range", "blocking", False, "a share is a percentage", "fix", 2, 1, [1, 2]),
    ]


def test_the_same_run_gets_the_results_back_exactly(warehouse):
    mart_results.save(warehouse, RUN, TABLE, True, _results())
    assert mart_results.load(warehouse, RUN, TABLE, True) == _results()


def test_a_failed_check_comes_back_failed(warehouse):
    mart_results.save(warehouse, RUN, TABLE, True, _results())
    kept = mart_results.load(warehouse, RUN, TABLE, True)
    assert kept is not None and [r.success for r in kept] == [True, False]


@pytest.mark.parametrize(
    ("run_id", "table", "expect_rows"),
    [("run-2", TABLE, True), (RUN, "kpi_sv_secured", True), (RUN, TABLE, False)],
    ids=["another run", "another table", "another question"],
)
def test_another_run_table_or_question_gets_nothing(warehouse, run_id, table, expect_rows):
    mart_results.save(warehouse, RUN, TABLE, True, _results())
    assert mart_results.load(warehouse, run_id, table, expect_rows) is None


def test_a_warehouse_written_after_the_check_gets_nothing(warehouse):
    mart_results.save(warehouse, RUN, TABLE, True, _results())
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"insert into {TABLE} values ('STO')")
    assert mart_results.load(warehouse, RUN, TABLE, True) is None


def test_a_warehouse_replaced_after_the_check_gets_nothing(warehouse):
    mart_results.save(warehouse, RUN, TABLE, True, _results())
    rebuilt = warehouse.with_name("rebuilt.duckdb")
    with duckdb.connect(str(rebuilt)) as con:
        con.execute(f"create table {TABLE} as select 'TRA' as reporting_unit")
    rebuilt.replace(warehouse)
    assert mart_results.load(warehouse, RUN, TABLE, True) is None


def test_reading_the_warehouse_keeps_the_results(warehouse):
    mart_results.save(warehouse, RUN, TABLE, True, _results())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"select * from {TABLE}").fetchall()
    assert mart_results.load(warehouse, RUN, TABLE, True) == _results()


@pytest.mark.parametrize(
    "damage",
    ["", "{not json", json.dumps({"run_id": RUN}), json.dumps([1, 2])],
    ids=["empty", "not json", "fields missing", "another layout"],
)
def test_a_damaged_or_missing_file_gets_nothing(warehouse, damage):
    assert mart_results.load(warehouse, RUN, TABLE, True) is None
    path = mart_results.save(warehouse, RUN, TABLE, True, _results())
    path.write_text(damage, encoding="utf-8")
    assert mart_results.load(warehouse, RUN, TABLE, True) is None


def test_a_result_with_fields_renamed_gets_nothing(warehouse):
    path = mart_results.save(warehouse, RUN, TABLE, True, _results())
    record = json.loads(path.read_text(encoding="utf-8"))
    record["results"][0]["passed"] = record["results"][0].pop("success")
    path.write_text(json.dumps(record), encoding="utf-8")
    assert mart_results.load(warehouse, RUN, TABLE, True) is None


def test_one_file_per_table_and_no_temporary_left(warehouse):
    for run in ("run-1", "run-2", "run-3"):
        mart_results.save(warehouse, run, TABLE, True, _results())
    folder = warehouse.parent / mart_results.FOLDER
    assert [p.name for p in folder.iterdir()] == [f"{TABLE}.json"]
    assert mart_results.load(warehouse, "run-3", TABLE, True) == _results()
    assert mart_results.load(warehouse, "run-1", TABLE, True) is None
