"""Procurement Act notices: the OCDS compiled-release merge, the flattening to contract / KPI /
rating rows, the UK extension's code list, the disagreement rule, and the sample's fixture notices
validated field for field against the UK extension's release schema."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from ingestion.canonical import FEEDS
from ingestion.procurement_act import (
    UK9_RATINGS,
    WHOLE_LIST_MERGE,
    compile_file,
    compile_releases,
    merge_object,
    notice_types,
    whole_list_merge_fields,
)
from ingestion.procurement_act_schema import release_schema, validation_errors
from ingestion.registry import ConfigError, load_rules, parse_rule_section
from ingestion.registry import ContractPerformanceRule as Rule

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# the UK extension as published, read from the shared reference data (never copied into the repo)
EXTENSION_DIR = (
    PROJECT_ROOT / ".." / "shared" / "data" / "real" / "gm_reference_2025" / "procurement_ocds" / "ocds_uk_extension"
).resolve()
SAMPLE_NOTICES = sorted((PROJECT_ROOT / "data" / "sample" / "landing").glob("*/contract_notices/*.jsonl"))


def _release(ocid: str, rid: str, date: str, **body) -> dict:
    return {"ocid": ocid, "id": rid, "date": date, "tag": ["contract"], "initiationType": "tender", **body}


AWARD = _release(
    "ocds-x-1",
    "r1",
    "2025-03-01T00:00:00Z",
    buyer={"id": "GB-PPON-PAAA-0001", "name": "A Council"},
    parties=[
        {
            "id": "GB-PPON-PAAA-0001",
            "name": "A Council",
            "identifier": {"scheme": "GB-PPON", "id": "PAAA-0001"},
            "roles": ["buyer"],
        },
        {"id": "S1", "name": "Supplier One Ltd", "roles": ["supplier"]},
    ],
    awards=[
        {
            "id": "A1",
            "status": "active",
            "date": "2025-03-01T00:00:00Z",
            "suppliers": [{"id": "S1", "name": "Supplier One Ltd"}],
            "documents": [{"id": "d-uk6", "documentType": "awardNotice", "noticeType": "UK6"}],
        }
    ],
)
DETAILS = _release(
    "ocds-x-1",
    "r2",
    "2025-04-01T00:00:00Z",
    contracts=[
        {
            "id": "C-1",
            "awardID": "A1",
            "title": "Cleaning",
            "status": "active",
            "period": {"startDate": "2025-04-01T00:00:00Z", "endDate": "2027-03-31T00:00:00Z"},
            "agreedMetrics": [
                {"id": "K1", "title": "On time", "observations": [{"id": "K1-t", "measure": "95%"}]},
                {"id": "K2", "title": "Satisfaction", "observations": [{"id": "K2-t", "measure": "90%"}]},
            ],
            "documents": [{"id": "d-uk7", "documentType": "contractSigned", "noticeType": "UK7"}],
        }
    ],
)


def _rating(rid: str, date: str, ratings: dict[str, str], period_end: str) -> dict:
    return _release(
        "ocds-x-1",
        rid,
        date,
        contracts=[
            {
                "id": "C-1",
                "awardID": "A1",
                "implementation": {
                    "metrics": [
                        {
                            "id": kpi,
                            "observations": [
                                {
                                    "id": f"{kpi}-{period_end}",
                                    "period": {"endDate": f"{period_end}T00:00:00Z"},
                                    "measureClassification": {"id": code},
                                }
                            ],
                        }
                        for kpi, code in ratings.items()
                    ],
                    "documents": [{"id": f"d-{rid}", "documentType": "implementationNotice", "noticeType": "UK9"}],
                },
            }
        ],
    )


# --- the merge -------------------------------------------------------------------------------


def test_later_values_replace_earlier_and_null_removes():
    merged = merge_object({"a": 1, "b": {"c": 2, "d": 3}, "e": 5}, {"a": 9, "b": {"c": None}, "e": None})
    assert merged == {"a": 9, "b": {"d": 3}}


def test_arrays_of_objects_with_ids_merge_by_id_and_keep_order():
    earlier = {"items": [{"id": "1", "x": 1, "y": 1}, {"id": "2", "x": 2}]}
    later = {"items": [{"id": "2", "x": 20}, {"id": "3", "x": 3}]}
    assert merge_object(earlier, later)["items"] == [
        {"id": "1", "x": 1, "y": 1},
        {"id": "2", "x": 20},
        {"id": "3", "x": 3},
    ]


def test_other_arrays_and_whole_list_merge_fields_are_replaced_whole():
    assert merge_object({"tags": ["a", "b"]}, {"tags": ["c"]}) == {"tags": ["c"]}
    whole = frozenset({"rationaleClassifications"})
    earlier = {"rationaleClassifications": [{"id": "1"}, {"id": "2"}]}
    assert merge_object(earlier, {"rationaleClassifications": [{"id": "3"}]}, whole) == {
        "rationaleClassifications": [{"id": "3"}]
    }


def test_whole_list_merge_fields_are_the_uk_extensions(real_data):
    schema = json.loads((EXTENSION_DIR / "release-schema.json").read_text(encoding="utf-8"))
    assert {"rationaleClassifications", "criteria", "buyerClassificationRestrictions"} <= whole_list_merge_fields(
        schema
    )
    assert whole_list_merge_fields(schema) == WHOLE_LIST_MERGE


def test_releases_apply_oldest_first_whatever_their_order_in_the_file():
    first = _rating("r3", "2025-10-15T00:00:00Z", {"K1": "below"}, "2025-09-30")
    second = _rating("r4", "2026-04-15T00:00:00Z", {"K1": "met"}, "2026-03-31")
    compiled = compile_releases([second, DETAILS, first, AWARD])
    metric = compiled["contracts"][0]["implementation"]["metrics"][0]
    # both UK9 observations survive (merged by id), in date order; the contract's UK7 fields too
    assert [o["measureClassification"]["id"] for o in metric["observations"]] == ["below", "met"]
    assert compiled["contracts"][0]["title"] == "Cleaning"
    assert [n["types"] for n in compiled["_notices"]] == [["UK6"], ["UK7"], ["UK9"], ["UK9"]]
    assert compiled["tag"] == ["compiled"] and compiled["date"] == "2026-04-15T00:00:00Z"
    assert compiled["_releases"] == 4


def test_a_termination_changes_the_status_and_keeps_everything_else():
    termination = _release(
        "ocds-x-1",
        "r9",
        "2026-06-01T00:00:00Z",
        contracts=[
            {
                "id": "C-1",
                "awardID": "A1",
                "status": "terminated",
                "documents": [{"id": "d-uk11", "noticeType": "UK11"}],
            }
        ],
    )
    compiled = compile_releases([AWARD, DETAILS, termination])
    contract = compiled["contracts"][0]
    assert contract["status"] == "terminated" and len(contract["agreedMetrics"]) == 2
    assert [d["id"] for d in contract["documents"]] == ["d-uk7", "d-uk11"]


def test_notice_types_are_found_in_any_section():
    assert notice_types(DETAILS) == ["UK7"]
    assert notice_types(_rating("r", "2025-01-01T00:00:00Z", {"K1": "met"}, "2025-01-01")) == ["UK9"]
    assert notice_types({"tender": {"documents": [{"noticeType": "not a type"}]}}) == []


# --- the rows --------------------------------------------------------------------------------


def test_a_process_flattens_to_contract_kpi_and_rating_rows():
    rating = _rating("r3", "2025-10-15T00:00:00Z", {"K1": "met", "K2": "slightlyBelow"}, "2025-09-30")
    rows = compile_file([(1, AWARD), (2, rating), (3, DETAILS)])
    kinds = [r["row_kind"] for r in rows]
    assert kinds == ["contract", "kpi", "kpi", "rating", "rating"]
    contract = rows[0]
    assert contract["buyer_id"] == "GB-PPON-PAAA-0001" and contract["supplier_name"] == "Supplier One Ltd"
    assert contract["notice_types"] == "UK6,UK7,UK9" and contract["latest_notice_type"] == "UK9"
    assert contract["start_date"] == "2025-04-01" and contract["kpi_count"] == 2
    assert {r["kpi_id"]: r["rating"] for r in rows if r["row_kind"] == "rating"} == {"K1": "met", "K2": "slightlyBelow"}
    assert rows[3]["period_end"] == "2025-09-30"
    assert all(r["source_line"] == 1 for r in rows)  # the process's first line in the file


def test_a_release_without_ocid_stands_alone_and_its_rows_carry_no_ocid():
    lost = copy.deepcopy(DETAILS)
    del lost["ocid"]
    rows = compile_file([(1, AWARD), (2, lost)])
    assert {r["ocid"] for r in rows} == {"ocds-x-1", None}
    assert [r["row_kind"] for r in rows if r["ocid"] is None] == ["contract", "kpi", "kpi"]


def test_a_process_with_no_contract_gives_one_process_row():
    tender = _release(
        "ocds-x-2", "t1", "2025-01-01T00:00:00Z", tender={"id": "T", "documents": [{"id": "d", "noticeType": "UK4"}]}
    )
    rows = compile_file([(1, tender)])
    assert [(r["row_kind"], r["notice_types"]) for r in rows] == [("process", "UK4")]
    assert "process" not in FEEDS["contract_notices"].row_kinds


# --- the code list and the rule ---------------------------------------------------------------


def test_rating_codes_are_the_uk_extensions(real_data):
    """The codes are stated in the extension's Observation.measureClassification description."""
    schema = json.loads((EXTENSION_DIR / "release-schema.json").read_text(encoding="utf-8"))
    text = schema["definitions"]["Observation"]["properties"]["measureClassification"]["description"]
    listed = re.search(r"possible id values are (.+)\.", text).group(1)
    assert re.split(r", | and ", listed) == list(UK9_RATINGS)
    assert FEEDS["contract_notices"].value_sets["rating"] == tuple(UK9_RATINGS)


def test_the_shipped_rule_ranks_every_code_and_disagreement_needs_opposite_extremes(config_dir):
    rule = load_rules(config_dir).contract_performance
    assert sorted(rule.rating_order_worst_first) == sorted(UK9_RATINGS)
    assert rule.rating_order_worst_first[0] == "significantlyBelow"
    assert "slightlyBelow" not in rule.favourable_ratings + rule.unfavourable_ratings
    assert "amber" not in rule.favourable_sv_rag + rule.unfavourable_sv_rag


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("favourable_ratings", ["good"], "favourable_ratings must be a list of UK9 rating codes"),
        ("unfavourable_ratings", ["met"], "unfavourable_ratings must be a list sharing no code"),
        ("favourable_sv_rag", ["blue"], "favourable_sv_rag must be a list of social value RAG"),
        ("rating_order_worst_first", ["met", "below"], "rating_order_worst_first must be every UK9 rating code once"),
    ],
)
def test_a_wrong_rule_value_is_refused_with_the_key(config_dir, key, value, message):
    import yaml

    raw = yaml.safe_load((config_dir / "rules.yml").read_text(encoding="utf-8"))["contract_performance"]
    raw[key] = value
    with pytest.raises(ConfigError, match=message):
        parse_rule_section(Rule, raw, "config/rules.yml")


# --- the fixtures ---------------------------------------------------------------------------


def test_the_uk_extension_patch_reaches_the_schema(real_data):
    schema = release_schema(EXTENSION_DIR)
    assert "measureClassification" in schema["definitions"]["Observation"]["properties"]
    assert "noticeType" in schema["definitions"]["Document"]["properties"]
    assert "noAgreedMetricsRationale" in schema["definitions"]["Contract"]["properties"]


def test_a_field_neither_ocds_nor_uk_is_refused(real_data):
    schema = release_schema(EXTENSION_DIR)
    release = copy.deepcopy(DETAILS)
    release["contracts"][0]["kpiScore"] = 3
    assert any("kpiScore" in e for e in validation_errors(release, schema))
    assert validation_errors(DETAILS, schema) == []
    assert validation_errors(AWARD, schema) == []


def test_every_sample_notice_follows_the_schema_field_for_field(real_data):
    """The sample's synthetic notices are valid OCDS + UK extension releases, but for the one release
    planted without its ocid (which the feed must quarantine)."""
    assert len(SAMPLE_NOTICES) == 4
    schema = release_schema(EXTENSION_DIR)
    problems = []
    for path in SAMPLE_NOTICES:
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for error in validation_errors(json.loads(line), schema):
                problems.append(f"{path.name}:{line_number}: {error}")
    assert problems and all("'ocid' is a required property" in p for p in problems), problems
    assert len(problems) == 1


# --- the feed: a partner's own notices, and the faults quarantined with their reasons ----------


def test_the_sample_download_is_read_merged_and_its_faults_set_aside(config_dir):
    """Stockport's sample file through the feed's own suite (no pipeline): the neighbour's notice is
    excluded by buyer identifier, the release without an ocid and the rating outside the UK code
    list are quarantined with their reasons, and the file still passes."""
    from ingestion.load import validate_file
    from ingestion.periods import SNAPSHOT, Period
    from ingestion.registry import load_registry
    from ingestion.validate import verdict

    truth = json.loads((PROJECT_ROOT / "data" / "sample" / "answers.json").read_text())["contract_performance"]
    (config,) = load_registry(config_dir).partners["stockport"].feeds["contract_notices"]
    assert config.buyer_ids == ("GB-PPON-PSTO-0001-SYN",)
    path = next(p for p in SAMPLE_NOTICES if "stockport" in p.name)
    checked = validate_file(path, config, load_rules(config_dir), Period(key=SNAPSHOT, start=None, months=0))
    reasons: dict[str, int] = {}
    for checks in checked.bad_rows.values():
        for check in checks:
            reasons[check.check] = reasons.get(check.check, 0) + 1
    assert reasons == {
        "buyer_is_this_partner": truth["other_buyer_contract_rows"]["stockport"],
        "ocid_present": truth["quarantined"]["no_ocid_rows"],
        "rating_in_codelist": truth["quarantined"]["rating_not_in_codelist_rows"],
    }
    assert verdict(checked.results)
    kept = checked.prepared[~checked.prepared["source_row_number"].isin(checked.bad_rows)]
    planted = [c for c in truth["contracts"] if c["partner"] == "stockport"]
    contracts = kept[kept["row_kind"] == "contract"].set_index("contract_ref")
    for c in planted:
        assert contracts.loc[c["contract_ref"], "release_count"] == c["release_count"]
    assert (contracts["buyer_id"] == "GB-PPON-PSTO-0001-SYN").all()


def test_buyer_ids_are_matched_exactly_and_a_missing_id_is_not_a_match():
    import pandas as pd

    from ingestion.generic_feed import buyer_id_matches

    ids = pd.Series(
        ["GB-PPON-PSTO-0001-SYN", " GB-PPON-PSTO-0001-SYN ", "gb-ppon-psto-0001-syn", None, "GB-PPON-PSTO-0001"]
    )
    assert buyer_id_matches(ids, ("GB-PPON-PSTO-0001-SYN",)).tolist() == [True, True, False, False, False]


def test_buyer_ids_need_a_buyer_id_column(config_dir):
    import yaml

    from ingestion.registry import parse_registry

    raw_registry = yaml.safe_load((config_dir / "partners.yml").read_text(encoding="utf-8"))
    layout = raw_registry["partners"][0]["feeds"]["contracts"]
    layout["buyer_ids"] = ["GB-PPON-X"]
    with pytest.raises(ConfigError, match="'buyer_ids' needs a feed with a buyer_id column"):
        parse_registry(raw_registry)
