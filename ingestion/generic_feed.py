"""Feeds described only by column types (contracts, tenders, social value returns, supply chain).

Each canonical column has a type; parsing, the Great Expectations suite and the Parquet schema all
follow from it, so a new feed is a FeedSchema entry, not new code:
  * a required column must be present and readable on every row (blocking, quarantined);
  * an optional typed column, where a value is given, must be readable (blocking, quarantined);
  * rows of another kind (`row_kind`, e.g. an OCDS tender notice in an awards feed), and notices of
    buyers the layout does not name (`buyers`), are excluded with their reason, without failing the file.
"""

from __future__ import annotations

import re
from typing import Literal, TypedDict

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.canonical import FeedSchema
from ingestion.normalise import _arrow_text, parse_amount_pence, parse_dates, parse_flag
from ingestion.partial_dates import parse_partial_dates
from ingestion.validate import BLOCKING, EXCLUDE, ROW_ID, Expectation, file_has_rows, gx

ROW_KINDS = ("bid", "award")
BUYER_MATCH = "buyer_is_partner"  # helper column: checked, never stored


class _Scope(TypedDict, total=False):
    """The GX keyword arguments that limit a check to this feed's own rows."""

    row_condition: str
    condition_parser: Literal["pandas"]


def stored_name(column: str, kind: str) -> str:
    return re.sub(r"_gbp$", "_pence", column) if kind == "amount" else column


def parse_number(values: pd.Series) -> pd.Series:
    """'12', '1,250.5', '20%', ' 7 ' -> float; unreadable -> NA."""
    text = pc.replace_substring_regex(_arrow_text(values), r"[,%\s£]", "")
    valid = pc.match_substring_regex(text, r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    numbers = pc.cast(pc.if_else(valid, text, pa.scalar(None, pa.string())), pa.float64())
    return pd.Series(pd.array(numbers, dtype="Float64"))


def buyer_matches(names: pd.Series, buyers: tuple[str, ...]) -> pd.Series:
    """A download for a region or a framework holds other buyers' notices too; they must not count in
    this partner's figures. A notice without a buyer name is kept: it cannot be told apart."""
    pattern = re.compile("|".join(f"(?:{b})" for b in buyers), re.IGNORECASE)
    return pd.Series(
        [True if not isinstance(n, str) or not n.strip() else bool(pattern.search(n)) for n in names],
        index=names.index,
        dtype=bool,
    )


def prepare_generic(
    mapped: pd.DataFrame, schema: FeedSchema, date_format: str | None, buyers: tuple[str, ...] = ()
) -> pd.DataFrame:
    out = pd.DataFrame({ROW_ID: mapped[ROW_ID]})
    if buyers:
        names = mapped["buyer_name"] if "buyer_name" in mapped else pd.Series(None, index=mapped.index)
        out[BUYER_MATCH] = buyer_matches(names, buyers).to_numpy()
    for column in schema.columns:
        kind = schema.types.get(column, "text")
        given = mapped[column] if column in mapped else pd.Series(None, index=mapped.index, dtype="string")
        if kind == "date":
            parsed = parse_dates(given, date_format or "%Y-%m-%d")
        elif kind == "partial_date":
            parsed, precision = parse_partial_dates(given, date_format or "%Y-%m-%d")
            precision.index = mapped.index
            out[f"{column}_precision"] = precision
        elif kind == "amount":
            parsed = parse_amount_pence(given)
        elif kind == "number":
            parsed = parse_number(given)
        elif kind == "flag":
            parsed = parse_flag(given).reset_index(drop=True)
        else:
            parsed = given.reset_index(drop=True)
        parsed.index = mapped.index
        out[stored_name(column, kind)] = parsed
        if kind != "text":
            out[f"{column}__readable"] = (given.isna() | parsed.notna()).to_numpy()
    if "row_kind" in schema.columns:
        kinds = mapped["row_kind"] if "row_kind" in mapped else pd.Series("bid", index=mapped.index)
        out["row_kind"] = kinds.fillna("none").astype(str).str.lower()
    return out


def generic_suite(
    schema: FeedSchema, tolerance_pct: float, date_format: str | None, buyers: tuple[str, ...] = ()
) -> list[Expectation]:
    mostly = 1.0 - tolerance_pct / 100.0
    E = gx.expectations
    # Rows of another kind are set aside by is_bid_or_award; the other checks look only at the rest.
    # So are other buyers' notices, when the layout names its buyers.
    condition = f"row_kind.isin({list(ROW_KINDS)!r})" + (f" & ({BUYER_MATCH} == True)" if buyers else "")
    scope: _Scope = {"row_condition": condition, "condition_parser": "pandas"} if "row_kind" in schema.columns else {}
    how = {
        "date": f"a date written as {date_format!r}",
        "partial_date": f"a date written as {date_format!r}, or a month (2022-11, Nov 2022) or a year (2022)",
        "amount": "an amount such as 1234.56 or £1,234.56",
        "number": "a number such as 12 or 12.5",
        "flag": "Yes or No",
        "text": "a value",
    }
    suite = [file_has_rows()]
    if "row_kind" in schema.columns:
        suite.append(
            Expectation(
                "is_bid_or_award",
                EXCLUDE,
                "not a bid or an award (e.g. a tender, planning or amendment notice)",
                "nothing to fix: such rows are kept in quarantine for the record, not counted",
                E.ExpectColumnValuesToBeInSet(column="row_kind", value_set=list(ROW_KINDS)),
            )
        )
    if buyers:
        suite.append(
            Expectation(
                "buyer_is_this_partner",
                EXCLUDE,
                f"the notice's buyer matches none of this layout's buyers ({', '.join(buyers)})",
                "nothing to fix if the notice is another body's; if it is this partner's, add its buyer name to "
                "the layout's 'buyers' in config/partners.yml",
                E.ExpectColumnValuesToBeInSet(column=BUYER_MATCH, value_set=[True]),
            )
        )
    for column in schema.required:
        kind = schema.types.get(column, "text")
        suite.append(
            Expectation(
                f"{column}_present",
                BLOCKING,
                f"{column} is missing{' or unreadable' if kind != 'text' else ''}",
                f"give {column} as {how[kind]}",
                E.ExpectColumnValuesToNotBeNull(column=stored_name(column, kind), mostly=mostly, **scope),
            )
        )
    for column in schema.optional:
        kind = schema.types.get(column, "text")
        if kind != "text":
            suite.append(
                Expectation(
                    f"{column}_readable",
                    BLOCKING,
                    f"{column} is given but cannot be read",
                    f"write {column} as {how[kind]}, or leave it empty",
                    E.ExpectColumnValuesToBeInSet(
                        column=f"{column}__readable", value_set=[True], mostly=mostly, **scope
                    ),
                )
            )
    return suite


ARROW_TYPES = {
    "text": pa.string(),
    "date": pa.date32(),
    "partial_date": pa.date32(),  # the named period's first day; <column>_precision says day/month/year
    "amount": pa.int64(),
    "number": pa.float64(),
    "flag": pa.bool_(),
}


def generic_arrow_schema(schema: FeedSchema) -> pa.Schema:
    fields = [("partner_code", pa.string()), ("period", pa.string())]
    for column in schema.columns:
        kind = schema.types.get(column, "text")
        fields.append((stored_name(column, kind), ARROW_TYPES[kind]))
        if kind == "partial_date":
            fields.append((f"{column}_precision", pa.string()))
    fields += [(column, ARROW_TYPES[kind]) for column, kind in schema.derived.items()]
    fields += [
        ("source_file", pa.string()),
        ("source_file_hash", pa.string()),
        ("source_row_number", pa.int64()),
        ("load_id", pa.string()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
    ]
    return pa.schema(fields)
