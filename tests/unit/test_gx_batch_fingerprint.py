"""GX's batch fingerprint is switched off (ingestion/validate.py): it hashed every value of every
batch to label results nobody reads, and cost a third of the 10M-row mart suite."""

import pandas as pd
import pytest

from ingestion import validate
from ingestion.validate import BLOCKING, ROW_ID, Expectation, gx, run_suite


def _unique_ids_suite() -> list[Expectation]:
    return [
        Expectation(
            "ids_unique",
            BLOCKING,
            "id repeated",
            "send each id once",
            gx.expectations.ExpectColumnValuesToBeUnique(column="id"),
        )
    ]


def test_the_setting_still_exists_where_gx_reads_it():
    engine = validate.pandas_execution_engine
    assert hasattr(engine, "hash_pandas_dataframe"), "GX moved its batch fingerprint: find the new setting"
    assert engine.HASH_THRESHOLD == 0


def test_a_validation_computes_no_fingerprint_and_still_finds_the_repeat(monkeypatch: pytest.MonkeyPatch):
    def fingerprint(_frame):
        raise AssertionError("GX fingerprinted a batch")

    monkeypatch.setattr(validate.pandas_execution_engine, "hash_pandas_dataframe", fingerprint)
    frame = pd.DataFrame({"id": ["a", "b", "a", "c"], ROW_ID: [1, 2, 3, 4]})
    (result,), bad_rows = run_suite(frame, _unique_ids_suite(), "fingerprint")
    assert not result.success
    assert result.failing_rows == 2 and sorted(bad_rows) == [1, 3]
