"""The statement's good-employer section: the share of the partner's in-scope spend, and of the
contract value it awarded, with suppliers holding each scheme's status on the payment or award date
(kpi_supplier_attributes), and how many dated facts the figures rest on (fct_supplier_attribute).

Reads the published warehouse only. None (the section then says no figures were published) when no
supplier fact was loaded at all, or the partner has no row for the year.
"""

from __future__ import annotations

import duckdb


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def good_employers_context(con: duckdb.DuckDBPyConnection, partner: str, year: str) -> dict | None:
    facts = _rows(
        con,
        """select count(distinct fact_id) as facts,
                  count(distinct fact_id) filter (where is_matched) as matched,
                  count(distinct fact_id) filter (where not is_matched) as unmatched,
                  count(distinct fact_id) filter (where not coalesce(is_confirmed, false)) as unconfirmed
           from fct_supplier_attribute""",
        [],
    )[0]
    if not facts["facts"]:
        return None
    schemes = _rows(
        con,
        """select scheme_name, holding_spend_gbp, holding_spend_share_pct, holding_suppliers,
                  holding_contract_value_gbp, holding_contract_share_pct, contract_value_gbp,
                  unconfirmed_spend_gbp, unconfirmed_note, rule_version, unconfirmed_facts_rule,
                  partial_dates_rule, schemes_version, is_partial_year, partial_year_note
           from kpi_supplier_attributes
           where reporting_unit = ? and reporting_unit_type = 'partner' and financial_year = ?
           order by scheme_name""",
        [partner, year],
    )
    if not schemes:
        return None
    first = schemes[0]
    return {
        "schemes": schemes,
        "facts": facts,
        "rule_version": first["rule_version"],
        "schemes_version": first["schemes_version"],
        "unconfirmed_facts_rule": first["unconfirmed_facts_rule"],
        "partial_dates_rule": first["partial_dates_rule"],
        "partial_year_note": first["partial_year_note"] if first["is_partial_year"] else None,
    }
