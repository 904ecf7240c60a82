"""The KPI workbook, laid out as the Government Analysis Function's guidance on releasing statistics
in spreadsheets asks: a cover sheet with contents, a notes sheet, then one table per sheet, each an
Excel table with a title above it, readable headers, number formats, widths and a frozen header row.

Text is written as text: a supplier name such as '=HYPERLINK(...)' or '-Dash Ltd' is stored as a
string cell (never a formula) with no apostrophe to see or to break a lookup. Numbers stay numbers;
a figure the mart does not state is an empty cell, and the table's heading says so.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from publishing.declared import declared

TITLE = "Greater Manchester social value: published figures"
HEADER_ROW = 5  # title, description, what is empty, source, then the table
MAX_WIDTH = 60
WORDS = {"gbp": "(£)", "pct": "(%)", "sv": "social value", "sme": "SME", "vcse": "VCSE", "gm": "GM", "id": "ID"}


def header_label(column: str) -> str:
    """'in_scope_spend_gbp' -> 'In scope spend (£)'; 'sme_bids_pct' -> 'SME bids (%)'."""
    words = [WORDS.get(word, word) for word in column.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def number_format(column: str, values: pd.Series) -> str | None:
    if column.endswith("_gbp"):
        return "£#,##0" if _whole(values) else "£#,##0.00"
    if column.endswith("_pct"):
        return "0.00"
    if pd.api.types.is_integer_dtype(values):
        return "#,##0"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "yyyy-mm-dd hh:mm" if values.dt.time.astype(str).ne("00:00:00").any() else "yyyy-mm-dd"
    return None


def _whole(values: pd.Series) -> bool:
    numbers = [float(v) for v in values if v is not None and not pd.isna(v)]
    return all(n == int(n) for n in numbers)


def _cell_value(value):
    """Python values openpyxl writes as the right kind of cell; missing of any kind is empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()  # numpy scalars
    return value


def _write_text(sheet: Worksheet, row: int, column: int, text: str, **style) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "s"  # a string, whatever it starts with: openpyxl would make '=...' a formula
    for key, value in style.items():
        setattr(cell, key, value)


def _sheet_name(table: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", table)[:31]


def _table_sheet(
    book: Workbook, table: str, frame: pd.DataFrame, publication: dict
) -> tuple[Worksheet, list[tuple[str, str]]]:
    """The table's sheet, and its (header, column description) notes."""
    declaration = declared().tables.get(table)
    sheet = book.create_sheet(_sheet_name(table))
    described = dict(declaration.column_descriptions) if declaration else {}
    _write_text(sheet, 1, 1, (declaration.description if declaration else "") or table, font=Font(bold=True, size=14))
    _write_text(sheet, 2, 1, f"Table {table}. This worksheet contains one table; column notes are on the Notes sheet.")
    unstated = [figure for figure, _, _ in (declaration.stated_only_when if declaration else ())]
    _write_text(
        sheet,
        3,
        1,
        (
            f"Empty cells in {', '.join(header_label(c) for c in unstated)} are figures not stated (see Notes): "
            "never read them as 0."
            if unstated
            else "Empty cells are values the source does not give."
        ),
    )
    _write_text(sheet, 4, 1, f"Source: GM social value warehouse, publication {publication['publication_id']}.")
    for index, column in enumerate(frame.columns, start=1):
        _write_text(
            sheet,
            HEADER_ROW,
            index,
            header_label(column),
            font=Font(bold=True),
            alignment=Alignment(wrap_text=True, vertical="top"),
        )
    formats = {column: number_format(column, frame[column]) for column in frame.columns}
    for row_number, row in enumerate(frame.itertuples(index=False, name=None), start=HEADER_ROW + 1):
        for index, (column, value) in enumerate(zip(frame.columns, row), start=1):
            value = _cell_value(value)
            if isinstance(value, str):
                _write_text(sheet, row_number, index, value)
                continue
            cell = sheet.cell(row=row_number, column=index, value=value)
            if formats[column] and value is not None:
                cell.number_format = formats[column]
    last_row = HEADER_ROW + max(len(frame), 1)
    if frame.empty:
        _write_text(sheet, HEADER_ROW + 1, 1, "No rows in this publication.")
    else:
        reference = f"A{HEADER_ROW}:{get_column_letter(len(frame.columns))}{last_row}"
        excel_table = Table(displayName=re.sub(r"\W", "_", table), ref=reference)
        excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
        sheet.add_table(excel_table)
    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(header_label(column)) // 2 + 2, *(len(str(v)) for v in frame[column].head(500))], default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(10, longest + 2))
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return sheet, [(header_label(c), described.get(c, "")) for c in frame.columns]


def write_workbook(frames: dict[str, pd.DataFrame], publication: dict, path: Path, notes: list[str]) -> Path:
    """frames: exported table -> rows (figures not stated already emptied); notes: the publication's
    general notes, one per entry."""
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    _write_text(cover, 1, 1, TITLE, font=Font(bold=True, size=16))
    lines = [
        f"Publication {publication['publication_id']}, published {publication['published_at']}.",
        "Figures for Greater Manchester's councils and NHS bodies: local spend, social value secured and "
        "delivered, and SME and VCSE participation, from the published GM social value warehouse.",
        "Definitions of every figure are in the catalogue published beside this workbook (catalogue/index.html).",
    ]
    for row, line in enumerate(lines, start=2):
        _write_text(cover, row, 1, line)
    _write_text(cover, 6, 1, "Contents", font=Font(bold=True, size=13))
    _write_text(cover, 7, 1, "Worksheet", font=Font(bold=True))
    _write_text(cover, 7, 2, "What it holds", font=Font(bold=True))
    sheets, column_notes = [], []
    for table, frame in frames.items():
        sheet, described = _table_sheet(book, table, frame, publication)
        sheets.append((table, sheet))
        column_notes += [(sheet.title, label, text) for label, text in described if text]
    notes_sheet = book.create_sheet("Notes")
    for row, (table, sheet) in enumerate([("Notes", notes_sheet), *sheets], start=8):
        link = cover.cell(row=row, column=1, value=sheet.title)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet.title}'!A1")  # a link within the book
        link.font = Font(underline="single", color="0563C1")
        description = declared().tables[table].description if table in declared().tables else "Notes on the figures"
        _write_text(cover, row, 2, description)
    cover.column_dimensions["A"].width = 32
    cover.column_dimensions["B"].width = 110

    _write_text(notes_sheet, 1, 1, "Notes", font=Font(bold=True, size=14))
    _write_text(notes_sheet, 2, 1, "This worksheet contains one table of notes on the figures and their columns.")
    for index, header in enumerate(("Note", "Applies to", "Text"), start=1):
        _write_text(notes_sheet, 4, index, header, font=Font(bold=True))
    rows = [(f"note {i}", "all tables", text) for i, text in enumerate(notes, start=1)] + column_notes
    for row, values in enumerate(rows, start=5):
        for column, value in enumerate(values, start=1):
            _write_text(notes_sheet, row, column, value, alignment=Alignment(wrap_text=True, vertical="top"))
    notes_table = Table(displayName="notes", ref=f"A4:C{4 + max(len(rows), 1)}")
    notes_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    notes_sheet.add_table(notes_table)
    notes_sheet.freeze_panes = "A5"
    for letter, width in (("A", 28), ("B", 34), ("C", 110)):
        notes_sheet.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
