"""What people read, made only from the staged publication (never the working warehouse):
statements, dashboard, exports, catalogue, each built into the release its run staged; then
published/current switches that release in whole (publishing/publish.py switch_release)."""

import dagster as dg
import duckdb

from orchestration.defs.publish import CURRENT, PUBLISHED, run_staging
from orchestration.defs.transform import DBT_EXECUTABLE
from orchestration.resources import WarehouseSettings
from publishing.catalogue import build_catalogue
from publishing.dashboard import build_dashboard
from publishing.exports import export_tables
from publishing.publish import PublicationBlocked, switch_release
from publishing.remote import RemotePublishError, mirror_release
from publishing.statements import render_statements

STATEMENTS = dg.AssetKey(["published", "statements"])
DASHBOARD = dg.AssetKey(["published", "dashboard"])
EXPORTS = dg.AssetKey(["published", "exports"])
CATALOGUE = dg.AssetKey(["published", "catalogue"])


@dg.asset(
    key=STATEMENTS,
    deps=[PUBLISHED],
    group_name="publish",
    description="Annual Social Value Statement per partner and year (HTML + PDF), data/published/current/statements/; "
    "a partner-year whose figures are unchanged keeps the previous release's file (statements/index.json).",
)
def statements(context: dg.AssetExecutionContext, warehouse: WarehouseSettings) -> dg.MaterializeResult:
    settings = warehouse.get()
    staging = run_staging(context, settings)
    previous = (settings.published_dir / "current" / "statements").resolve()
    made = render_statements(
        staging / "warehouse.duckdb",
        staging / "statements",
        config_dir=settings.config_dir,
        previous_dir=previous if previous.is_dir() else None,
        workers=settings.load_workers,
    )
    reused = sum(s.reused for s in made)
    context.log.info(f"{len(made)} statements: {len(made) - reused} drawn, {reused} unchanged and copied")
    return dg.MaterializeResult(
        metadata={
            "statements": len(made),
            "drawn": len(made) - reused,
            "unchanged": reused,
            "files": dg.MetadataValue.json([s.html_path.name for s in made]),
        }
    )


@dg.asset(
    key=DASHBOARD,
    deps=[PUBLISHED],
    group_name="publish",
    description="Static GM dashboard (data/published/current/dashboard.html) from the published Parquet files.",
)
def dashboard(context: dg.AssetExecutionContext, warehouse: WarehouseSettings) -> dg.MaterializeResult:
    settings = warehouse.get()
    staging = run_staging(context, settings)
    path = build_dashboard(staging / "parquet", staging / "dashboard.html", config_dir=settings.config_dir)
    return dg.MaterializeResult(metadata={"path": str(path)})


@dg.asset(
    key=EXPORTS,
    deps=[PUBLISHED],
    group_name="publish",
    description="KPI tables as CSV and one Excel workbook, formula-safe, data/published/current/exports/.",
)
def exports(context: dg.AssetExecutionContext, warehouse: WarehouseSettings) -> dg.MaterializeResult:
    staging = run_staging(context, warehouse.get())
    with duckdb.connect(str(staging / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute("select * from publication")
        row = cursor.fetchone()
        if row is None:
            raise dg.Failure(f"{staging / 'warehouse.duckdb'} has no publication row: nothing was published")
        publication = dict(zip([d[0] for d in cursor.description], row))
    written = export_tables(staging / "parquet", staging / "exports", publication)
    return dg.MaterializeResult(metadata={"files": dg.MetadataValue.json(sorted(p.name for p in written.values()))})


@dg.asset(
    key=CATALOGUE,
    deps=[PUBLISHED],
    group_name="publish",
    description="dbt docs of every model, column, test and exposure: data/published/current/catalogue/index.html.",
    pool="warehouse_writer",
)
def catalogue(context: dg.AssetExecutionContext, warehouse: WarehouseSettings) -> dg.MaterializeResult:
    settings = warehouse.get()
    staging = run_staging(context, settings)
    path, from_cache = build_catalogue(
        DBT_EXECUTABLE,
        settings.dbt_project_dir,
        settings.dbt_vars(),
        staging / "catalogue",
        cache_dir=settings.work_dir / "catalogue_cache",
        warehouse=settings.warehouse_path,
    )
    context.log.info(
        "catalogue: dbt project and schema unchanged, cached copy" if from_cache else "catalogue: generated"
    )
    return dg.MaterializeResult(metadata={"path": str(path), "from_cache": from_cache})


@dg.asset(
    key=CURRENT,
    deps=[PUBLISHED, STATEMENTS, DASHBOARD, EXPORTS, CATALOGUE],
    group_name="publish",
    description="data/published/current: the one pointer BI tools and readers follow, switched atomically "
    "to this run's release once every output is in it; old releases beyond SVW_KEEP_RELEASES removed.",
    pool="warehouse_writer",
)
def current_publication(context: dg.AssetExecutionContext, warehouse: WarehouseSettings) -> dg.MaterializeResult:
    settings = warehouse.get()
    staging = run_staging(context, settings)
    try:
        release = switch_release(settings.published_dir, staging, settings.keep_releases)
    except PublicationBlocked as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    context.log.info(f"current publication: {release}")
    metadata = {"release": str(release), "publication_id": release.name}
    if settings.published_url:
        # the local publication is current whatever happens here; a failed upload leaves the remote
        # pointer at the previous one and fails the run, so the copy is never silently stale
        try:
            remote = mirror_release(release, settings.published_url, settings.keep_releases)
        except RemotePublishError as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        context.log.info(f"copied to {settings.published_url}: {remote}")
        metadata["remote_release"] = remote
    return dg.MaterializeResult(metadata=metadata)


output_assets = [statements, dashboard, exports, catalogue, current_publication]


defs = dg.Definitions(assets=output_assets)
