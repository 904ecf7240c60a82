"""The catalogue is regenerated only when what it shows can have changed (issue 13)."""

import duckdb

from publishing.catalogue import build_catalogue, catalogue_fingerprint


def _project(tmp_path):
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n")
    (project / "models" / "a.sql").write_text("select 1 as a\n")
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table a (a integer)")
    return project, warehouse


def test_new_rows_keep_the_fingerprint_a_model_or_a_column_type_changes_it(tmp_path):
    project, warehouse = _project(tmp_path)
    env = {"SVW_RAW_DIR": "/raw"}
    first = catalogue_fingerprint(project, env, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into a values (1), (2)")
    assert catalogue_fingerprint(project, env, warehouse) == first, "rows are not in the catalogue"

    (project / "models" / "a.sql").write_text("select 2 as a\n")
    edited = catalogue_fingerprint(project, env, warehouse)
    assert edited != first
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table a alter a type bigint")
    assert catalogue_fingerprint(project, env, warehouse) != edited
    assert catalogue_fingerprint(project, {"svw_raw_dir": "/elsewhere"}, warehouse) != first


def test_a_cached_catalogue_is_copied_without_running_dbt(tmp_path):
    project, warehouse = _project(tmp_path)
    cache = tmp_path / "cache"
    key = catalogue_fingerprint(project, {}, warehouse)
    (cache / key).mkdir(parents=True)
    (cache / key / "index.html").write_text("<html>cached</html>")
    # a dbt that cannot run proves the cached copy was used
    path, from_cache = build_catalogue("/nonexistent/dbt", project, {}, tmp_path / "out", cache, warehouse)
    assert from_cache and path.read_text() == "<html>cached</html>"
