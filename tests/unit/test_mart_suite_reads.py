"""The Great Expectations gate reads only the columns a mart's suite checks (a 10M-row fct_spend held
whole in pandas cost most of a GM-scale run's memory), and still checks every column against the
published contract."""

from types import SimpleNamespace

import duckdb
import pytest

from publishing.declared import declared
from publishing.kpi_suite import suite_columns, validate_kpi
from publishing.mart_validation import read_mart

TABLE = "kpi_local_spend"


def _row(unit: str, home_share: str) -> dict[str, str | None]:
    values = {c: None for c in declared().tables[TABLE].columns}
    values |= {
        "reporting_unit": unit,
        "reporting_unit_type": "partner",
        "financial_year": "2024/25",
        "rule_version": "local-spend-v1",
        "in_scope_spend_gbp": "1000.00",
        "home_share_pct": home_share,
        "gm_share_pct": "60.0",
        "located_spend_pct": "100.0",
    }
    return values


def _warehouse(tmp_path, rows: list[dict], rename: tuple[str, str] | None = None):
    path = tmp_path / "warehouse.duckdb"
    columns = list(rows[0])
    named = [rename[1] if rename and c == rename[0] else c for c in columns]
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table {TABLE} ({', '.join(f'{c} varchar' for c in named)})")
        con.executemany(
            f"insert into {TABLE} values ({', '.join('?' for _ in columns)})", [list(r.values()) for r in rows]
        )
    return SimpleNamespace(warehouse_path=path)


def _failed(results) -> set[str]:
    return {r.check for r in results if not r.success}


def test_the_suite_reads_a_few_columns_of_the_contract():
    read = suite_columns(TABLE)
    contract = list(declared().tables[TABLE].columns)
    assert {"reporting_unit", "financial_year", "rule_version", "home_share_pct"} <= set(read)
    assert len(read) < len(contract) and [c for c in contract if c in read] == read
    assert len(suite_columns("fct_spend")) < len(declared().tables["fct_spend"].columns) / 2


def test_only_the_suite_columns_are_read_and_a_good_mart_passes(tmp_path):
    settings = _warehouse(tmp_path, [_row("TRA", "40.0"), _row("STO", "55.5")])
    frame, columns = read_mart(settings.warehouse_path, TABLE)
    assert list(frame.columns) == suite_columns(TABLE)
    assert columns == list(declared().tables[TABLE].columns)
    assert _failed(validate_kpi(TABLE, frame, True, columns)) == set()


@pytest.mark.parametrize(
    ("rows", "failing"),
    [
        ([_row("TRA", "40.0"), _row("TRA", "41.0")], "kpi_local_spend_one_row_per_key"),
        ([_row("TRA", "140.0")], "kpi_local_spend_home_share_pct_in_range"),
    ],
)
def test_a_planted_defect_in_a_read_column_still_fails(tmp_path, rows, failing):
    frame, columns = read_mart(_warehouse(tmp_path, rows).warehouse_path, TABLE)
    assert _failed(validate_kpi(TABLE, frame, True, columns)) == {failing}


def test_a_column_the_suite_never_reads_is_still_held_to_the_contract(tmp_path):
    unread = next(c for c in declared().tables[TABLE].columns if c not in suite_columns(TABLE))
    settings = _warehouse(tmp_path, [_row("TRA", "40.0")], rename=(unread, unread + "_renamed"))
    frame, columns = read_mart(settings.warehouse_path, TABLE)
    assert unread + "_renamed" in columns and unread + "_renamed" not in frame.columns
    assert _failed(validate_kpi(TABLE, frame, True, columns)) == {"kpi_local_spend_columns_match_contract"}
