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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

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


def _finish(frame: pd.DataFrame, header: list[str], first_data_row: int, na_values, cleaned=False, **meta) -> RawTable:
    header = [str(h).replace(_MISDECODED_BOM, "").replace("\ufeff", "").strip() for h in header]
    names = header[: frame.shape[1]] + [""] * max(0, frame.shape[1] - len(header))
    frame.columns = range(frame.shape[1])
    if not cleaned:
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


_STRING = pd.StringDtype("pyarrow", na_value=np.nan)
_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n")


def _arrow_frame(data: bytes, delimiter: str, skip_lines: int, width: int, na_values) -> pd.DataFrame | None:
    """Fast path: Arrow's multi-threaded CSV reader on UTF-8 bytes, cleaning cells in Arrow.
    Returns None when the file needs the careful path (empty lines or rows of other widths would
    shift row numbers; text that is not UTF-8)."""
    body_start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    for _ in range(skip_lines):
        body_start = data.find(b"\n", body_start) + 1
        if body_start == 0:
            return None
    if _BLANK_LINE.search(data, max(body_start - 1, 0)):
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(memoryview(data)[body_start:]),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    missing = pa.array(sorted({""} | set(na_values)), type=pa.string())
    columns = {}
    for name in names:
        cells = pc.utf8_trim_whitespace(table.column(name))
        cells = pc.if_else(pc.is_in(cells, value_set=missing), pa.scalar(None, pa.string()), cells)
        columns[name] = pd.Series(pd.array(cells, dtype=_STRING))
    return pd.DataFrame(columns)


def _header_rows(opening: str, delimiter: str | None) -> tuple[str, list[list[str]]]:
    lines = opening.splitlines()[:HEADER_SCAN_LINES]
    delim = delimiter or _sniff_delimiter("\n".join(lines))
    return delim, list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))


def _fast_utf8(data, opening, used_encoding, delimiter, na_values, expected) -> RawTable | None:
    delim, head_rows = _header_rows(opening, delimiter)
    if not head_rows:
        return None
    header_index = _find_header(head_rows, expected)
    width = max(len(r) for r in head_rows[header_index:]) or 1
    frame = _arrow_frame(data, delim, header_index + 1, width, na_values)
    if frame is None:
        return None
    return _finish(
        frame,
        head_rows[header_index],
        header_index + 2,
        na_values,
        cleaned=True,
        header_row=header_index + 1,
        encoding=used_encoding,
        delimiter=delim,
        from_excel=False,
    )


def _read_csv_bytes(data: bytes, source: str, encoding, delimiter, na_values, expected) -> RawTable:
    if encoding is None or encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig"):
        # Decode only the opening to find the header; Arrow validates the rest as UTF-8 itself.
        opening_text: str | None
        try:
            opening_text = data[:65536].decode("utf-8-sig", errors="strict")
            used_encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        except UnicodeDecodeError as exc:
            opening_text = None if exc.start < 65536 - 4 else data[: exc.start].decode("utf-8-sig")
            used_encoding = "utf-8"
        if opening_text is not None:
            fast = _fast_utf8(data, opening_text, used_encoding, delimiter, na_values, expected)
            if fast is not None:
                return fast
    text, used_encoding = _decode(data, encoding, source)
    opening = text[:65536]
    delim = delimiter or _sniff_delimiter("\n".join(opening.splitlines()[:HEADER_SCAN_LINES]))
    head_rows = list(csv.reader(io.StringIO("\n".join(opening.splitlines()[:HEADER_SCAN_LINES])), delimiter=delim))
    if not head_rows:
        raise ReadError(f"{source}: the file is empty")
    header_index = _find_header(head_rows, expected)
    width = max(len(r) for r in head_rows[header_index:]) or 1
    meta = dict(header_row=header_index + 1, encoding=used_encoding, delimiter=delim, from_excel=False)
    for _ in range(5):  # rows wider than the opening ones (e.g. a trailing comma) widen the table
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delim,
                header=None,
                skiprows=header_index + 1,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                engine="c",
                quotechar='"',
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
    return _finish(frame, head_rows[header_index], header_index + 2, na_values, **meta)


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


def _read_excel_bytes(data: bytes, source: str, sheet, na_values, expected, legacy: bool = False) -> RawTable:
    """.xlsx through openpyxl; legacy .xls (Excel 97-2003, still the export of some finance
    systems) through xlrd."""
    try:
        frame = pd.read_excel(
            io.BytesIO(data), sheet_name=sheet or 0, header=None, dtype=object, engine="xlrd" if legacy else "openpyxl"
        )
    except ValueError as exc:
        raise ReadError(f"{source}: {exc}; set 'sheet' for this feed in config/partners.yml") from exc
    except Exception as exc:  # xlrd/openpyxl raise their own errors for damaged or mislabelled files
        raise ReadError(
            f"{source}: cannot be read as an Excel {'97-2003 (.xls)' if legacy else '(.xlsx)'} "
            f"workbook ({exc}); open it in Excel and save it again as .xlsx or CSV"
        ) from exc
    frame = frame.map(_excel_cell_text)
    rows = frame.head(HEADER_SCAN_LINES).fillna("").astype(str).values.tolist()
    header_index = _find_header(rows, expected)
    body = frame.iloc[header_index + 1 :].reset_index(drop=True)
    return _finish(
        body,
        rows[header_index],
        header_index + 2,
        na_values,
        header_row=header_index + 1,
        encoding=None,
        delimiter=None,
        from_excel=True,
    )


def _text(value) -> str | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _ocds_rows(release: dict, line: int) -> list[dict]:
    """One row per (award, supplier) of an OCDS release; a release without awards gives one row
    whose row_kind is its tag (tender, planning, ...), so it is accounted for, not lost."""
    tender = release.get("tender") or {}
    suitability = tender.get("suitability") or {}
    parties = {p.get("id"): p for p in release.get("parties") or []}
    buyer = (release.get("buyer") or {}).get("name") or next(
        (p.get("name") for p in parties.values() if "buyer" in (p.get("roles") or [])), None
    )
    base = {
        "source_line": line,
        "ocid": release.get("ocid"),
        "release_id": release.get("id"),
        "release_date": release.get("date"),
        "release_tag": ",".join(release.get("tag") or []),
        "tender_id": tender.get("id"),
        "tender_title": tender.get("title"),
        "tender_value": (tender.get("value") or {}).get("amount"),
        "tender_suitability_sme": suitability.get("sme"),
        "tender_suitability_vcse": suitability.get("vcse"),
        "buyer_name": buyer,
    }
    rows = []
    for award in release.get("awards") or []:
        period = award.get("contractPeriod") or {}
        for supplier in award.get("suppliers") or [{}]:
            party = parties.get(supplier.get("id"), {})
            details = party.get("details") or {}
            identifier = party.get("identifier") or {}
            rows.append(
                {
                    **base,
                    "row_kind": "award" if supplier.get("name") or party.get("name") else "award_without_supplier",
                    "award_id": award.get("id"),
                    "award_status": award.get("status"),
                    "award_date": award.get("date"),
                    "award_value": (award.get("value") or {}).get("amount"),
                    "contract_start": period.get("startDate"),
                    "contract_end": period.get("endDate"),
                    "supplier_id": supplier.get("id"),
                    "supplier_name": supplier.get("name") or party.get("name"),
                    "supplier_scale": details.get("scale"),
                    "supplier_vcse": details.get("vcse"),
                    "supplier_postcode": (party.get("address") or {}).get("postalCode"),
                    "supplier_company_number": identifier.get("id") if identifier.get("scheme") == "GB-COH" else None,
                }
            )
    if not rows:
        rows.append({**base, "row_kind": (release.get("tag") or ["unknown"])[0]})
    return rows


def _read_ocds_jsonl(data: bytes, source: str) -> RawTable:
    """Open Contracting (OCDS) releases, one JSON object per line, flattened to award rows.
    Row numbers count the flattened rows; each row keeps its line in the file (source_line)."""
    import json

    rows: list[dict] = []
    for line_number, line in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            release = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReadError(
                f"{source}: line {line_number} is not valid JSON ({exc.msg}); each line must hold one OCDS release"
            ) from exc
        rows += _ocds_rows(release, line_number)
    frame = pd.DataFrame(rows)
    frame = frame.map(_text).astype(object)
    frame = frame.where(frame.notna(), None)
    return RawTable(
        frame=frame,
        row_numbers=pd.Series(range(1, len(frame) + 1), dtype="int64"),
        header_row=0,
        encoding="utf-8",
        delimiter=None,
        blank_rows_skipped=0,
        from_excel=False,
    )


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) compound file
ZIP_MAGIC = b"PK\x03\x04"


def read_table(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    na_values: tuple[str, ...] = (),
    expected_headers: set[str] | None = None,
) -> RawTable:
    """Read CSV, Excel or a zip holding one of them. `expected_headers` (header_key form) locate
    the header row when title lines sit above it."""
    expected = expected_headers or set()
    source = str(path)
    data = Path(path).read_bytes()
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                m
                for m in archive.namelist()
                if m.lower().endswith((".csv", ".xlsx", ".xls", ".txt")) and not m.startswith("__MACOSX")
            ]
            if len(members) != 1:
                raise ReadError(
                    f"{source}: a zipped feed must hold exactly one CSV or Excel file, found {members or 'none'}"
                )
            data = archive.read(members[0])
            name = members[0].lower()
            source = f"{source}!{members[0]}"
    if name.endswith((".xlsx", ".xlsm")):
        return _read_excel_bytes(data, source, sheet, na_values, expected)
    if name.endswith((".jsonl", ".json")):
        return _read_ocds_jsonl(data, source)
    if name.endswith(".xls"):
        # Finance systems label several formats '.xls': a real Excel 97-2003 workbook, an .xlsx,
        # a text export, or an HTML table. Read by the content, not the name.
        if data.startswith(OLE2_MAGIC):
            return _read_excel_bytes(data, source, sheet, na_values, expected, legacy=True)
        if data.startswith(ZIP_MAGIC):
            return _read_excel_bytes(data, source, sheet, na_values, expected)
        if data.lstrip()[:1] == b"<":
            raise ReadError(
                f"{source}: is a web page (HTML) saved under an .xls name, not a workbook; "
                "open it in Excel and save it as .xlsx or CSV"
            )
    return _read_csv_bytes(data, source, encoding, delimiter, na_values, expected)
