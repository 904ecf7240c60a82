"""dbt's DuckDB runs under the memory limit the settings give it (SVW_DBT_MEMORY_LIMIT, handed to dbt
as the `svw_dbt_memory_limit` var with the other paths), not DuckDB's default of 80% of the machine:
at 10M ledger lines that default let dbt's step take the whole run past 4 GB (docs/performance.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.settings import load_settings
from tests.integration.dbt_cli import run_dbt


def _memory_limit_dbt_sees(tmp_path: Path, dbt_vars: dict[str, str]) -> str:
    result = run_dbt(["run-operation", "show_memory_limit"], dbt_vars, tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "duckdb memory_limit:" in line)
    return line.split("duckdb memory_limit:", 1)[1].strip()


def test_the_run_hands_dbt_its_memory_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("SVW_DBT_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("SVW_WORK_DIR", str(tmp_path / "work"))
    settings = load_settings()
    assert settings.dbt_vars()["svw_dbt_memory_limit"] == "1GB"
    (tmp_path / "work").mkdir()
    assert _memory_limit_dbt_sees(tmp_path, settings.dbt_vars()) == "953.6 MiB"  # DuckDB's 1GB, in MiB


def test_the_default_is_two_gigabytes_not_most_of_the_machine(tmp_path, monkeypatch):
    monkeypatch.delenv("SVW_DBT_MEMORY_LIMIT", raising=False)
    monkeypatch.setenv("SVW_WORK_DIR", str(tmp_path / "work"))
    (tmp_path / "work").mkdir()
    assert _memory_limit_dbt_sees(tmp_path, load_settings().dbt_vars()) == "1.8 GiB"  # DuckDB's 2GB


@pytest.mark.parametrize("value", ["two gigabytes", "2", "-1GB", "80%"])
def test_a_limit_duckdb_would_not_read_is_refused_with_the_fix(monkeypatch, value):
    monkeypatch.setenv("SVW_DBT_MEMORY_LIMIT", value)
    with pytest.raises(ValueError, match="SVW_DBT_MEMORY_LIMIT=.*such as 2GB or 1536MB"):
        load_settings()
