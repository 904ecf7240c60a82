"""The publication as an analyst opens it: pandas gets numbers (not `object`), a DuckDB 1.4 reader
(what BI drivers embed) opens the warehouse, the social value tables agree to the penny, and the
publication carries its history. Reads the session's `published_sample` only."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from orchestration import cli
from publishing.history import UK
from tests.conftest import PROJECT_ROOT

DUCKDB1 = PROJECT_ROOT / ".venv-duckdb1" / "bin" / "python"
PINNED_DUCKDB1 = (PROJECT_ROOT / "requirements-duckdb1.lock").read_text().strip().split("==")[1]


def _warehouse(ws):
    return ws.published / "warehouse.duckdb"


def test_pandas_reads_every_published_number_as_a_number(published_sample):
    """DECIMAL columns became `object` (Python Decimals) in pandas; the Parquet files now hold
    float64, equal to the warehouse's exact decimals to the penny."""
    with duckdb.connect(str(_warehouse(published_sample)), read_only=True) as con:
        decimals = con.execute(
            "select table_name, column_name from information_schema.columns where data_type like 'DECIMAL%'"
        ).fetchall()
        secured = con.execute(
            "select reporting_unit, financial_year, sv_committed_gbp from kpi_sv_secured order by 1, 2"
        ).fetchall()
    assert decimals, "the warehouse keeps exact DECIMAL money"
    parquet = published_sample.published / "parquet"
    frames = {}
    for table, column in decimals:
        frame = frames.setdefault(table, pd.read_parquet(parquet / f"{table}.parquet"))
        assert frame[column].dtype == "float64", (table, column, frame[column].dtype)
    frame = frames["kpi_sv_secured"].sort_values(["reporting_unit", "financial_year"])
    for (unit, year, exact), got in zip(secured, frame["sv_committed_gbp"], strict=True):
        assert f"{got:.2f}" == f"{exact:.2f}", (unit, year)
    assert frame["sv_committed_gbp"].sum() > 0  # sums without any conversion


def test_a_duckdb_1_4_reader_opens_the_published_warehouse(published_sample):
    if not DUCKDB1.exists():
        pytest.fail(f"no DuckDB {PINNED_DUCKDB1} reader at {DUCKDB1}: run `make duckdb1` (make test does)")
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "tables = sorted(r[0] for r in con.execute('select table_name from information_schema.tables').fetchall())\n"
        "rows = {t: con.execute(f'select count(*) from \"{t}\"').fetchone()[0] for t in tables}\n"
        "spend = con.execute('select sum(in_scope_spend_gbp)::varchar from kpi_local_spend').fetchone()[0]\n"
        "print(json.dumps({'version': duckdb.__version__, 'rows': rows, 'spend': spend}))\n"
    )
    result = subprocess.run(
        [str(DUCKDB1), "-c", script, str(_warehouse(published_sample))], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    old = json.loads(result.stdout)
    assert old["version"] == PINNED_DUCKDB1
    with duckdb.connect(str(_warehouse(published_sample)), read_only=True) as con:
        tables = sorted(r[0] for r in con.execute("select table_name from information_schema.tables").fetchall())
        rows = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
        spend = con.execute("select sum(in_scope_spend_gbp)::varchar from kpi_local_spend").fetchone()[0]
        storage = con.execute("select storage_version from publication").fetchone()[0]
    assert old["rows"] == rows and old["spend"] == spend
    assert storage == "v1.4.0"


def test_the_social_value_tables_agree_to_the_penny(published_sample):
    with duckdb.connect(str(_warehouse(published_sample)), read_only=True) as con:
        disagreements = con.execute("""
            with theme as (
                select reporting_unit, financial_year, sum(committed_gbp) as committed, sum(delivered_gbp) as delivered
                from kpi_sv_by_theme group by 1, 2
            )
            select s.reporting_unit, s.financial_year, s.sv_committed_gbp, d.committed_gbp, t.committed,
                   d.delivered_gbp, t.delivered
            from kpi_sv_secured s
            join kpi_sv_delivery_summary d using (reporting_unit, financial_year)
            join theme t using (reporting_unit, financial_year)
            where s.sv_committed_gbp <> d.committed_gbp or d.committed_gbp <> t.committed
               or d.delivered_gbp <> t.delivered""").fetchall()
        compared = con.execute("select count(*) from kpi_sv_secured").fetchone()[0]
    # every sample contract with commitments is over the secured threshold, so all three agree
    assert compared == 18 and disagreements == []


def test_the_publication_carries_its_history_and_answers_as_published(published_sample, capsys, monkeypatch):
    with duckdb.connect(str(_warehouse(published_sample)), read_only=True) as con:
        history = con.sql("select * from publication_history").to_arrow_table().to_pylist()
        publication_id, published_at = con.execute("select publication_id, published_at from publication").fetchone()
    assert [(h["publication_id"], h["status"]) for h in history] == [(publication_id, "current")]
    assert json.loads(history[0]["feeds"])["spend"] > 100
    monkeypatch.setenv("SVW_PUBLISHED_DIR", str(published_sample.published_root))
    with pytest.raises(SystemExit) as exit_:
        cli.main(["as-published", "--on", f"{published_at.astimezone(UK):%Y-%m-%d}"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert f"publication {publication_id}" in out and "still current" in out
    assert str(published_sample.published_root / "releases" / publication_id / "warehouse.duckdb") in out


def test_svw_as_published_is_a_console_command():
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "as-published", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "--on" in result.stdout
