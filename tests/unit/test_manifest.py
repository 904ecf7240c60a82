"""The load manifest is one typed record: the class, its published JSON schema, the files the loader
writes and the dbt model that reads them agree field for field (issue 12)."""

import json
import re

import jsonschema
import pytest

from ingestion import raw_store
from ingestion.manifest import LoadManifest, manifest_json_schema
from tests.conftest import PROJECT_ROOT
from tests.factories import load_record

SCHEMA_FILE = PROJECT_ROOT / "docs" / "load_manifest.schema.json"


def _example(**overrides) -> LoadManifest:
    fields = dict(
        period="2019-05",
        source_file="stockport/spend/x.csv",
        source_file_hash="ab" * 32,
        mapping_fingerprint="f",
        rule_versions={"local_spend": "local-spend-v3"},
        raw_format_version="raw-format-5",
        load_id="20260101T000000-abcd1234",
        rows_in=3,
        rows_quarantined=1,
        passed=False,
        state="quarantined",
    )
    return load_record(**{**fields, **overrides})


def test_the_published_schema_is_the_class_schema():
    assert json.loads(SCHEMA_FILE.read_text()) == manifest_json_schema(), (
        "docs/load_manifest.schema.json is stale: regenerate it from ingestion/manifest.py"
    )


def test_a_written_manifest_follows_the_schema_and_reads_back_equal(tmp_path):
    import pyarrow as pa

    written = _example(loaded_amount_pence=12345, checks=[{"check": "x", "success": True}])
    empty = pa.table({"a": pa.array([], pa.int64())})
    quarantine = raw_store.QUARANTINE_SCHEMA.empty_table()
    raw_store.write_partition(tmp_path, "spend", "stockport", "2019-05", empty, quarantine, written)
    path = raw_store.partition_dir(tmp_path, "spend", "stockport", "2019-05") / raw_store.MANIFEST
    jsonschema.validate(json.loads(path.read_text()), manifest_json_schema())
    assert raw_store.read_manifest(tmp_path, "spend", "stockport", "2019-05") == written


def test_a_manifest_missing_a_field_is_refused_with_the_file_named():
    record = json.loads(_example().to_json())
    del record["state"]
    with pytest.raises(ValueError, match=r"raw/x/_load.json.*missing \['state'\].*svw backfill"):
        LoadManifest.from_dict(record, where="raw/x/_load.json")


def test_dbt_reads_only_fields_the_manifest_has():
    sql = (PROJECT_ROOT / "dbt_project" / "models" / "staging" / "stg_raw__loads.sql").read_text()
    body = sql.split("select", 1)[1].split("from {{", 1)[0]
    read = {re.sub(r"^cast\((\w+) as .*", r"\1", item.strip()).split(" as ")[0].strip() for item in body.split(",")}
    assert read <= set(manifest_json_schema()["properties"]), read - set(manifest_json_schema()["properties"])
