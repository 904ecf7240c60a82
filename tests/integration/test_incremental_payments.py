"""The payments' two ten-million-row tables (int_spend__linked_to_supplier and fct_spend) are built
incrementally, by partition: each change a partner or resolution can make must leave exactly the rows
a build from nothing makes, and a month that did not change must not be written again (issue 13).

Each step changes a copy of the published sample's raw layer, builds the kept warehouse again, builds
a fresh one from the same raw layer, and compares both tables row for row (EXCEPT ALL both ways). A
row of a month no step touches is marked in the kept warehouse's tables: it survives an incremental
build (so that month was not rewritten), and is gone after the full refresh a run makes when the
dbt project is not the one that built the kept rows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingestion.dbt_digest import INCREMENTAL_MODELS, kept_rows_from_another_project, project_digest
from ingestion.settings import PROJECT_ROOT
from tests.integration.dbt_cli import run_dbt

MODELS = ("int_spend__linked_to_supplier", "fct_spend")
MODEL = MODELS[0]
MARK = "kept from the last build"


def _build(tmp_path: Path, raw: Path, warehouse: Path, digest: str, full_refresh: bool = False) -> None:
    dbt_vars = {"svw_raw_dir": str(raw), "svw_warehouse": str(warehouse), "svw_project_digest": digest}
    args = ["run", "--select", "+fct_spend", "--quiet", *(["--full-refresh"] if full_refresh else [])]
    result = run_dbt(args, dbt_vars, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def _differences(kept: Path, fresh: Path) -> dict[str, tuple[int, int]]:
    found = {}
    with duckdb.connect() as con:
        con.execute("attach ? as kept (read_only)", [str(kept)])
        con.execute("attach ? as fresh (read_only)", [str(fresh)])
        for model in MODELS:
            only_kept = con.execute(
                f"select count(*) from (from kept.{model} except all from fresh.{model})"
            ).fetchone()
            only_fresh = con.execute(
                f"select count(*) from (from fresh.{model} except all from kept.{model})"
            ).fetchone()
            assert only_kept is not None and only_fresh is not None
            found[model] = (only_kept[0], only_fresh[0])
    return found


def _sql(warehouse: Path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(query, params or []).fetchall()


def _rewrite(path: Path, change) -> None:
    table = pq.read_table(path)
    pq.write_table(change(table), path)


def _partition(folder: Path) -> tuple[str, str]:
    return folder.parent.name.split("=", 1)[1], folder.name.split("=", 1)[1]


def test_every_change_leaves_the_rows_a_fresh_build_makes_and_months_unchanged_are_not_rewritten(raw_layer, tmp_path):
    digest = project_digest(PROJECT_ROOT / "dbt_project")
    kept = tmp_path / "kept.duckdb"
    months = sorted((raw_layer / "spend").glob("partner=*/period=*"))
    months = [m for m in months if (m / "rows.parquet").is_file() and pq.read_metadata(m / "rows.parquet").num_rows]
    assert len(months) >= 5, "the sample should hold several months of spend"
    new, replaced, withdrawn, relinked, untouched = months[-1], months[-2], months[-3], months[0], months[1]
    aside = tmp_path / "aside"
    shutil.move(new, aside)
    _build(tmp_path, raw_layer, kept, digest)

    def mark(value) -> None:
        for model in MODELS:
            _sql(kept, f"update {model} set service_area = ? where payment_id = ?", [value, payment_id])

    def step(name: str) -> None:
        fresh = tmp_path / f"fresh_{name}.duckdb"
        _build(tmp_path, raw_layer, kept, digest)
        _build(tmp_path, raw_layer, fresh, digest)
        for model in MODELS:
            marked = _sql(
                kept, f"select count(*) from {model} where payment_id = ? and service_area = ?", [payment_id, MARK]
            )
            assert marked == [(1,)], f"{name}: the month no step touches was written again in {model}"
        mark(original)
        assert _differences(kept, fresh) == dict.fromkeys(MODELS, (0, 0)), (
            f"{name}: incremental and fresh builds differ"
        )
        mark(MARK)

    partner, period = _partition(untouched)
    (payment_id, original) = _sql(
        kept,
        f"select payment_id, service_area from {MODEL} where partner_code = ? and period = ? order by payment_id limit 1",
        [partner, period],
    )[0]
    mark(MARK)

    # a new month arrives
    shutil.move(aside, new)
    step("new month")
    # a month is sent again: another load, one amount corrected
    _rewrite(
        replaced / "rows.parquet",
        lambda t: t.set_column(
            t.schema.get_field_index("load_id"), "load_id", pa.array(["a-replacement"] * t.num_rows, pa.string())
        ).set_column(
            t.schema.get_field_index("amount_pence"),
            "amount_pence",
            pc.add(t["amount_pence"], pa.scalar(1, t.schema.field("amount_pence").type)),
        ),
    )
    step("replaced month")
    # a month is withdrawn
    shutil.rmtree(withdrawn)
    step("withdrawn month")
    # resolution gives another identity to an organisation paid in one month (not in the marked one)
    (record_key,) = _sql(
        kept,
        f"select min(record_key) from {MODEL} where partner_code = ? and period = ? and record_key is not null "
        f"and record_key not in (select record_key from {MODEL} where partner_code = ? and period = ? "
        "and record_key is not null)",
        [*_partition(relinked), partner, period],
    )[0]
    assert record_key is not None
    _rewrite(
        raw_layer / "resolution" / "supplier_links.parquet",
        lambda t: t.set_column(
            t.schema.get_field_index("supplier_id"),
            "supplier_id",
            pc.if_else(pc.equal(t["record_key"], record_key), pa.scalar("sup-split-by-a-test"), t["supplier_id"]),
        ),
    )
    step("organisation relinked")

    for model, supplier in (("int_spend__linked_to_supplier", "supplier_key"), ("fct_spend", "supplier_id")):
        relinked_rows = _sql(kept, f"select count(*) from {model} where {supplier} = 'sup-split-by-a-test'")
        assert relinked_rows[0][0] > 0, model

    # another dbt project (a changed model or macro): a run sees it and refreshes every row
    assert kept_rows_from_another_project(kept, digest) == []
    assert kept_rows_from_another_project(kept, "another project") == sorted(MODELS)
    _build(tmp_path, raw_layer, kept, "another project", full_refresh=True)
    for model in MODELS:
        assert _sql(kept, f"select count(*) from {model} where service_area = ?", [MARK]) == [(0,)]
    assert kept_rows_from_another_project(kept, "another project") == []


def test_the_incremental_models_named_in_python_are_the_ones_dbt_builds_incrementally():
    manifest = json.loads((PROJECT_ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    incremental = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }
    assert incremental == INCREMENTAL_MODELS
