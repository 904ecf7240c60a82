"""Read a partner's file, whatever its export looks like, into a table of text cells.

Councils publish CSV in several encodings and delimiters, with title lines above the header,
trailing empty columns, runs of empty `,,,,` lines (one Stockport month had a million), as Excel,
and zipped. This module deals with the container and the text only: every cell stays a string so
that parsing amounts and dates happens in one place (normalise.py) with row-level errors.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
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

    fix = "re-export the file as CSV or .xlsx, or set encoding/delimiter/sheet in config/partners.yml"

    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message)
        if fix is not None:
            self.fix = fix


class RefusedFile(ReadError):
    """The landing zone will not read this file at all (a link, a pipe, an archive that expands
    past its caps, binary content under a text name, an absurdly wide header): refusing before
    parsing is what keeps a hostile or broken delivery from costing memory, time or a leak."""


def _limit(name: str, default: int) -> int:
    """A cap from the environment (read at each call, so a test or an operator can change it)."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ReadError(f"setting {name}={raw!r} is not a whole number", fix=f"set {name} to a whole number") from None
    return max(value, 1)


# Caps on what one delivery may cost (docs/reliability.md lists them with their reasons).
def archive_max_members() -> int:
    return _limit("SVW_ARCHIVE_MAX_MEMBERS", 50)


def archive_max_expanded_bytes() -> int:
    return _limit("SVW_ARCHIVE_MAX_EXPANDED_MB", 512) * 1024 * 1024


def archive_max_ratio() -> int:
    return _limit("SVW_ARCHIVE_MAX_RATIO", 200)


def max_columns() -> int:
    return _limit("SVW_MAX_COLUMNS", 2000)


# Below this expanded size the ratio cap does not apply: a small, very repetitive CSV (a month of
# `,,,,` lines) compresses far beyond any bomb's ratio and costs nothing to read.
RATIO_FLOOR_BYTES = 10 * 1024 * 1024


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def open_regular(path: Path) -> int:
    """A file descriptor for a regular file, refusing links and special files *at open time*
    (O_NOFOLLOW, O_NONBLOCK): checking first and opening after would let a link or a pipe be
    swapped in between, and a pipe would block the loader forever."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if Path(path).is_symlink():
            raise RefusedFile(
                f"{path}: is a symbolic link; links are not followed, so nothing was read",
                fix="put the file itself in the landing folder, not a link to it",
            ) from None
        raise ReadError(
            f"{path}: cannot be opened ({exc.strerror})", fix="check the file exists and is readable"
        ) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise RefusedFile(
            f"{path}: is {_kind(mode)}, not a regular file; nothing was read",
            fix="deliver the data as an ordinary file",
        )
    return fd


def read_regular_bytes(path: Path) -> bytes:
    with os.fdopen(open_regular(path), "rb") as handle:
        return handle.read()


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
    # rows the file ends part-way through (row number -> why), kept so they are quarantined as
    # themselves instead of making the whole file unreadable
    truncated_rows: dict[int, str] = field(default_factory=dict)


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


def _finish(
    frame: pd.DataFrame,
    header: list[str],
    first_data_row: int,
    na_values,
    cleaned=False,
    tail: tuple[list[str], str] | None = None,
    **meta,
) -> RawTable:
    header = [str(h).replace(_MISDECODED_BOM, "").replace("\ufeff", "").strip() for h in header]
    names = header[: frame.shape[1]] + [""] * max(0, frame.shape[1] - len(header))
    frame.columns = range(frame.shape[1])
    if not cleaned:
        frame = _clean_frame(frame, na_values)
    truncated: dict[int, str] = {}
    if tail is not None:  # the cut-off last row, as its own row, so it is quarantined as itself
        cells, why = tail
        missing = {""} | set(na_values)
        values = [c.strip() for c in cells[: frame.shape[1]]]
        row = [None if v in missing else v for v in values] + [None] * (frame.shape[1] - len(values))
        truncated[first_data_row + len(frame)] = why
        extra = pd.DataFrame([row], columns=frame.columns).astype(frame.dtypes.to_dict())
        frame = pd.concat([frame, extra], ignore_index=True)
    # Columns with no name and no values (trailing commas) are an export artefact, not data.
    keep = [i for i, name in enumerate(names) if name or frame.iloc[:, i].notna().any()]
    frame = frame.iloc[:, keep]
    frame.columns = [names[i] or f"column_{i + 1}" for i in keep]
    row_numbers = pd.Series(range(first_data_row, first_data_row + len(frame)), dtype="int64")
    blank = frame.isna().all(axis=1).to_numpy()
    frame = frame.loc[~blank].reset_index(drop=True)
    row_numbers = row_numbers.loc[~blank].reset_index(drop=True)
    return RawTable(
        frame=frame, row_numbers=row_numbers, blank_rows_skipped=int(blank.sum()), truncated_rows=truncated, **meta
    )


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


def _fast_utf8(data, opening, used_encoding, delimiter, na_values, expected, tail=None) -> RawTable | None:
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
        tail=tail,
        header_row=header_index + 1,
        encoding=used_encoding,
        delimiter=delim,
        from_excel=False,
    )


_TEXT_MAGIC = (
    (b"PK\x03\x04", "a zip archive or an Excel (.xlsx) workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 (.xls) workbook"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
)


def _refuse_binary(data: bytes, source: str, encoding: str | None) -> None:
    """Binary content under a text name is refused by its bytes, not parsed into rows of noise:
    a NUL byte never occurs in CSV text (except UTF-16, which must be declared)."""
    declared = (encoding or "").lower().replace("-", "").replace("_", "")
    if declared.startswith(("utf16", "utf32")):
        return
    for magic, what in _TEXT_MAGIC:
        if data.startswith(magic):
            raise RefusedFile(
                f"{source}: is {what}, not text, under a text file name; nothing was read",
                fix="export the data as CSV (or deliver the workbook under its own .xlsx/.xls name)",
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RefusedFile(
            f"{source}: is UTF-16 text, which must be declared",
            fix="set encoding: utf-16 for this feed in config/partners.yml, or re-export as UTF-8",
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise RefusedFile(
            f"{source}: holds binary content (a NUL byte at byte {nul}), not CSV text; nothing was loaded",
            fix="check that the file is the CSV export and not another file renamed to .csv; re-export it as CSV",
        )
    opening = data[:65536].decode("latin-1")
    controls = sum(1 for ch in opening if ch < " " and ch not in "\t\n\r\f\v")
    if opening and controls > max(8, len(opening) // 100):
        raise RefusedFile(
            f"{source}: holds binary content ({controls} control characters in its first "
            f"{len(opening):,} bytes), not CSV text; nothing was loaded",
            fix="check that the file is the CSV export and not another file renamed to .csv; re-export it as CSV",
        )


def _lines(data: bytes, count: int) -> list[bytes]:
    """The first `count` lines, however long (a header of a million cells is one line)."""
    lines: list[bytes] = []
    start = 0
    while len(lines) < count and start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        lines.append(data[start:end])
        start = end + 1
    return lines


def _refuse_wide(data: bytes, source: str, delim: str) -> None:
    """Refuse a header (or opening row) wider than the cap before anything parses it: every
    later step costs time per column, and no partner's export has thousands."""
    cap = max_columns()
    if len(delim.encode("latin-1", errors="ignore")) != 1:
        return
    mark = delim.encode("latin-1")
    for number, line in enumerate(_lines(data, HEADER_SCAN_LINES), start=1):
        if line.count(mark) + 1 > cap:
            raise RefusedFile(
                f"{source}: row {number} has {line.count(mark) + 1:,} columns; a feed file may have at most "
                f"{cap:,} (SVW_MAX_COLUMNS); nothing was loaded",
                fix=(
                    "check that this is the partner's table export with the declared delimiter "
                    f"({delim!r}); a genuine wider table needs SVW_MAX_COLUMNS raised"
                ),
            )


def _truncated_tail(data: bytes, delim: str, header_width: int) -> tuple[int, list[str], str] | None:
    """A last row the file ends part-way through: no line end after it, and either a quote left
    open or fewer cells than the header while the row above it is complete. Returns where it
    starts, its cells and why; None when the file ends cleanly (a file cut exactly at a row
    boundary is a smaller file, not a broken one; the money checks compare it to what it replaces)."""
    if not data or data.endswith((b"\n", b"\r")):
        return None
    start = data.rfind(b"\n") + 1
    if start == 0:
        return None  # one line only: the header, with nothing under it
    tail = data[start:]
    text = tail.decode("utf-8", errors="replace")
    cells = next(csv.reader([text], delimiter=delim), [])
    if not any(c.strip() for c in cells):
        return None
    unclosed = tail.count(b'"') % 2 == 1 and data.count(b'"') % 2 == 1
    if unclosed:
        return start, cells, "the file ends inside this row (a quoted cell is never closed): it was cut short"
    if len(cells) >= header_width:
        return None
    above_start = data.rfind(b"\n", 0, start - 1) + 1
    above = data[above_start : start - 1].decode("utf-8", errors="replace").rstrip("\r")
    if len(next(csv.reader([above], delimiter=delim), [])) < header_width:
        return None  # short rows are this file's habit, not a cut
    return (
        start,
        cells,
        f"the file ends inside this row ({len(cells)} of {header_width} cells, no line end): it was cut short",
    )


def _read_csv_bytes(data: bytes, source: str, encoding, delimiter, na_values, expected) -> RawTable:
    _refuse_binary(data, source, encoding)
    probe = data[:65536].decode(encoding or "utf-8", errors="replace") if data else ""
    probe_delim, probe_rows = _header_rows(probe, delimiter)
    _refuse_wide(data, source, probe_delim)
    tail = None
    if probe_rows and not (encoding or "").lower().replace("-", "").startswith(("utf16", "utf32")):
        header_width = len(probe_rows[_find_header(probe_rows, expected)])
        cut = _truncated_tail(data, probe_delim, header_width)
        if cut is not None:
            start, cells, why = cut
            data, tail = data[:start], (cells, why)
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
            fast = _fast_utf8(data, opening_text, used_encoding, delimiter, na_values, expected, tail)
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
            unclosed = re.search(r"EOF inside string starting at row (\d+)", str(exc))
            if unclosed:
                raise ReadError(
                    f"{source}: a quoted cell opened in data row {int(unclosed.group(1)) + 1} is never closed, "
                    "so everything after it would run together",
                    fix='close the quote (or remove the stray " character) in that row, or re-export the file',
                ) from exc
            wider = re.search(r"Expected \d+ fields in line \d+, saw (\d+)", str(exc))
            if not wider or int(wider.group(1)) <= width:
                raise ReadError(
                    f"{source}: cannot be split into columns with delimiter {delim!r} ({exc}); "
                    "set 'delimiter' for this feed in config/partners.yml",
                    fix=f"set 'delimiter' for this feed in config/partners.yml (read with {delim!r})",
                ) from exc
            width = int(wider.group(1))
            if width > max_columns():
                raise RefusedFile(
                    f"{source}: a row has {width:,} cells; a feed file may have at most {max_columns():,} "
                    "columns (SVW_MAX_COLUMNS); nothing was loaded",
                    fix=f"check the delimiter ({delim!r}) and that this is the partner's table export",
                ) from exc
    else:
        raise ReadError(f"{source}: rows have too many different widths to read as a table")
    return _finish(frame, head_rows[header_index], header_index + 2, na_values, tail=tail, **meta)


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
    if frame.shape[1] > max_columns():
        raise RefusedFile(
            f"{source}: the sheet has {frame.shape[1]:,} columns; a feed file may have at most "
            f"{max_columns():,} (SVW_MAX_COLUMNS); nothing was loaded",
            fix="check that the sheet is the partner's table export ('sheet' in config/partners.yml)",
        )
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


def _ocds_releases(data: bytes, source: str) -> list[tuple[int, dict]]:
    """(line number, release) for each non-empty line of a JSON-lines file of OCDS releases."""
    import json

    releases: list[tuple[int, dict]] = []
    for line_number, line in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            release = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReadError(
                f"{source}: line {line_number} is not valid JSON ({exc.msg}); each line must hold one OCDS release"
            ) from exc
        if not isinstance(release, dict):
            raise ReadError(f"{source}: line {line_number} is not a JSON object; each line must hold one OCDS release")
        releases.append((line_number, release))
    return releases


def _read_ocds_jsonl(data: bytes, source: str, ocds: str = "awards") -> RawTable:
    """Open Contracting (OCDS) releases, one JSON object per line, flattened to rows: award rows
    (`awards`, Contracts Finder), or per contracting process the compiled release's contract, KPI
    and rating rows (`compiled`, Procurement Act notices: ingestion/procurement_act.py).
    Row numbers count the flattened rows; each row keeps its line in the file (source_line)."""
    releases = _ocds_releases(data, source)
    if ocds == "compiled":
        from ingestion.procurement_act import compile_file

        rows = compile_file(releases)
    else:
        rows = [row for line_number, release in releases for row in _ocds_rows(release, line_number)]
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
DATA_MEMBERS = (".csv", ".xlsx", ".xls", ".txt")


def _zip_member(data: bytes, source: str) -> tuple[str, bytes]:
    """The one data file inside a zipped feed, expanded in blocks under the caps on members,
    expanded size and compression ratio. The sizes an archive declares are checked first and the
    bytes actually expanded are counted as they come, because a hostile archive can lie."""
    refuse_fix = (
        "unzip the archive and deliver the CSV itself; a genuine archive this large needs "
        "SVW_ARCHIVE_MAX_EXPANDED_MB / SVW_ARCHIVE_MAX_RATIO / SVW_ARCHIVE_MAX_MEMBERS raised"
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ReadError(
            f"{source}: is not a readable zip archive ({exc}); nothing was loaded",
            fix="the archive is damaged or was cut short in transfer: send it again, or send the CSV unzipped",
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > archive_max_members():
            raise RefusedFile(
                f"{source}: holds {len(infos):,} entries; a zipped feed may hold at most "
                f"{archive_max_members():,} (SVW_ARCHIVE_MAX_MEMBERS); nothing was expanded",
                fix=refuse_fix,
            )
        members = [
            i for i in infos if i.filename.lower().endswith(DATA_MEMBERS) and not i.filename.startswith("__MACOSX")
        ]
        if len(members) != 1:
            raise ReadError(
                f"{source}: a zipped feed must hold exactly one CSV or Excel file, found "
                f"{[m.filename for m in members] or 'none'}",
                fix="zip exactly one CSV or Excel file per delivery",
            )
        member = members[0]
        cap, ratio_cap = archive_max_expanded_bytes(), archive_max_ratio()
        where = f"{source}!{member.filename}"

        def too_big(size: int, verb: str) -> RefusedFile | None:
            if size > cap:
                return RefusedFile(
                    f"{where}: {verb} {size:,} bytes, over the cap of {cap:,} "
                    "(SVW_ARCHIVE_MAX_EXPANDED_MB); expansion stopped, nothing was loaded",
                    fix=refuse_fix,
                )
            ratio = size / max(member.compress_size, 1)
            if size > RATIO_FLOOR_BYTES and ratio > ratio_cap:
                return RefusedFile(
                    f"{where}: {verb} {size:,} bytes from {member.compress_size:,} compressed, a ratio of "
                    f"{ratio:,.0f} to 1, over the cap of {ratio_cap} (SVW_ARCHIVE_MAX_RATIO): the shape of "
                    "a zip bomb; expansion stopped, nothing was loaded",
                    fix=refuse_fix,
                )
            return None

        declared = too_big(member.file_size, "declares")
        if declared is not None:
            raise declared
        chunks: list[bytes] = []
        expanded = 0
        try:
            with archive.open(member) as stream:
                while block := stream.read(1 << 20):
                    expanded += len(block)
                    over = too_big(expanded, "expands to more than")
                    if over is not None:
                        raise over
                    chunks.append(block)
        except RefusedFile:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise ReadError(
                f"{where}: cannot be expanded ({exc}); nothing was loaded",
                fix=(
                    "the archive is damaged, encrypted or uses an unsupported compression: "
                    "send it again as a plain (deflate) zip, or send the CSV unzipped"
                ),
            ) from None
        return member.filename, b"".join(chunks)


def read_table(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    na_values: tuple[str, ...] = (),
    expected_headers: set[str] | None = None,
    ocds: str = "awards",
) -> RawTable:
    """Read CSV, Excel or a zip holding one of them. `expected_headers` (header_key form) locate
    the header row when title lines sit above it; `ocds` says how JSON-lines releases are flattened
    (the feed's canonical schema decides: FeedSchema.ocds)."""
    expected = expected_headers or set()
    source = str(path)
    data = read_regular_bytes(Path(path))
    name = path.name.lower()
    if name.endswith(".zip"):
        member, data = _zip_member(data, source)
        name = member.lower()
        source = f"{source}!{member}"
    if name.endswith((".xlsx", ".xlsm")):
        return _read_excel_bytes(data, source, sheet, na_values, expected)
    if name.endswith((".jsonl", ".json")):
        if b"\x00" in data:
            raise RefusedFile(
                f"{source}: holds binary content (NUL bytes), not JSON lines; nothing was loaded",
                fix="re-export the releases as JSON lines (UTF-8 text)",
            )
        return _read_ocds_jsonl(data, source, ocds)
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
