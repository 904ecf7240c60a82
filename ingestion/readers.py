"""Read a partner's file, whatever its export looks like, into a table of text cells.

Councils publish CSV in several encodings and delimiters, with title lines above the header,
trailing empty columns, runs of empty `,,,,` lines (one Stockport month had a million), as Excel,
and zipped. This module deals with the container and the text only: every cell stays a string so
that parsing amounts and dates happens in one place (normalise.py) with row-level errors.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

HEADER_SCAN_LINES = 30
_MISDECODED_BOM = "\u00ef\u00bb\u00bf"  # a UTF-8 byte-order mark read as cp1252 and saved again


class ReadError(ValueError):
    """The file cannot be read as a table; the message says which file and what to change."""


@dataclass
class RawTable:
    """The cells of one file: text columns named as in the file, and each row's number in the file."""

    frame: pd.DataFrame
    row_numbers: pd.Series
    header_row: int
    encoding: str | None
    delimiter: str | None
    blank_rows_skipped: int
    from_excel: bool


def header_key(name: str) -> str:
    """Compare header names ignoring case, spacing, punctuation and stray byte-order marks."""
    name = name.replace(_MISDECODED_BOM, "").replace("\ufeff", "")
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def _decode(data: bytes, encoding: str | None, source: str) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"{source}: not valid {encoding} at byte {exc.start}; set 'encoding' for this "
                "feed in config/partners.yml to the file's real encoding (often cp1252 or utf-8)"
            ) from exc
    for candidate in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{source}: could not decode the file")  # latin-1 never fails; kept for clarity


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _find_header(rows: list[list[str]], expected: set[str]) -> int:
    """Index of the header row: the first of the opening rows naming the most expected columns."""
    best_index, best_hits = 0, 0
    for index, row in enumerate(rows[:HEADER_SCAN_LINES]):
        hits = len({header_key(cell) for cell in row} & expected)
        if hits > best_hits:
            best_index, best_hits = index, hits
    return best_index


def _clean_frame(frame: pd.DataFrame, na_values: tuple[str, ...]) -> pd.DataFrame:
    """Strip cells; empty cells and the partner's declared missing markers (e.g. `NA`) become NA."""
    frame = frame.fillna("").astype(str).apply(lambda col: col.str.strip())
    missing = {""} | set(na_values)
    return frame.mask(frame.isin(missing))


def _finish(frame: pd.DataFrame, header: list[str], first_data_row: int, na_values, **meta) -> RawTable:
    header = [str(h).replace(_MISDECODED_BOM, "").replace("\ufeff", "").strip() for h in header]
    frame = frame.iloc[:, : len(header)] if frame.shape[1] > len(header) else frame
    names = header[: frame.shape[1]] + [""] * max(0, frame.shape[1] - len(header))
    frame.columns = range(frame.shape[1])
    frame = _clean_frame(frame, na_values)
    # Columns with no name and no values (trailing commas) are an export artefact, not data.
    keep = [i for i, name in enumerate(names) if name or frame.iloc[:, i].notna().any()]
    frame = frame.iloc[:, keep]
    frame.columns = [names[i] or f"column_{i + 1}" for i in keep]
    row_numbers = pd.Series(range(first_data_row, first_data_row + len(frame)), dtype="int64")
    blank = frame.isna().all(axis=1).to_numpy()
    frame = frame.loc[~blank].reset_index(drop=True)
    row_numbers = row_numbers.loc[~blank].reset_index(drop=True)
    return RawTable(frame=frame, row_numbers=row_numbers, blank_rows_skipped=int(blank.sum()), **meta)


def _read_csv_bytes(data: bytes, source: str, encoding, delimiter, na_values, expected) -> RawTable:
    text, used_encoding = _decode(data, encoding, source)
    opening = text[:65536]
    delim = delimiter or _sniff_delimiter("\n".join(opening.splitlines()[:HEADER_SCAN_LINES]))
    head_rows = list(csv.reader(io.StringIO("\n".join(opening.splitlines()[:HEADER_SCAN_LINES])),
                                delimiter=delim))
    if not head_rows:
        raise ReadError(f"{source}: the file is empty")
    header_index = _find_header(head_rows, expected)
    width = max(len(r) for r in head_rows[header_index:]) or 1
    for _ in range(5):  # rows wider than the opening ones (e.g. a trailing comma) widen the table
        try:
            frame = pd.read_csv(
                io.StringIO(text), sep=delim, header=None, skiprows=header_index + 1, dtype=str,
                keep_default_na=False, skip_blank_lines=False, engine="c", quotechar='"',
                names=range(width),
            )
            break
        except pd.errors.ParserError as exc:
            wider = re.search(r"Expected \d+ fields in line \d+, saw (\d+)", str(exc))
            if not wider or int(wider.group(1)) <= width:
                raise ReadError(
                    f"{source}: cannot be split into columns with delimiter {delim!r} ({exc}); "
                    "set 'delimiter' for this feed in config/partners.yml"
                ) from exc
            width = int(wider.group(1))
    else:
        raise ReadError(f"{source}: rows have too many different widths to read as a table")
    return _finish(frame, head_rows[header_index], header_index + 2, na_values,
                   header_row=header_index + 1, encoding=used_encoding, delimiter=delim,
                   from_excel=False)


def _excel_cell_text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_excel_bytes(data: bytes, source: str, sheet, na_values, expected) -> RawTable:
    try:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=sheet or 0, header=None, dtype=object,
                              engine="openpyxl")
    except ValueError as exc:
        raise ReadError(f"{source}: {exc}; set 'sheet' for this feed in config/partners.yml") from exc
    frame = frame.map(_excel_cell_text)
    rows = frame.head(HEADER_SCAN_LINES).fillna("").astype(str).values.tolist()
    header_index = _find_header(rows, expected)
    body = frame.iloc[header_index + 1:].reset_index(drop=True)
    return _finish(body, rows[header_index], header_index + 2, na_values,
                   header_row=header_index + 1, encoding=None, delimiter=None, from_excel=True)


def read_table(path: Path, *, encoding: str | None = None, delimiter: str | None = None,
               sheet: str | None = None, na_values: tuple[str, ...] = (),
               expected_headers: set[str] | None = None) -> RawTable:
    """Read CSV, Excel or a zip holding one of them. `expected_headers` (header_key form) locate
    the header row when title lines sit above it."""
    expected = expected_headers or set()
    source = str(path)
    data = Path(path).read_bytes()
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.namelist()
                       if m.lower().endswith((".csv", ".xlsx", ".txt")) and not m.startswith("__MACOSX")]
            if len(members) != 1:
                raise ReadError(f"{source}: a zipped feed must hold exactly one CSV or Excel file, "
                                f"found {members or 'none'}")
            data = archive.read(members[0])
            name = members[0].lower()
            source = f"{source}!{members[0]}"
    if name.endswith((".xlsx", ".xlsm")):
        return _read_excel_bytes(data, source, sheet, na_values, expected)
    if name.endswith(".xls"):
        raise ReadError(f"{source}: legacy .xls is not supported; save it as .xlsx or CSV")
    return _read_csv_bytes(data, source, encoding, delimiter, na_values, expected)
