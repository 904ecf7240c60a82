"""The GM dashboard: one static HTML page comparing every partner and group on every KPI.

Its panels are the published tables declared with a dashboard entry in the marts yml (title and
columns shown, meta.published.dashboard), read through publishing/declared.py.

Built from the published Parquet files only. The data are embedded in the page and drawn by a few
lines of plain JavaScript (no libraries, no server), so it opens from disk on any machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from publishing.declared import declared

# Tables whose rows can be provisional (coverage rule) or cover part of a year: the page shows the
# caveat beside the unit.
CAVEAT_COLUMNS = ["is_provisional", "provisional_reason", "is_partial_year", "partial_year_note"]


def display_columns(table: str) -> dict[str, tuple[str, str]]:
    """A figure the mart states in words when it is not a measurement (stated_only_when in the marts
    yml): column -> (text column, flag column). The page shows the mart's text and draws no bar
    where the flag is false (a bar would read as 0%)."""
    declaration = declared().tables[table]
    return {figure: (words, flag) for figure, flag, words in declaration.stated_only_when}


def _records(parquet_dir: Path, table: str, columns: list[str]) -> list[dict]:
    path = parquet_dir / f"{table}.parquet"
    if not path.exists():
        return []
    wanted = ["reporting_unit", "reporting_unit_type", "financial_year", *columns]
    wanted += [c for c in CAVEAT_COLUMNS if c in pq.read_schema(path).names]
    wanted += sorted({c for pair in display_columns(table).values() for c in pair})
    rows = pq.read_table(path, columns=wanted).to_pylist()
    return [{k: (float(v) if hasattr(v, "as_tuple") else v) for k, v in row.items()} for row in rows]


def build_dashboard(parquet_dir: Path, out_path: Path) -> Path:
    # every table declared with a dashboard panel in the marts yml, in the declared order
    data = {
        d.name: {
            "title": d.dashboard_title,
            "columns": [
                {
                    "key": c,
                    "label": label,
                    "unit": u,
                    **dict(zip(("display", "known"), display_columns(d.name).get(c, ()))),
                }
                for c, label, u in d.dashboard_columns
            ],
            "rows": _records(parquet_dir, d.name, [c for c, _, _ in d.dashboard_columns]),
        }
        for d in declared().dashboard
    }
    publication = pq.read_table(parquet_dir / "publication.parquet").to_pylist()[0]
    meta = {
        "publication_id": publication["publication_id"],
        "published_at": str(publication["published_at"]),
        "rule_versions": json.loads(publication["rule_versions"]),
    }
    template = (Path(__file__).parent / "templates" / "dashboard.html").read_text(encoding="utf-8")
    payload = json.dumps({"kpis": data, "meta": meta}, default=str).replace("</", "<\\/")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(template.replace("/*DATA*/null", payload), encoding="utf-8")
    return out_path
