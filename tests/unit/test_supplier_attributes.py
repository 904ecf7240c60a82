"""The supplier_attributes feed: partial dates, the scheme list, quarantine reasons, and matching facts
to resolved organisations (registration numbers first, then name keys; unmatched kept)."""

from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ingestion import raw_store
from ingestion.attributes import load_schemes, parse_schemes
from ingestion.landing import scan_landing
from ingestion.load import load_file
from ingestion.partial_dates import parse_partial_dates, period_end
from ingestion.registry import ConfigError, load_registry, load_rules
from ingestion.resolution.attributes import attribute_links

HEADER = "Organisation,Company Number,Charity Number,Scheme,Status,Valid From,Valid To,Evidence URL,Confirmed\n"


def test_partial_dates_keep_their_precision():
    cells = pd.Series(
        ["2019-11-11", "2022-11", "2022 (as at article)", "Nov 2022", "11/11/2019", "2022-13", "soon", None],
        dtype="string",
    )
    starts, precision = parse_partial_dates(cells, "%d/%m/%Y")
    assert starts.tolist()[:5] == [date(2019, 11, 11), date(2022, 11, 1), date(2022, 1, 1), date(2022, 11, 1)] + [
        date(2019, 11, 11)
    ]
    assert precision.tolist()[:5] == ["day", "month", "year", "month", "day"]
    assert starts[5:].isna().all() and precision[5:].isna().all()
    assert period_end(date(2024, 2, 1), "month") == date(2024, 2, 29)
    assert period_end(date(2022, 1, 1), "year") == date(2022, 12, 31)


def test_scheme_list_matches_published_wording(config_dir):
    schemes = load_schemes(config_dir)
    assert schemes.match("GM Good Employment Charter", "Member") == ("gm_good_employment_charter_member", True)
    assert schemes.match("gm good employment charter", "SUPPORTER")[0] == "gm_good_employment_charter_supporter"
    assert schemes.match("real_living_wage_employer", None) == ("real_living_wage_employer", True)
    alliance = 'Making Living Wage Places alliance member (alliance "comprises ...")'
    assert schemes.match("Real Living Wage (Living Wage Foundation)", alliance) == ("real_living_wage_employer", False)
    assert schemes.match("GM Good Employment Charter", "Friend") == (None, None)
    assert schemes.match("Investors in People", "Gold") == (None, None)


def test_scheme_list_errors_name_the_entry():
    with pytest.raises(ConfigError, match="scheme 1: code 'Bad Code'"):
        parse_schemes({"version": "v", "schemes": [{"code": "Bad Code", "name": "x"}]}, "config/schemes.yml")
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        parse_schemes(
            {"version": "v", "schemes": [{"code": "a", "name": "A", "published_as": [{"scheme": "A", "status": "("}]}]},
            "config/schemes.yml",
        )


def _load(workspace, config_dir, rows):
    folder = workspace.landing / "gm_shared" / "supplier_attributes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "gm_supplier_attributes.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    registry = load_registry(config_dir)
    landed = next(f for f in scan_landing(workspace.landing, registry).files if f.feed == "supplier_attributes")
    return load_file(landed, load_rules(config_dir), workspace.raw)


def test_bad_facts_are_quarantined_with_their_reasons(workspace, config_dir):
    report = _load(
        workspace,
        config_dir,
        [
            "Acme Ltd,01234567,,Real Living Wage,Accredited Employer,2019-10-15,,https://e.org/1,Yes\n",
            "Beta Ltd,,,GM Good Employment Charter,Member,2020-05,2019-12-31,https://e.org/2,\n",  # to before from
            "Gamma Ltd,,,Investors in People,Gold,2019-01-01,,https://e.org/3,\n",  # unknown scheme
            "Delta Ltd,,,Carbon Reduction Plan,,last spring,,https://e.org/4,\n",  # unreadable date
            "Eps Ltd,,,Carbon Reduction Plan,,2021,,https://e.org/5,No\n",
        ],
    )
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (5, 2, 3)
    assert not report.passed  # a blocking check failed: the partner must fix the file
    folder = raw_store.partition_dir(workspace.raw, "supplier_attributes", "gm_shared", "current")
    quarantined = pq.read_table(folder / "quarantine.parquet").to_pandas().set_index("source_row_number")
    assert "valid_to is before valid_from" in quarantined.loc[3, "reason"]
    assert "unknown scheme" in quarantined.loc[4, "reason"]
    assert "valid_from is missing or unreadable" in quarantined.loc[5, "reason"]
    rows = pq.read_table(folder / "rows.parquet").to_pandas().set_index("organisation_name")
    assert rows.loc["Acme Ltd", "scheme_code"] == "real_living_wage_employer"
    assert rows.loc["Acme Ltd", "confirmed"] and rows.loc["Acme Ltd", "valid_from_precision"] == "day"
    assert not rows.loc["Eps Ltd", "confirmed"] and rows.loc["Eps Ltd", "valid_from_precision"] == "year"
    assert rows.loc["Eps Ltd", "confirmed_basis"] == "the feed's confirmed column"


def test_facts_match_numbers_first_then_name_keys():
    records = pd.DataFrame(
        {
            "record_key": ["r1", "r2", "r3", "r4", "r5"],
            "company_number": ["1234567", None, None, "07654321", None],
            "charity_number": [None, "1091234", None, None, None],
            "supplier_name": ["Acme Ltd", "Carers Trust", "Pennine Care Services Ltd", "Oakwood Ltd", "Acme Limited"],
        }
    )
    links = pd.DataFrame({"record_key": ["r1", "r2", "r3", "r4", "r5"], "supplier_id": ["A", "C", "P", "O", "A2"]})
    facts = pd.DataFrame(
        {
            "partner_code": ["gm_shared"] * 5,
            "source_file_hash": ["h"] * 5,
            "source_row_number": [2, 3, 4, 5, 6],
            "organisation_name": ["ACME (wrong name)", "Carers", "PENNINE CARE SERVICES LIMITED", "Oakwood Ltd", "Zed"],
            "company_number": ["01234567", None, None, "99999999", None],
            "charity_number": [None, "GB-CHC-1091234", None, None, None],
        }
    )
    out = attribute_links(facts, records, links).set_index("source_row_number")
    assert out.loc[2, "supplier_id"] == "A" and out.loc[2, "match_method"] == "company_number"
    assert out.loc[3, "supplier_id"] == "C" and out.loc[3, "match_method"] == "charity_number"
    assert out.loc[4, "supplier_id"] == "P" and out.loc[4, "match_method"] == "name_key"
    # the same name but another company number: not this organisation
    assert pd.isna(out.loc[5, "supplier_id"]) and out.loc[5, "match_method"] == "unmatched"
    assert out.loc[6, "match_method"] == "unmatched" and out.loc[6, "matched_suppliers"] == 0
