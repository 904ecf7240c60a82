"""Which published figures are provisional (below the coverage rule), for the people running loads.

Readers see the caveat in the statements, the dashboard and the tables themselves; this list is for
the Dagster run log and the command line, so a data engineer notices a partner whose feeds thinned.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from publishing.declared import declared


def provisional_figures(warehouse: Path, tables: tuple[str, ...] | None = None) -> list[str]:
    """'table unit year: reason' for every provisional row, most recent year first. The tables that
    carry is_provisional / provisional_reason are those declared can_be_provisional (marts yml)."""
    known = declared().provisional
    tables = known if tables is None else tables
    unknown = set(tables) - set(known)
    if unknown:
        raise ValueError(f"{sorted(unknown)} carry no provisional flag; known: {known}")
    lines = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in tables:
            rows = con.execute(
                f"select reporting_unit, financial_year, provisional_reason from {table} "  # a declared table
                "where is_provisional order by financial_year desc, reporting_unit"
            ).fetchall()
            lines += [f"{table} {unit} {year}: {reason}" for unit, year, reason in rows]
    return lines


def partial_years(warehouse: Path) -> list[str]:
    """'unit year: note' for every local-spend figure resting on fewer than 12 months of spend.

    A short year is not a coverage failure (the months loaded may be complete and correct), but a
    reader comparing it with a full year is misled unless told, so the run names each one.
    """
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select reporting_unit, financial_year, partial_year_note, threshold_note "
            "from kpi_local_spend where is_partial_year "
            "order by financial_year desc, reporting_unit_type desc, reporting_unit"
        ).fetchall()
    return [f"{unit} {year}: {note}; threshold {threshold}" for unit, year, note, threshold in rows]
