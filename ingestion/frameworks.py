"""Social value frameworks (measure, unit, proxy value per edition) and the GM priority mapping.

Any framework with these columns loads the same way: framework, edition, valid_from, valid_to,
measure_code, theme, outcome, description, unit, proxy_value_gbp (empty = record-only measure).
Lines starting with '#' are notes; a framework whose notes or name say ILLUSTRATIVE is marked so in
every output that uses it. The National TOMs values are licensed: users supply their own file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

FRAMEWORK_COLUMNS = [
    "framework",
    "edition",
    "valid_from",
    "valid_to",
    "measure_code",
    "theme",
    "outcome",
    "description",
    "unit",
    "proxy_value_gbp",
]


class FrameworkError(ValueError):
    pass


def _data_lines(path: Path) -> tuple[list[str], list[str]]:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [line for line in lines if not line.startswith("#")], [line for line in lines if line.startswith("#")]


def read_framework(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FrameworkError(f"framework file not found: {path}; set SVW_FRAMEWORK to your framework CSV")
    data, notes = _data_lines(path)
    frame = pd.read_csv(io.StringIO("\n".join(data)), dtype=str, keep_default_na=False)
    missing = [c for c in FRAMEWORK_COLUMNS if c not in frame.columns]
    if missing:
        raise FrameworkError(f"{path}: missing column(s) {missing}; a framework needs {FRAMEWORK_COLUMNS}")
    out = frame[FRAMEWORK_COLUMNS].copy()
    problems = []
    for column in ("valid_from", "valid_to"):
        parsed = pd.to_datetime(out[column], format="%Y-%m-%d", errors="coerce")
        bad = out.index[parsed.isna()].tolist()
        if bad:
            problems.append(f"{column} is not a YYYY-MM-DD date on row(s) {[i + 2 for i in bad[:10]]}")
        out[column] = parsed.dt.date
    proxy = pd.to_numeric(out["proxy_value_gbp"].replace("", None), errors="coerce")
    bad = out.index[(out["proxy_value_gbp"] != "") & proxy.isna()].tolist()
    if bad:
        problems.append(f"proxy_value_gbp is not a number on row(s) {[i + 2 for i in bad[:10]]}")
    duplicated = out.duplicated(["framework", "edition", "measure_code"], keep=False)
    if duplicated.any():
        problems.append(f"measure listed twice in one edition on row(s) {[i + 2 for i in out.index[duplicated][:10]]}")
    if problems:
        raise FrameworkError(f"{path}: " + "; ".join(problems))
    out["proxy_value_gbp"] = proxy
    out["is_record_only"] = proxy.isna()
    illustrative = (
        any("ILLUSTRATIVE" in n.upper() for n in notes)
        or out["framework"].str.upper().str.contains("ILLUSTRATIVE").any()
    )
    out["is_illustrative"] = illustrative
    out["source_file"] = path.name
    return out


def read_gm_priorities(path: Path) -> pd.DataFrame:
    data, _ = _data_lines(path)
    frame = pd.DataFrame(list(csv.DictReader(data)))
    frame["rank"] = range(1, len(frame) + 1)
    return frame[["theme", "outcome", "gm_priority", "rank"]]
