"""What each published table is declared to be, read once from dbt's manifest.

A published table is declared in one place: its model's entry in dbt_project/models/marts/*.yml,
under `config: meta: published:` (the keys are described at the top of _marts__models.yml). The
publication, the Great Expectations gate, the Dagster checks, the exports, the dashboard, the
statement headline and the provisional-figure list all read the declaration from here, so adding
a KPI is its SQL and its yml entry, and a published table without a data-quality suite cannot load.

dbt writes the manifest (`make manifest`, i.e. dbt parse); it is read as Dagster reads it, and
refused, with the command to run, when it is missing or older than the dbt project's files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingestion.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
FIX = "run `make manifest` (cd dbt_project && dbt parse --profiles-dir .)"

KEYS = {"exported", "can_be_provisional", "gx", "stated_only_when", "dashboard", "statement"}
GX_KEYS = {"keys", "rows_from", "rule_version", "percentages", "non_negative"}
UNIT_COLUMNS = ("reporting_unit", "reporting_unit_type", "financial_year")  # rows per unit and year


class ManifestError(RuntimeError):
    """dbt's manifest is missing, stale, or declares a published table inconsistently."""


@dataclass(frozen=True)
class GxSuite:
    keys: tuple[str, ...]
    rows_from: str | None  # the feed whose rows make an empty table a defect
    rule_version: str | None  # the column every row fills with the rule version that made it
    percentages: tuple[str, ...]  # 0-100
    non_negative: tuple[str, ...]


@dataclass(frozen=True)
class Headline:
    label: str
    column: str
    unit: str
    note: str = ""
    note_column: str | None = None  # a column whose text is the note (e.g. what is unknown)


@dataclass(frozen=True)
class PublishedTable:
    name: str
    columns: tuple[str, ...]  # the contract, in order
    gx: GxSuite
    exported: bool = False
    can_be_provisional: bool = False
    # (figure, flag, words): the figure is a measurement only where the flag column is true; elsewhere
    # readers see the words column instead (exports leave the figure empty)
    stated_only_when: tuple[tuple[str, str, str], ...] = ()
    dashboard_order: int | None = None
    dashboard_title: str | None = None
    dashboard_columns: tuple[tuple[str, str, str], ...] = ()  # (column, label, unit)
    statement_order: int | None = None
    headline: tuple[Headline, ...] = ()
    # the yml's words, for readers who never open dbt (the workbook's contents and column notes)
    description: str = ""
    column_descriptions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Declared:
    tables: dict[str, PublishedTable]

    @property
    def published(self) -> tuple[str, ...]:
        return tuple(self.tables)

    @property
    def exported(self) -> tuple[str, ...]:
        return tuple(t for t, d in self.tables.items() if d.exported)

    @property
    def provisional(self) -> tuple[str, ...]:
        return tuple(t for t, d in self.tables.items() if d.can_be_provisional)

    @property
    def dashboard(self) -> tuple[PublishedTable, ...]:
        return tuple(
            sorted(
                (d for d in self.tables.values() if d.dashboard_order is not None),
                key=lambda d: (d.dashboard_order, d.name),
            )
        )

    @property
    def headline(self) -> tuple[tuple[str, Headline], ...]:
        """(table, figure) in the statement's order."""
        ordered = sorted(
            (d for d in self.tables.values() if d.statement_order is not None),
            key=lambda d: (d.statement_order, d.name),
        )
        return tuple((d.name, h) for d in ordered for h in d.headline)


def manifest_problem(manifest: Path = MANIFEST, project: Path = DBT_PROJECT_DIR) -> str | None:
    """Why the manifest cannot be trusted (missing, or older than a model, test or macro), or None."""
    if not manifest.exists():
        return f"dbt's manifest {manifest} is missing: {FIX}"
    built = manifest.stat().st_mtime
    sources = [
        project / "dbt_project.yml",
        *project.glob("models/**/*"),
        *project.glob("tests/**/*"),
        *project.glob("macros/**/*"),
    ]
    newer = sorted(str(p.relative_to(project)) for p in sources if p.is_file() and p.stat().st_mtime > built)
    if newer:
        return (
            f"dbt's manifest {manifest} is older than {', '.join(newer[:3])}"
            + (f" and {len(newer) - 3} more" if len(newer) > 3 else "")
            + f": {FIX}"
        )
    return None


def _names(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{where} must be a list of column names, not {value!r}")
    return tuple(value)


def _table(name: str, node: dict) -> PublishedTable:
    meta = node["config"]["meta"]["published"] or {}
    where = f"{name} (meta.published in {node.get('patch_path') or node['original_file_path']})"
    if not isinstance(meta, dict):
        raise ManifestError(f"{where} must be a mapping of the keys listed in _marts__models.yml")
    unknown = set(meta) - KEYS
    if unknown:
        raise ManifestError(f"{where}: unknown key(s) {sorted(unknown)}; known: {sorted(KEYS)}")
    columns = tuple(node["columns"])
    if not node["config"].get("contract", {}).get("enforced") or not columns:
        raise ManifestError(f"{where}: a published table needs an enforced contract declaring its columns")
    if not isinstance(meta.get("gx"), dict):
        raise ManifestError(
            f"{where} declares no Great Expectations suite (gx:): every published table must "
            "pass a blocking data-quality check before publication"
        )
    gx = meta["gx"]
    if set(gx) - GX_KEYS:
        raise ManifestError(f"{where}: unknown gx key(s) {sorted(set(gx) - GX_KEYS)}; known: {sorted(GX_KEYS)}")
    suite = GxSuite(
        keys=_names(gx.get("keys"), f"{where} gx.keys"),
        rows_from=gx.get("rows_from"),
        rule_version=gx.get("rule_version"),
        percentages=_names(gx.get("percentages"), f"{where} gx.percentages"),
        non_negative=_names(gx.get("non_negative"), f"{where} gx.non_negative"),
    )
    named = {f"gx.{k}": list(getattr(suite, k)) for k in ("keys", "percentages", "non_negative")}
    named["gx.rule_version"] = [suite.rule_version] if suite.rule_version else []
    if meta.get("can_be_provisional"):
        named["can_be_provisional"] = ["is_provisional", "provisional_reason"]

    stated = meta.get("stated_only_when") or {}
    if not isinstance(stated, dict) or not all(isinstance(v, list) and len(v) == 2 for v in stated.values()):
        raise ManifestError(f"{where}: stated_only_when maps each figure to [flag column, words column]")
    stated = tuple((figure, flag, words) for figure, (flag, words) in stated.items())
    if stated:
        named["stated_only_when"] = [c for triple in stated for c in triple]

    dashboard = meta.get("dashboard") or {}
    panel = tuple(tuple(c) for c in dashboard.get("columns") or ())
    if dashboard:
        if (
            not panel
            or any(len(c) != 3 for c in panel)
            or not dashboard.get("title")
            or not isinstance(dashboard.get("order"), int)
        ):
            raise ManifestError(
                f"{where}: dashboard needs order (a number), title and columns ([column, label, unit] each)"
            )
        named["dashboard"] = [*UNIT_COLUMNS, *(c[0] for c in panel)]

    statement = meta.get("statement") or {}
    try:
        headline = tuple(Headline(**h) for h in statement.get("headline") or ())
    except TypeError as exc:
        raise ManifestError(
            f"{where}: statement headline entries take label, column, unit, note, note_column ({exc})"
        ) from None
    if statement:
        if not headline or not isinstance(statement.get("order"), int):
            raise ManifestError(
                f"{where}: statement needs order (a number) and headline ([{{label, column, unit, note}}])"
            )
        named["statement"] = [
            *UNIT_COLUMNS,
            *(h.column for h in headline),
            *(h.note_column for h in headline if h.note_column),
        ]

    for key, wanted in named.items():
        missing = [c for c in wanted if c not in columns]
        if missing:
            raise ManifestError(f"{where}: {key} names column(s) {missing} the contract does not declare")
    return PublishedTable(
        name=name,
        columns=columns,
        gx=suite,
        exported=bool(meta.get("exported")),
        can_be_provisional=bool(meta.get("can_be_provisional")),
        stated_only_when=stated,
        dashboard_order=dashboard.get("order"),
        dashboard_title=dashboard.get("title"),
        dashboard_columns=panel,
        statement_order=statement.get("order"),
        headline=headline,
        description=" ".join(str(node.get("description") or "").split()),
        column_descriptions=tuple(
            (column, " ".join(str(spec.get("description") or "").split())) for column, spec in node["columns"].items()
        ),
    )


def read_declared(manifest: Path = MANIFEST, check_fresh: bool = True) -> Declared:
    if check_fresh and (problem := manifest_problem(manifest)):
        raise ManifestError(problem)
    try:
        nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    except (OSError, ValueError, KeyError) as exc:
        raise ManifestError(f"dbt's manifest {manifest} cannot be read ({exc}): {FIX}") from None
    models = sorted(
        (n for n in nodes if n["resource_type"] == "model" and "published" in (n["config"].get("meta") or {})),
        key=lambda n: n["name"],
    )
    if not models:
        raise ManifestError(f"dbt's manifest {manifest} declares no published table (meta.published): {FIX}")
    return Declared({n["name"]: _table(n["name"], n) for n in models})


@lru_cache(maxsize=1)
def declared() -> Declared:
    """The published tables as the manifest declares them (read once per process)."""
    return read_declared()
