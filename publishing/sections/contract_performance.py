"""Statement section: Procurement Act contract performance (UK9 KPI ratings) beside social value
delivery, with the contracts where the two disagree (config/rules.yml contract_performance).

Reads the published kpi_contract_performance only (the ratings over time are in fct_contract_kpi_rating). None when the
partner has no rated or notified contract for the year (no notices sent, or none rated that year).
"""

from __future__ import annotations

import duckdb

from publishing.sections import Section

TABLE = "kpi_contract_performance"


def _published(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute("select count(*) from information_schema.tables where table_name = ?", [table]).fetchone()
    return bool(found and found[0])


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def context(con: duckdb.DuckDBPyConnection, partner: str, year: str) -> dict | None:
    if not _published(con, TABLE):
        return None
    contracts = _records(
        con,
        f"""
        select contract_ref, title, supplier_name, contract_status, notice_types, kpi_count,
               latest_period_end, latest_rating, latest_rating_label, sv_rag_status,
               sv_delivery_pct, disagrees, comparison, is_on_register, rule_version
        from {TABLE}
        where reporting_unit = ? and financial_year = ?
        order by disagrees is not true, contract_ref
        """,
        [partner, year],
    )
    if not contracts:
        return None
    return {
        "contracts": contracts,
        "disagreeing": [c for c in contracts if c["disagrees"]],
        "rated": sum(1 for c in contracts if c["latest_rating"]),
        "compared": sum(1 for c in contracts if c["disagrees"] is not None),
        "not_on_register": [c for c in contracts if not c["is_on_register"]],
        "rule_version": contracts[0]["rule_version"],
    }


SECTION = Section(
    key="contract_performance",
    title="Contract performance and social value delivery",
    context=context,
    missing_text="No Procurement Act contract performance notices (UK9) were published for this partner for the year.",
)
