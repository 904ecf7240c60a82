"""Feeds described only by column types (contracts, tenders, social value returns, supply chain).

Each canonical column has a type; parsing, the Great Expectations suite and the Parquet schema all
follow from it, so a new feed is a FeedSchema entry, not new code:
  * a required column must be present and readable on every row (blocking, quarantined);
  * an optional typed column, where a value is given, must be readable (blocking, quarantined);
  * rows of another kind (`row_kind`, e.g. an OCDS tender notice in an awards feed), and notices of
    buyers the layout does not name (`buyers` by name, `buyer_ids` by identifier), are excluded with
    their reason, without failing the file;
  * a row of a kind that needs more columns (`kind_requires`, e.g. a rating row its rating), and a
    value outside its code list (`value_sets`), are quarantined with the reason (blocking).
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

ROW_KINDS = ("bid", "award")  # the tenders feed's; a FeedSchema names its own (row_kinds)
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


def buyer_id_matches(ids: pd.Series, buyer_ids: tuple[str, ...]) -> pd.Series:
    """Identifiers are exact (scheme-id, e.g. GB-PPON-PSTK-0001-SYN): no pattern, no case folding
    beyond spacing. A notice without a buyer identifier is not this partner's: Procurement Act
    notices always carry one, so its absence is a fault to see, not a guess to make."""
    wanted = {b.strip() for b in buyer_ids}
    return pd.Series(
        [isinstance(i, str) and i.strip() in wanted for i in ids],
        index=ids.index,
        dtype=bool,
    )


def prepare_generic(
    mapped: pd.DataFrame,
    schema: FeedSchema,
    date_format: str | None,
    buyers: tuple[str, ...] = (),
    buyer_ids: tuple[str, ...] = (),
) -> pd.DataFrame:
    out = pd.DataFrame({ROW_ID: mapped[ROW_ID]})
    if buyer_ids:
        ids = mapped["buyer_id"] if "buyer_id" in mapped else pd.Series(None, index=mapped.index)
        out[BUYER_MATCH] = buyer_id_matches(ids, buyer_ids).to_numpy()
    elif buyers:
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
        kinds = mapped["row_kind"] if "row_kind" in mapped else pd.Series(schema.row_kinds[0], index=mapped.index)
        out["row_kind"] = kinds.fillna("none").astype(str).str.lower()
    return out


def generic_suite(
    schema: FeedSchema,
    tolerance_pct: float,
    date_format: str | None,
    buyers: tuple[str, ...] = (),
    buyer_ids: tuple[str, ...] = (),
) -> list[Expectation]:
    mostly = 1.0 - tolerance_pct / 100.0
    E = gx.expectations
    kinds = list(schema.row_kinds)
    # Rows of another kind are set aside by is_bid_or_award; the other checks look only at the rest.
    # So are other buyers' notices, when the layout names its buyers.
    by_buyer = bool(buyers or buyer_ids)
    condition = f"row_kind.isin({kinds!r})" + (f" & ({BUYER_MATCH} == True)" if by_buyer else "")
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
        default = tuple(kinds) == ROW_KINDS
        suite.append(
            Expectation(
                "is_bid_or_award" if default else "row_kind_is_known",
                EXCLUDE,
                "not a bid or an award (e.g. a tender, planning or amendment notice)"
                if default
                else f"not a {', '.join(kinds)} row (e.g. a process with no contract yet: UK1-UK5 notices only)",
                "nothing to fix: such rows are kept in quarantine for the record, not counted",
                E.ExpectColumnValuesToBeInSet(column="row_kind", value_set=kinds),
            )
        )
    if buyer_ids:
        suite.append(
            Expectation(
                "buyer_is_this_partner",
                EXCLUDE,
                f"the notice's buyer identifier is none of this layout's buyer_ids ({', '.join(buyer_ids)})",
                "nothing to fix if the notice is another body's; if it is this partner's, add its identifier to "
                "the layout's 'buyer_ids' in config/partners.yml",
                E.ExpectColumnValuesToBeInSet(column=BUYER_MATCH, value_set=[True]),
            )
        )
    elif buyers:
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
    for row_kind, columns in schema.kind_requires.items():
        kind_scope: _Scope = {
            "row_condition": f"({condition}) & (row_kind == {row_kind!r})",
            "condition_parser": "pandas",
        }
        for column in columns:
            kind = schema.types.get(column, "text")
            suite.append(
                Expectation(
                    f"{row_kind}_{column}_present",
                    BLOCKING,
                    f"a {row_kind} row without {column}{' or with it unreadable' if kind != 'text' else ''}",
                    f"give {column} on every {row_kind} as {how[kind]}",
                    E.ExpectColumnValuesToNotBeNull(column=stored_name(column, kind), mostly=mostly, **kind_scope),
                )
            )
    for column, allowed in schema.value_sets.items():
        suite.append(
            Expectation(
                f"{column}_in_codelist",
                BLOCKING,
                f"{column} is not one of the code list's values ({', '.join(allowed)})",
                f"write {column} as one of {', '.join(allowed)} (codes, not their titles), or leave it empty",
                E.ExpectColumnValuesToBeInSet(column=column, value_set=list(allowed), mostly=mostly, **scope),
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
