"""Map a partner's column names onto the canonical schema, as declared in config/partners.yml."""

from __future__ import annotations

import pandas as pd

from ingestion.canonical import FEEDS
from ingestion.readers import RawTable, header_key
from ingestion.registry import FeedConfig
from ingestion.validate import ROW_ID


class MappingError(ValueError):
    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.fix = fix


def mapping_header_keys(config: FeedConfig) -> set[str]:
    return {header_key(name) for names in config.columns.values() for name in names}


def map_columns(table: RawTable, config: FeedConfig, source: str) -> pd.DataFrame:
    """Canonical columns (text) plus source_row_number. For each canonical column the listed
    source names present in the file are used in order (first non-empty value), so a mapping can
    span header drift and fall back from one column to another."""
    by_key = {header_key(col): col for col in table.frame.columns}
    mapped = pd.DataFrame({ROW_ID: table.row_numbers.to_numpy()})
    missing = []
    for canonical, names in config.columns.items():
        present = [by_key[header_key(n)] for n in names if header_key(n) in by_key]
        if not present:
            if canonical in FEEDS[config.feed].required:
                missing.append((canonical, names))
            continue
        values = table.frame[present[0]]
        for other in present[1:]:  # several listed columns in one file: the first non-empty wins
            values = values.fillna(table.frame[other])
        mapped[canonical] = values.array  # keeps the Arrow-backed text as it is
    for canonical, value in config.constants.items():
        if canonical not in mapped:
            mapped[canonical] = value
    if missing:
        wanted = "; ".join(f"'{c}' (looked for {', '.join(repr(n) for n in names)})" for c, names in missing)
        columns = ", ".join(repr(c) for c in table.frame.columns)
        raise MappingError(
            f"{source}: no column for {wanted}; the file's header (row {table.header_row}) is: {columns}",
            fix=(
                f"add the file's column name to config/partners.yml under partner '{config.partner}', "
                f"feeds.{config.feed}.columns, or fix the file's header"
            ),
        )
    return mapped
