"""A mart read in parts (publishing.mart_validation, for GM-scale tables) gets the answers a whole
read gets: the same checks passing and failing, the same failing-row counts and example rows. Parts
are tiny here so that every planted defect's rows are split across parts."""

import duckdb
import pytest

from ingestion.validate import BLOCKING, Expectation, gx, run_suite_in_parts
from publishing.declared import declared
from publishing.mart_validation import validate_mart

TABLE = "kpi_local_spend"
UNITS = ["TRA", "STO", "ROC", "TAM", "BOL", "BUR", "MAN", "OLD", "SAL", "WIG"]
YEARS = ["2021/22", "2022/23", "2023/24", "2024/25"]


def _rows() -> list[dict]:
    rows = []
    for unit in UNITS:
        for year in YEARS:
            values = {c: None for c in declared().tables[TABLE].columns}
            values |= {
                "reporting_unit": unit,
                "reporting_unit_type": "partner",
                "financial_year": year,
                "rule_version": "local-spend-v1",
                "in_scope_spend_gbp": "1000.00",
                "home_share_pct": "40.0",
                "gm_share_pct": "60.0",
                "located_spend_pct": "100.0",
            }
            rows.append(values)
    return rows


def _warehouse(tmp_path, table: str, rows: list[dict]):
    path = tmp_path / "warehouse.duckdb"
    columns = list(rows[0])
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table {table} ({', '.join(f'{c} varchar' for c in columns)})")
        con.executemany(
            f"insert into {table} values ({', '.join('?' for _ in columns)})", [list(r.values()) for r in rows]
        )
    return path


def _outcome(results) -> list[tuple]:
    return [(r.check, r.success, r.failing_rows, r.rows_checked, r.example_rows) for r in results]


def _defective() -> list[dict]:
    rows = _rows()
    rows[3]["home_share_pct"] = "140.0"
    rows[17]["home_share_pct"] = "-1.0"
    rows[25]["rule_version"] = None
    rows[30]["financial_year"] = "2024-25"
    rows.append(dict(rows[5]))  # the key of row 6 again, at row 41
    rows.append(dict(rows[12]) | {"in_scope_spend_gbp": "-5.00"})  # row 13's key again, negative
    return rows


def test_parts_find_every_planted_defect_a_whole_read_finds(tmp_path):
    warehouse = _warehouse(tmp_path, TABLE, _defective())
    whole = validate_mart(warehouse, TABLE, rows_per_part=1_000)
    in_parts = validate_mart(warehouse, TABLE, rows_per_part=7)  # 42 rows: six parts
    assert _outcome(in_parts) == _outcome(whole)
    failed = {r.check: r for r in whole if not r.success}
    assert set(failed) == {
        f"{TABLE}_one_row_per_key",
        f"{TABLE}_rule_version_present",
        f"{TABLE}_financial_year_format",
        f"{TABLE}_home_share_pct_in_range",
        f"{TABLE}_in_scope_spend_gbp_non_negative",
    }
    assert failed[f"{TABLE}_one_row_per_key"].example_rows == [6, 13, 41, 42]
    assert failed[f"{TABLE}_home_share_pct_in_range"].example_rows == [4, 18]
    assert all(r.rows_checked == 42 for r in in_parts)


def test_a_clean_mart_in_parts_passes_and_its_contract_is_still_checked(tmp_path):
    rows = _rows()
    warehouse = _warehouse(tmp_path, TABLE, rows)
    assert all(r.success for r in validate_mart(warehouse, TABLE, rows_per_part=5))
    renamed = [{("home_share" if k == "home_share_pct" else k): v for k, v in r.items()} for r in rows]
    other = tmp_path / "other"
    other.mkdir()
    failed = [
        r.check for r in validate_mart(_warehouse(other, TABLE, renamed), TABLE, rows_per_part=5) if not r.success
    ]
    assert f"{TABLE}_columns_match_contract" in failed


def test_a_mart_without_a_key_is_split_by_position_and_its_row_count_is_the_whole_tables(tmp_path):
    table = "fct_sv_commitment"
    rows = [{c: None for c in declared().tables[table].columns} | {"rule_version": "sv-v1"} for _ in range(9)]
    rows[4]["rule_version"] = None
    warehouse = _warehouse(tmp_path, table, rows)
    whole = validate_mart(warehouse, table, rows_per_part=100)
    in_parts = validate_mart(warehouse, table, rows_per_part=2)
    assert _outcome(in_parts) == _outcome(whole)
    assert {r.check for r in in_parts if not r.success} == {f"{table}_rule_version_present"}
    has_rows = next(r for r in in_parts if r.check == f"{table}_has_rows")
    assert has_rows.success and has_rows.rows_checked == 9


def test_a_check_that_cannot_be_added_up_over_parts_is_refused_not_approximated():
    E = gx.expectations
    mostly = Expectation("mostly_named", BLOCKING, "r", "f", E.ExpectColumnValuesToNotBeNull(column="a", mostly=0.9))
    mean = Expectation(
        "mean", BLOCKING, "r", "f", E.ExpectColumnMeanToBeBetween(column="a", min_value=0), row_level=False
    )
    for exp in (mostly, mean):
        with pytest.raises(ValueError, match=exp.check):
            run_suite_in_parts(iter([]), 10, [exp], "suite")
