"""Missing means one thing at every boundary (ingestion/missing.py): a vendor ID that DuckDB,
Arrow, pandas or a spreadsheet leaves empty never becomes a value such as 'nan'."""

import math

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ingestion.load import SCHEMAS
from ingestion.missing import frame_from_arrow, is_missing, query_frame, text_or_none
from ingestion.raw_store import ensure_feed_placeholders
from ingestion.registry import load_rules
from ingestion.resolution.build import build_supplier_tables, load_overrides, record_key
from ingestion.resolution.identifiers import charity_number, company_number, vat_number
from ingestion.resolution.names import aliases, name_key, parent_names
from tests.factories import write_spend_partition

MISSING = [None, pd.NA, pd.NaT, float("nan"), np.nan, "", "   "]


@pytest.mark.parametrize("value", MISSING)
def test_every_library_empty_value_is_missing(value):
    assert is_missing(value) and text_or_none(value) is None


@pytest.mark.parametrize("value, text", [("0", "0"), (" 12 ", "12"), (0, "0"), ("nan", "nan")])
def test_values_are_not_missing(value, text):
    assert not is_missing(value) and text_or_none(value) == text


def test_pandas_3_hands_duckdb_nulls_over_as_nan_and_query_frame_does_not():
    """The trap itself: a text column with some NULLs arrives from `.df()` as float NaN."""
    con = duckdb.connect()
    sql = "select * from (values ('a', 'V1'), ('b', null)) t(partner, ref)"
    via_df = con.execute(sql).df()["ref"].tolist()[1]
    assert isinstance(via_df, float) and math.isnan(via_df)  # if pandas changes this, the guard still holds
    frame = query_frame(con, sql)
    assert frame["ref"].tolist()[1] is pd.NA
    assert str(frame["ref"].dtype) == "string"


def test_frame_from_arrow_uses_nullable_types():
    table = pa.table(
        {"n": pa.array([1, None]), "b": pa.array([True, None]), "s": pa.array(["x", None]), "f": pa.array([1.5, None])}
    )
    frame = frame_from_arrow(table)
    assert [str(frame[c].dtype) for c in "nbsf"] == ["Int64", "boolean", "string", "Float64"]
    assert all(frame[c].iloc[1] is pd.NA for c in "nbsf")


@pytest.mark.parametrize("missing", MISSING)
def test_record_key_falls_back_to_the_name_for_any_missing_ref(missing):
    assert record_key("bury", missing, "Pennine Care Ltd") == "bury:name:PENNINE CARE LTD"
    assert record_key("bury", "V1", "Pennine Care Ltd") == "bury:ref:V1"


@pytest.mark.parametrize("missing", MISSING)
def test_name_and_number_helpers_treat_missing_alike(missing):
    assert name_key(missing) is None and aliases(missing) == [] and parent_names(missing) == []
    assert company_number(missing) is None and charity_number(missing) is None and vat_number(missing) is None


def test_a_ledger_without_vendor_ids_beside_one_with_them_keeps_every_payee(tmp_path, config_dir):
    """The mixed landing zone of issue 10: one partner with IDs, one with none. Each payee of the
    partner without IDs stays its own record, keyed by its name."""
    raw = tmp_path / "raw"
    ensure_feed_placeholders(raw, SCHEMAS)
    write_spend_partition(
        raw, "trafford", [("101", "Pennine Roofing Ltd", "GB123456789"), ("102", "Tame Catering Ltd", None)]
    )
    write_spend_partition(
        raw,
        "bury",
        [
            (None, "PENNINE ROOFING LIMITED", None),
            (None, "IRWELL PRINT LTD", None),
            (None, "KESTREL TRANSPORT LTD", None),
        ],
    )
    rules = load_rules(config_dir)
    tables = build_supplier_tables(
        raw, load_overrides(tmp_path / "none.yml"), rules.supplier_classification, rules.supplier_matching
    )
    payees = tables["payee_records"]
    bury = payees[payees["partner_code"] == "bury"]
    assert sorted(bury["record_key"]) == [
        "bury:name:IRWELL PRINT LTD",
        "bury:name:KESTREL TRANSPORT LTD",
        "bury:name:PENNINE ROOFING LTD",
    ]
    links = tables["supplier_links"].set_index("record_key")["supplier_id"]
    assert links["bury:name:PENNINE ROOFING LTD"] == links["trafford:ref:101"]  # same firm, by name
    assert links["bury:name:IRWELL PRINT LTD"] != links["bury:name:KESTREL TRANSPORT LTD"]
    assert links.nunique() == 4


def test_a_numbered_record_meets_the_same_name_without_a_number():
    """A record without a company number has no number, not a NaN that 'conflicts' with every
    real number: the same payee in a numbered and an unnumbered ledger is one organisation."""
    from ingestion.resolution.resolve import resolve

    records = pd.DataFrame(
        {
            "record_key": ["oldham:name:AVR", "salford:name:AVR", "trafford:ref:1", "trafford:ref:2"],
            "name": [
                "AVR Transcription Ltd",
                "Avr Transcription Ltd",
                "AVR Transcription Ltd",
                "AVR Transcription Ltd",
            ],
            "company_number": ["04778259", None, None, None],
            "charity_number": [None, None, None, None],
            "vat_number": [None, None, "GB816479991", None],
        }
    )
    links = resolve(records)
    assert links["supplier_id"].nunique() == 1, links
    assert links.set_index("record_key")["carries_identity_number"].tolist() == [True, False, False, False]
