"""CSV files and one Excel workbook of the KPI tables, safe to open in a spreadsheet.

In the CSV files, text cells starting with '=', '+', '-' or '@' (or a tab/carriage return) are
prefixed with an apostrophe, so a supplier name such as '=HYPERLINK(...)' in a partner's file can
never run as a formula in someone's Excel (a CSV has no other way to say "text"). The workbook
(publishing/workbook.py) stores such text as text cells instead, with nothing added.

A spreadsheet sums, averages and charts whatever number it is given, so a share the mart does not
state (kpi_local_spend.shares_known false: too little spend has a known supplier location) is left
empty here, beside the mart's own words for it ("not yet known (…% of spend located)"). The
published warehouse and Parquet files keep the number for BI tools, which check shares_known.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from publishing.declared import declared
from publishing.workbook import write_workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WORKBOOK = "gm_social_value_kpis.xlsx"


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype) in ("str", "string"):
            out[column] = out[column].map(neutralise)
    return out


def unstated_left_empty(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Figures the mart flags as not stated (declared stated_only_when in the marts yml) become empty
    cells (None, written as nothing in CSV and Excel)."""
    declaration = declared().tables.get(table)
    figures = [
        (figure, flag)
        for figure, flag, _ in (declaration.stated_only_when if declaration else ())
        if figure in frame.columns and flag in frame.columns
    ]
    if not figures:
        return frame
    out = frame.copy()
    for column, flag in figures:
        stated = frame[flag].astype("boolean").fillna(False).astype(bool)
        out[column] = out[column].astype(object).where(stated, None)
    return out


NOTES = (
    "Figures from the published GM social value warehouse; definitions in the catalogue "
    "(catalogue/index.html). In the CSV files, text starting with = + - @ is prefixed with ' so it "
    "cannot run as a formula; in this workbook such text is stored as text, with no prefix.",
    "kpi_local_spend: where shares_known is FALSE too little in-scope spend has a known supplier location "
    "to state a share; home_share_pct and gm_share_pct are left empty and home_share_display / "
    "gm_share_display say 'not yet known (x% of spend located)'. Never read an empty share as 0%.",
    "kpi_local_spend: where is_partial_year is TRUE spend is loaded for only months_covered of the 12 "
    "months (partial_year_note names them); threshold_note says how the in-scope threshold treated the "
    "short year.",
)


def export_tables(parquet_dir: Path, out_dir: Path, publication: dict) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = {
        t: unstated_left_empty(t, pq.read_table(parquet_dir / f"{t}.parquet").to_pandas())
        for t in declared().exported
        if (parquet_dir / f"{t}.parquet").exists()
    }
    written = {}
    for table, frame in frames.items():
        path = out_dir / f"{table}.csv"
        safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")  # BOM: Excel opens UTF-8 correctly
        written[table] = path
    rule_versions = f"Rule versions of this publication: {publication['rule_versions']}."
    written["workbook"] = write_workbook(frames, publication, out_dir / WORKBOOK, [*NOTES, rule_versions])
    return written
