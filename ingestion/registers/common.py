"""What every register loader shares: the tables it fills, how a file's version is found, how a
published file is read.

A register is reference data a user downloads in full (Companies House, the Charity Commission,
CQC, DfE's Get Information About Schools: docs/registers.md). Each loader reads its register's
published layout into the same four tables, so resolution (ingestion/registers/evidence.py) never
depends on one register's columns:

    register_entities  one row per organisation the register names: a company, a charity, a care
                       provider, an academy trust (its name, postcode, numbers)
    register_names     every name an entity is known by: current, previous (Companies House),
                       working or other names (Charity Commission)
    register_sites     one row per name of a site an entity operates: a CQC location, a school
    register_versions  one row per register supplied: its version (the file's date) and where the
                       date was read from

Each row carries `register_version` ('cqc@2025-07-01'), and so does every link it makes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from ingestion.missing import text_or_none
from ingestion.normalise import normalise_postcodes
from ingestion.readers import header_key
from ingestion.resolution.identifiers import charity_number, company_number
from ingestion.resolution.names import name_key


class RegisterError(ValueError):
    """A register file that cannot be read as its register's layout; the message says what to do."""


ENTITY_COLUMNS = [
    "register",
    "entity_id",
    "record_key",
    "kind",
    "name",
    "name_key",
    "postcode",
    "address_type",
    "company_number",
    "charity_number",
    "category",
    "status",
    "register_version",
]
NAME_COLUMNS = ["register", "entity_id", "name", "name_key", "name_type", "register_version"]
SITE_COLUMNS = [
    "register",
    "site_id",
    "record_key",
    "name",
    "name_key",
    "name_type",
    "postcode",
    "operator_id",
    "is_open",
    "register_version",
]
VERSION_COLUMNS = [
    "register",
    "register_version",
    "version_date",
    "version_source",
    "files",
    "rows_read",
    "entities",
    "sites",
]
REGISTER_TABLES = ("register_entities", "register_names", "register_sites", "register_versions")

# Address types of register records (config/rules.yml local_spend.address_preference ranks them):
# Companies House's registered office is the partners' own 'registered_office' type.
OPERATOR_ADDRESS = "register_operator"  # an operator's address as its register gives it
SITE_ADDRESS = "register_site"  # the address of a site itself (a care home, a school)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(
                dtype="boolean"
                if c == "is_open"
                else ("Int64" if c in ("rows_read", "entities", "sites") else "string")
            )
            for c in columns
        }
    )


@dataclass
class RegisterTables:
    entities: pd.DataFrame = field(default_factory=lambda: _empty(ENTITY_COLUMNS))
    names: pd.DataFrame = field(default_factory=lambda: _empty(NAME_COLUMNS))
    sites: pd.DataFrame = field(default_factory=lambda: _empty(SITE_COLUMNS))
    versions: pd.DataFrame = field(default_factory=lambda: _empty(VERSION_COLUMNS))

    @property
    def empty(self) -> bool:
        return self.versions.empty

    def as_dict(self) -> dict[str, pd.DataFrame]:
        return {
            "register_entities": self.entities,
            "register_names": self.names,
            "register_sites": self.sites,
            "register_versions": self.versions,
        }

    @classmethod
    def combine(cls, parts: Iterable[RegisterTables]) -> RegisterTables:
        parts = [p for p in parts if not p.empty]
        if not parts:
            return cls()

        def cat(frames, columns):
            frames = [f for f in frames if len(f)]
            return _typed(pd.concat(frames, ignore_index=True), columns) if frames else _empty(columns)

        return cls(
            entities=cat([p.entities for p in parts], ENTITY_COLUMNS),
            names=cat([p.names for p in parts], NAME_COLUMNS),
            sites=cat([p.sites for p in parts], SITE_COLUMNS),
            versions=cat([p.versions for p in parts], VERSION_COLUMNS),
        )


def _typed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    template = _empty(columns)
    for column in columns:
        values = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index)
        out[column] = values.astype(template[column].dtype)
    return out.reset_index(drop=True)


# --- versions -----------------------------------------------------------------------------------

_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}


def date_in_name(name: str) -> date | None:
    """The date a published file's name carries: 'BasicCompanyData-2025-08-01-part1_7.csv',
    '01_July_2025_CQC_directory.csv', 'edubasealldata20250701.csv', '2025-07-01'."""
    patterns = (
        (r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)", lambda m: date(int(m[1]), int(m[2]), int(m[3]))),
        (
            r"(?<!\d)(\d{1,2})[_ -]([A-Za-z]+)[_ -](\d{4})(?!\d)",
            lambda m: date(int(m[3]), _MONTHS[m[2].lower()], int(m[1])) if m[2].lower() in _MONTHS else None,
        ),
        (r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)", lambda m: date(int(m[1]), int(m[2]), int(m[3]))),
    )
    for pattern, build in patterns:
        for match in re.finditer(pattern, name):
            try:
                found = build(match)
            except ValueError:
                found = None
            if found:
                return found
    return None


@dataclass(frozen=True)
class Version:
    register: str
    date: date
    source: str  # 'file_name', 'date_column:<column>' or 'file_modified'

    @property
    def label(self) -> str:
        return f"{self.register}@{self.date.isoformat()}"


def file_version(
    register: str, files: list[Path], column_dates: Iterable[date] = (), column: str | None = None
) -> Version:
    """The register's version: the date its file names carry (all files of one download must agree),
    else the date column the register publishes (its latest value), else the newest file's
    modification date, which says only when the file was saved here."""
    named = {d for d in (date_in_name(f.name) for f in files) if d is not None}
    if len(named) > 1:
        raise RegisterError(
            f"{register}: files of different dates given together "
            f"({', '.join(sorted(d.isoformat() for d in named))}): "
            "supply one download, all its files from the same date"
        )
    if named:
        return Version(register, named.pop(), "file_name")
    dates = [d for d in column_dates if d]
    if dates:
        return Version(register, max(dates), f"date_column:{column}")
    newest = max(f.stat().st_mtime for f in files)
    return Version(register, datetime.fromtimestamp(newest).date(), "file_modified")


# --- reading -------------------------------------------------------------------------------------


def register_files(path: Path, patterns: tuple[str, ...], register: str) -> list[Path]:
    """The files a setting points at: the file itself, or the files in a folder whose names match the
    register's published names (case-insensitive regular expressions)."""
    path = Path(path)
    if not path.exists():
        raise RegisterError(f"{register}: {path} does not exist (check the setting that names it)")
    if path.is_file():
        return [path]
    found = sorted(
        p
        for p in path.iterdir()
        if p.is_file() and any(re.fullmatch(pattern, p.name, re.IGNORECASE) for pattern in patterns)
    )
    if not found:
        raise RegisterError(f"{register}: no file in {path} is named like {' or '.join(patterns)}")
    return found


def _opening(raw: bytes) -> tuple[str, str]:
    """The encoding (UTF-8, with or without a byte-order mark, else Windows-1252) and the decoded
    opening of a file."""
    head = raw[: 1 << 20]
    try:
        text = head.decode("utf-8-sig")
        return ("utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"), text
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the 1 MB boundary
            return "utf-8", head[: exc.start].decode("utf-8-sig")
        return "cp1252", head.decode("cp1252", errors="replace")


@dataclass
class Columns:
    """The columns a loader needs, each with the header names registers have published it under."""

    wanted: dict[str, tuple[str, ...]]
    required: tuple[str, ...]

    def locate(self, header: list[str]) -> dict[str, str] | None:
        """Our column name -> the file's header name, or None when a required one is missing."""
        by_key: dict[str, str] = {}
        for name in header:
            by_key.setdefault(header_key(str(name)), name)
        found = {}
        for ours, theirs in self.wanted.items():
            for candidate in theirs:
                if header_key(candidate) in by_key:
                    found[ours] = by_key[header_key(candidate)]
                    break
        return found if all(r in found for r in self.required) else None


NA_TEXT = {"", "NA", "N/A", "NULL", "-"}


def _text_frame(frame: pd.DataFrame, located: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame({ours: frame[theirs] for ours, theirs in located.items()})
    for column in out:
        values = out[column].astype("string").str.strip()
        out[column] = values.mask(values.isin(NA_TEXT))
    return out


def read_register_file(
    path: Path,
    columns: Columns,
    register: str,
    chunk_rows: int | None = None,
    member: Callable[[str], bool] | None = None,
) -> Iterator[pd.DataFrame]:
    """Rows of a published register file (CSV or tab-separated text, Excel, or a zip holding one),
    as text, in our column names. The header may sit below title lines (CQC's directory has four).
    Large files (Companies House) are read in chunks of `chunk_rows`."""
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.namelist()
                if not m.startswith("__MACOSX")
                and not m.endswith("/")
                and (member(m) if member else m.lower().endswith((".csv", ".txt", ".xlsx")))
            ]
            if len(members) != 1:
                raise RegisterError(f"{register}: {path} should hold one register file, found {members or 'none'}")
            with archive.open(members[0]) as handle:
                data = handle.read()
            yield from _read_bytes(data, members[0].lower(), f"{path}!{members[0]}", columns, register, chunk_rows)
            return
    if name.endswith(".ods"):
        try:
            frame = pd.read_excel(path, header=None, dtype=str, engine="odf")
        except ImportError as exc:
            raise RegisterError(
                f"{register}: {path} is an OpenDocument spreadsheet; save it as .xlsx or "
                "CSV (or install odfpy) and point the setting at that file"
            ) from exc
        yield _from_sheet(frame, columns, register, str(path))
        return
    yield from _read_bytes(path.read_bytes(), name, str(path), columns, register, chunk_rows)


def _from_sheet(frame: pd.DataFrame, columns: Columns, register: str, source: str) -> pd.DataFrame:
    for index in range(min(len(frame), 30)):
        header = [str(v) for v in frame.iloc[index].tolist()]
        located = columns.locate(header)
        if located:
            body = frame.iloc[index + 1 :].copy()
            body.columns = header
            body = body.loc[:, ~pd.Index(header).duplicated()]
            return _text_frame(body.dropna(how="all"), located)
    raise _missing_columns(register, source, columns)


def _missing_columns(register: str, source: str, columns: Columns) -> RegisterError:
    need = "; ".join(f"{c} ({' or '.join(repr(n) for n in columns.wanted[c])})" for c in columns.required)
    return RegisterError(
        f"{register}: {source} is not in a layout this loader knows: no header row with "
        f"{need}. docs/registers.md lists the files and layouts it reads."
    )


def _read_bytes(
    data: bytes, name: str, source: str, columns: Columns, register: str, chunk_rows: int | None
) -> Iterator[pd.DataFrame]:
    if name.endswith((".xlsx", ".xlsm")):
        yield _from_sheet(pd.read_excel(io.BytesIO(data), header=None, dtype=str), columns, register, source)
        return
    encoding, opening = _opening(data)
    lines = opening.splitlines()[:30]
    delimiter = "\t" if (name.endswith(".txt") or (lines and lines[0].count("\t") > lines[0].count(","))) else ","
    rows = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    found = next(((i, located) for i, row in enumerate(rows) if (located := columns.locate(row))), None)
    if found is None:
        raise _missing_columns(register, source, columns)
    index, located = found
    wanted_headers = set(located.values())
    reader = pd.read_csv(
        io.BytesIO(data),
        sep=delimiter,
        skiprows=index,
        header=0,
        dtype=str,
        keep_default_na=False,
        encoding=encoding,
        encoding_errors="replace",
        usecols=lambda c: c in wanted_headers,
        chunksize=chunk_rows,
        quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE,
        on_bad_lines="warn",
    )
    for chunk in [reader] if chunk_rows is None else reader:
        yield _text_frame(chunk, located)


# --- values ----------------------------------------------------------------------------------------


def keys_of(names: pd.Series) -> pd.Series:
    return pd.Series([name_key(n) if isinstance(n, str) else None for n in names], index=names.index, dtype="string")


def companies(values: pd.Series) -> pd.Series:
    return pd.Series(
        [company_number(v) if isinstance(v, str) else None for v in values], index=values.index, dtype="string"
    )


def charities(values: pd.Series) -> pd.Series:
    return pd.Series(
        [charity_number(v) if isinstance(v, str) else None for v in values], index=values.index, dtype="string"
    )


def postcodes(values: pd.Series) -> pd.Series:
    return normalise_postcodes(values.astype("string"))


def entity_key(register: str, entity_id: str) -> str:
    return f"register:{register}:{entity_id}"


def site_key(register: str, site_id: str) -> str:
    return f"register:{register}:site:{site_id}"


def version_row(version: Version, files: list[Path], rows_read: int, entities: int, sites: int) -> pd.DataFrame:
    return _typed(
        pd.DataFrame(
            [
                {
                    "register": version.register,
                    "register_version": version.label,
                    "version_date": version.date.isoformat(),
                    "version_source": version.source,
                    "files": ";".join(str(f) for f in files),
                    "rows_read": rows_read,
                    "entities": entities,
                    "sites": sites,
                }
            ]
        ),
        VERSION_COLUMNS,
    )


def finish(
    register: str,
    version: Version,
    files: list[Path],
    rows_read: int,
    entities: pd.DataFrame,
    names: pd.DataFrame,
    sites: pd.DataFrame,
) -> RegisterTables:
    """Stamp every row with the register and its version, and type the tables."""
    for frame in (entities, names, sites):
        frame["register"] = register
        frame["register_version"] = version.label
    entities = entities.drop_duplicates("entity_id")
    names = names.dropna(subset=["name_key"]).drop_duplicates(["entity_id", "name_key", "name_type"])
    sites = sites.dropna(subset=["name_key"]).drop_duplicates(["site_id", "name_key", "name_type"])
    return RegisterTables(
        entities=_typed(entities, ENTITY_COLUMNS),
        names=_typed(names, NAME_COLUMNS),
        sites=_typed(sites, SITE_COLUMNS),
        versions=version_row(version, files, rows_read, len(entities), sites["site_id"].nunique() if len(sites) else 0),
    )


def text(value) -> str | None:
    return text_or_none(value)
