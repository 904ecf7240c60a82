"""What people read, made only from the published warehouse: statements, dashboard, exports, catalogue."""

import dagster as dg
import duckdb

from ingestion.settings import load_settings
from orchestration.defs.publish import PUBLISHED
from orchestration.defs.transform import DBT_EXECUTABLE
from publishing.catalogue import build_catalogue
from publishing.dashboard import build_dashboard
from publishing.exports import export_tables
from publishing.statements import render_statements


@dg.asset(
    key=dg.AssetKey(["published", "statements"]),
    deps=[PUBLISHED],
    group_name="publish",
    description="Annual Social Value Statement per partner and year (HTML + PDF), data/published/statements/.",
)
def statements(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = load_settings()
    made = render_statements(settings.published_warehouse_path, settings.published_dir / "statements")
    context.log.info(f"{len(made)} statements written")
    return dg.MaterializeResult(
        metadata={"statements": len(made), "files": dg.MetadataValue.json([s.html_path.name for s in made])}
    )


@dg.asset(
    key=dg.AssetKey(["published", "dashboard"]),
    deps=[PUBLISHED],
    group_name="publish",
    description="Static GM dashboard (data/published/dashboard.html) from the published Parquet files.",
)
def dashboard() -> dg.MaterializeResult:
    settings = load_settings()
    path = build_dashboard(settings.published_dir / "parquet", settings.published_dir / "dashboard.html")
    return dg.MaterializeResult(metadata={"path": str(path)})


@dg.asset(
    key=dg.AssetKey(["published", "exports"]),
    deps=[PUBLISHED],
    group_name="publish",
    description="KPI tables as CSV and one Excel workbook, formula-safe, data/published/exports/.",
)
def exports() -> dg.MaterializeResult:
    settings = load_settings()
    with duckdb.connect(str(settings.published_warehouse_path), read_only=True) as con:
        cursor = con.execute("select * from publication")
        row = cursor.fetchone()
        if row is None:
            raise dg.Failure(f"{settings.published_warehouse_path} has no publication row: nothing was published")
        publication = dict(zip([d[0] for d in cursor.description], row))
    written = export_tables(settings.published_dir / "parquet", settings.published_dir / "exports", publication)
    return dg.MaterializeResult(metadata={"files": dg.MetadataValue.json(sorted(p.name for p in written.values()))})


@dg.asset(
    key=dg.AssetKey(["published", "catalogue"]),
    deps=[PUBLISHED],
    group_name="publish",
    description="dbt docs of every model, column, test and exposure: data/published/catalogue/index.html.",
    pool="warehouse_writer",
)
def catalogue() -> dg.MaterializeResult:
    settings = load_settings()
    path = build_catalogue(
        DBT_EXECUTABLE, settings.dbt_project_dir, settings.environment(), settings.published_dir / "catalogue"
    )
    return dg.MaterializeResult(metadata={"path": str(path)})


output_assets = [statements, dashboard, exports, catalogue]
