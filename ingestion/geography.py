"""Build the postcode -> local authority district lookup from a postcode directory.

Accepts the ONS Postcode Directory (ONSPD) and National Statistics Postcode Lookup (NSPL) CSV
layouts, whose LAD column has been called `laua`, `oslaua` and `lad<yy>cd` over the years, and the
smaller extracts that use `la_code`/`area_code`. The full directory has ~2.7 million rows, so only
the two needed columns are read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ingestion.normalise import normalise_postcodes
from ingestion.readers import header_key

POSTCODE_COLUMNS = ("pcds", "pcd", "pcd2", "postcode")
LAD_COLUMNS = ("laua", "oslaua", "la_code", "area_code", "lad_code", "ladcd")
TERMINATED_COLUMNS = ("doterm",)
WARD_COLUMNS = ("osward", "ward", "ward_code")


class PostcodeDirectoryError(ValueError):
    pass


def _pick(columns: list[str], candidates: tuple[str, ...], pattern: str | None = None) -> str | None:
    keyed = {header_key(c): c for c in columns}
    for candidate in candidates:
        if header_key(candidate) in keyed:
            return keyed[header_key(candidate)]
    if pattern:
        matches = sorted((c for c in columns if re.fullmatch(pattern, c.lower())), reverse=True)
        return matches[0] if matches else None
    return None


def read_postcode_directory(path: Path) -> pd.DataFrame:
    """Columns: postcode (normalised 'SK1 3XE'), lad_code, is_terminated, ward_code (if given)."""
    if not path.exists():
        raise PostcodeDirectoryError(
            f"postcode directory not found at {path}; set SVW_POSTCODE_DIRECTORY to an ONSPD or NSPL "
            "CSV (ONS Open Geography Portal) or use the bundled sample"
        )
    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()
    postcode_col = _pick(header, POSTCODE_COLUMNS)
    lad_col = _pick(header, LAD_COLUMNS, pattern=r"lad\d{2}cd")
    if postcode_col is None or lad_col is None:
        raise PostcodeDirectoryError(
            f"{path}: expected a postcode column ({', '.join(POSTCODE_COLUMNS)}) and a local authority "
            f"column ({', '.join(LAD_COLUMNS)} or ladYYcd); found: {', '.join(header)}"
        )
    terminated_col = _pick(header, TERMINATED_COLUMNS)
    ward_col = _pick(header, WARD_COLUMNS, pattern=r"wd\d{2}cd")
    usecols = [c for c in (postcode_col, lad_col, terminated_col, ward_col) if c]
    frame = pd.read_csv(path, usecols=usecols, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    out = pd.DataFrame(
        {
            "postcode": normalise_postcodes(frame[postcode_col]),
            "lad_code": frame[lad_col].str.strip().replace("", None),
            "is_terminated": (frame[terminated_col].str.strip() != "")
            if terminated_col
            else pd.Series(False, index=frame.index),
            "ward_code": frame[ward_col].str.strip().replace("", None)
            if ward_col
            else pd.Series(None, index=frame.index, dtype="string"),
        }
    )
    out = out.dropna(subset=["postcode", "lad_code"])
    # A live record wins over a terminated one for the same postcode.
    out = out.sort_values(["postcode", "is_terminated"]).drop_duplicates("postcode", keep="first")
    return out.reset_index(drop=True)
