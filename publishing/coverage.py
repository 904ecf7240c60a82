"""Which published figures are provisional (below the coverage rule), for the people running loads.

Readers see the caveat in the statements, the dashboard and the tables themselves; this list is for
the Dagster run log and the command line, so a data engineer notices a partner whose feeds thinned.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# Published tables that carry is_provisional / provisional_reason.
PROVISIONAL_TABLES = ("kpi_local_spend", "kpi_sv_delivery_summary")


def provisional_figures(warehouse: Path, tables: tuple[str, ...] = PROVISIONAL_TABLES) -> list[str]:
    """'table unit year: reason' for every provisional row, most recent year first."""
    unknown = set(tables) - set(PROVISIONAL_TABLES)
    if unknown:
        raise ValueError(f"{sorted(unknown)} carry no provisional flag; known: {PROVISIONAL_TABLES}")
    lines = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in tables:
            rows = con.execute(
                f"select reporting_unit, financial_year, provisional_reason from {table} "  # table: one of the constants above
                "where is_provisional order by financial_year desc, reporting_unit").fetchall()
            lines += [f"{table} {unit} {year}: {reason}" for unit, year, reason in rows]
    return lines
