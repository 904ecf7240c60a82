"""The statement's "Where the money lands" section: deprivation of the neighbourhoods the partner's
in-scope spend reaches, the borough and ward table, and the GM map (issue 16).

Reads the published kpi_deprivation_spend and kpi_spend_by_area only. Every figure names the
edition of the Indices of Deprivation and the codes it was measured on, because a 2019 figure
(IMD 2019 on LSOA 2011) and a 2025 one (IoD 2025 on LSOA 2021) are not the same measurement.
"""

from __future__ import annotations

import duckdb
from markupsafe import Markup

from publishing.maps import spend_map

DOMAIN_LABELS = {"imd": "Index of Multiple Deprivation", "income": "Income domain", "employment": "Employment domain"}
TOP_WARDS = 10


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _published(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute("select count(*) from information_schema.tables where table_name = ?", [table]).fetchone()
    return bool(found and found[0])


def neighbourhoods_context(con: duckdb.DuckDBPyConnection, partner: str, year: str) -> dict | None:
    if not (_published(con, "kpi_deprivation_spend") and _published(con, "kpi_spend_by_area")):
        return None
    deprivation = _rows(
        con,
        "select * from kpi_deprivation_spend where reporting_unit = ? and financial_year = ? "
        "order by case domain when 'imd' then 1 when 'income' then 2 else 3 end",
        [partner, year],
    )
    if not deprivation:
        return None
    for row in deprivation:
        row["domain_label"] = DOMAIN_LABELS.get(row["domain"], row["domain"])
    trend = _rows(
        con,
        "select financial_year, edition_title, lsoa_vintage, decile_1_share_display, deciles_1_2_share_display, "
        "located_spend_pct from kpi_deprivation_spend where reporting_unit = ? and domain = 'imd' "
        "and financial_year <= ? order by financial_year",
        [partner, year],
    )
    areas = con.execute(
        "select * from kpi_spend_by_area where reporting_unit = ? and financial_year = ?", [partner, year]
    ).df()
    figure = spend_map(areas, partner, year)
    wards = _rows(
        con,
        "select area_name, lad_name, in_scope_spend_gbp, share_of_in_scope_pct, suppliers from kpi_spend_by_area "
        "where reporting_unit = ? and financial_year = ? and area_level = 'ward' and is_area "
        "order by in_scope_spend_gbp desc, area_name limit ?",
        [partner, year, TOP_WARDS],
    )
    first = deprivation[0]
    codes = "; ".join(sorted(set(areas["area_vintage"]))) if len(areas) else "no located spend"
    vintage = (
        f"{first['edition_title']}, neighbourhoods on LSOA {first['lsoa_vintage']} codes "
        f"(rule {first['rule_version']}); boroughs and wards on current codes ({codes})"
    )
    return {
        "deprivation": deprivation,
        "trend": trend,
        "vintage": vintage,
        "map_svg": Markup(figure.svg),  # rendered by publishing/maps.py from published figures only
        "map_alt": figure.alt_text,
        "map_level": figure.level,
        "districts": figure.table,
        "wards": wards,
        "location_rule_version": first["location_rule_version"],
    }
