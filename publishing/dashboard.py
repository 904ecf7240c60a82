"""The GM dashboard: one static HTML page comparing every partner and group on every KPI.

Built from the published Parquet files only. The data are embedded in the page and drawn by a few
lines of plain JavaScript (no libraries, no server), so it opens from disk on any machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

# table -> (title, columns shown: (column, label, unit))
DASHBOARD_KPIS = {
    "kpi_local_spend": ("Local spend", [("home_share_pct", "Home share", "%"), ("gm_share_pct", "GM share", "%"),
                                        ("in_scope_spend_gbp", "In-scope spend", "£"),
                                        ("unknown_location_spend_gbp", "Unknown location", "£"),
                                        ("located_spend_pct", "Location known", "%")]),
    "kpi_sv_secured": ("Social value secured", [("sv_secured_pct", "% of contract value", "%"),
                                                ("sv_committed_gbp", "Committed", "£"),
                                                ("contract_value_gbp", "Contract value", "£"),
                                                ("contracts_count", "Contracts", "")]),
    "kpi_sv_evaluation_weighting": ("Social value weighting", [("avg_sv_weighting_pct", "Average weighting", "%"),
                                                               ("contracts_count", "Contracts", "")]),
    "kpi_sme_vcse": ("SME and VCSE bids and awards", [("sme_bids_pct", "SME bids", "%"), ("vcse_bids_pct", "VCSE bids", "%"),
                                                      ("sme_awards_pct", "SME awards", "%"),
                                                      ("vcse_awards_pct", "VCSE awards", "%")]),
    "kpi_sv_delivery_summary": ("Social value delivery", [("delivery_pct", "Delivered % of committed", "%"),
                                                          ("committed_gbp", "Committed", "£"),
                                                          ("delivered_gbp", "Delivered", "£"),
                                                          ("red_contracts", "Red contracts", ""),
                                                          ("recent_return_pct", "Recent returns", "%")]),
}

# Tables whose rows can be provisional (coverage rule) or cover part of a year: the page shows the
# caveat beside the unit.
CAVEAT_COLUMNS = ["is_provisional", "provisional_reason", "is_partial_year", "partial_year_note"]

# A figure the mart states in words when it is not a measurement: column -> (text column, flag column).
# The page shows the mart's text and draws no bar where the flag is false (a bar would read as 0%).
DISPLAY_COLUMNS = {
    "kpi_local_spend": {"home_share_pct": ("home_share_display", "shares_known"),
                        "gm_share_pct": ("gm_share_display", "shares_known")},
}


def _records(parquet_dir: Path, table: str, columns: list[str]) -> list[dict]:
    path = parquet_dir / f"{table}.parquet"
    if not path.exists():
        return []
    wanted = ["reporting_unit", "reporting_unit_type", "financial_year", *columns]
    wanted += [c for c in CAVEAT_COLUMNS if c in pq.read_schema(path).names]
    wanted += sorted({c for pair in DISPLAY_COLUMNS.get(table, {}).values() for c in pair})
    rows = pq.read_table(path, columns=wanted).to_pylist()
    return [{k: (float(v) if hasattr(v, "as_tuple") else v) for k, v in row.items()} for row in rows]


def build_dashboard(parquet_dir: Path, out_path: Path) -> Path:
    data = {table: {"title": title,
                    "columns": [{"key": c, "label": l, "unit": u,
                                 **dict(zip(("display", "known"), DISPLAY_COLUMNS.get(table, {}).get(c, ())))}
                                for c, l, u in cols],
                    "rows": _records(parquet_dir, table, [c for c, _, _ in cols])}
            for table, (title, cols) in DASHBOARD_KPIS.items()}
    publication = pq.read_table(parquet_dir / "publication.parquet").to_pylist()[0]
    meta = {"publication_id": publication["publication_id"], "published_at": str(publication["published_at"]),
            "rule_versions": json.loads(publication["rule_versions"])}
    template = (Path(__file__).parent / "templates" / "dashboard.html").read_text(encoding="utf-8")
    payload = json.dumps({"kpis": data, "meta": meta}, default=str).replace("</", "<\\/")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(template.replace("/*DATA*/null", payload), encoding="utf-8")
    return out_path
