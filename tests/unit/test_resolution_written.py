"""write_supplier_tables, as the pipeline runs it (in a process of its own): the tables it writes
are the ones resolution builds in this process, its summary counts what it wrote, and a second run
on the same inputs says it kept the links."""

import pandas as pd

from ingestion.child_process import run_in_child
from ingestion.load import SCHEMAS
from ingestion.raw_store import ensure_feed_placeholders
from ingestion.registry import load_rules
from ingestion.resolution.build import RESOLUTION_TABLES, build_supplier_tables, load_overrides, write_supplier_tables
from tests.factories import write_spend_partition


def test_resolution_in_its_own_process_writes_what_it_would_have_built_here(tmp_path, config_dir):
    raw = tmp_path / "raw"
    ensure_feed_placeholders(raw, SCHEMAS)
    write_spend_partition(
        raw, "trafford", [("101", "Pennine Roofing Ltd", "GB123456789"), ("102", "Tame Catering Ltd", None)]
    )
    write_spend_partition(raw, "bury", [(None, "PENNINE ROOFING LIMITED", None), (None, "IRWELL PRINT LTD", None)])
    kept_dir = tmp_path / "kept"

    first = run_in_child("supplier resolution", write_supplier_tables, raw, config_dir, kept_dir)
    second = run_in_child("supplier resolution", write_supplier_tables, raw, config_dir, kept_dir)

    assert (first.links_kept, second.links_kept) == (False, True)
    for name in RESOLUTION_TABLES:
        assert first.rows[name] == len(pd.read_parquet(raw / "resolution" / f"{name}.parquet"))
    assert first.rows["supplier_links"] == 4 and first.organisations == 3
    assert sum(first.links_by_method.values()) == first.rows["supplier_links"]
    rules = load_rules(config_dir)
    here = build_supplier_tables(
        raw,
        load_overrides(config_dir / "overrides" / "suppliers.yml"),
        rules.supplier_classification,
        rules.supplier_matching,
    )["supplier_links"]
    written = pd.read_parquet(raw / "resolution" / "supplier_links.parquet")
    pd.testing.assert_frame_equal(written, here, check_dtype=False)
