"""dbt's build of one raw layer by this checkout's dbt project and by another checkout's: wall time,
peak RSS, the nodes that changed most, and whether the two warehouses hold the same rows.

    .venv/bin/python -m benchmarks.dbt_build <folder benchmarks/scale.py --keep left> --old <checkout>
    .venv/bin/python -m benchmarks.dbt_build <folder> --old <checkout> --rounds 2

The folder is the one a scale run kept (its raw layer under raw/, its working warehouse under
work/). Each build runs `dbt build` as a run does (the run's --vars, the memory limit of
SVW_DBT_MEMORY_LIMIT's default) with this virtualenv's dbt, on its own copy of the kept warehouse,
in a fresh process; the checkouts alternate old, new, new, old, ... so that a machine that slows
down or speeds up meets both alike. Afterwards every table either build made is compared, row for
row (EXCEPT ALL both ways, so duplicates count), with the relation of that name the other build
made, table or view: a model turned from a view into a table must hold exactly the view's rows.
Any difference fails the script.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path

import duckdb

from benchmarks.dbt_memory import ROOT, _quoted, run_build
from ingestion.dbt_digest import BUILT_BY_SUFFIX
from ingestion.settings import Settings

MEMORY_LIMIT = Settings.__dataclass_fields__["dbt_memory_limit"].default


def build(project: Path, raw_dir: Path, warehouse: Path, scratch: Path) -> dict:
    seconds, peak_mb = run_build(project, raw_dir, warehouse, MEMORY_LIMIT, scratch)
    results = json.loads((scratch / "target" / "run_results.json").read_text())["results"]
    return {"seconds": seconds, "peak_mb": peak_mb, "nodes": {r["unique_id"]: r["execution_time"] for r in results}}


def _relations(con: duckdb.DuckDBPyConnection, catalog: str, kind: str) -> set[str]:
    source = "duckdb_tables()" if kind == "tables" else "duckdb_views()"
    extra = "" if kind == "tables" else " and not internal"
    rows = con.execute(
        f"select schema_name || '.' || {'table_name' if kind == 'tables' else 'view_name'} from {source} "
        f"where database_name = ?{extra}",
        [catalog],
    ).fetchall()
    return {name for (name,) in rows}


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    row = con.execute(query).fetchone()
    return int(row[0]) if row else 0


def differences(old: Path, new: Path, scratch: Path) -> dict[str, str]:
    """Each table of either warehouse against the relation of that name in the other: '' when they
    hold the same rows, otherwise what differs. Names come from the warehouses' own catalogues."""
    found: dict[str, str] = {}
    with duckdb.connect() as con:
        con.execute("set memory_limit = '3GB'")
        con.execute("set temp_directory = ?", [str(scratch / "compare_spill")])
        con.execute("attach ? as old_build (read_only)", [str(old)])
        con.execute("attach ? as new_build (read_only)", [str(new)])
        relations = {
            side: _relations(con, side, "tables") | _relations(con, side, "views")
            for side in ("old_build", "new_build")
        }
        tables = _relations(con, "old_build", "tables") | _relations(con, "new_build", "tables")
        for name in sorted(tables):
            if not all(name in relations[side] for side in relations):
                found[name] = "missing from one build"
                continue
            schema, table = name.split(".", 1)
            a = f"old_build.{_quoted(schema)}.{_quoted(table)}"
            b = f"new_build.{_quoted(schema)}.{_quoted(table)}"
            only_old = _count(con, f"select count(*) from (select * from {a} except all select * from {b})")
            only_new = _count(con, f"select count(*) from (select * from {b} except all select * from {a})")
            found[name] = "" if only_old == only_new == 0 else f"{only_old} row(s) only in old, {only_new} only in new"
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a folder benchmarks/scale.py --keep left (raw/, work/)")
    parser.add_argument("--old", type=Path, required=True, help="the checkout to compare with (its dbt_project/)")
    parser.add_argument("--rounds", type=int, default=1, help="builds of each checkout (alternating)")
    parser.add_argument("--top", type=int, default=12, help="nodes listed, by their change in seconds")
    args = parser.parse_args()
    folder = args.folder.resolve()
    raw_dir, original = folder / "raw", folder / "work" / "warehouse.duckdb"
    if not (raw_dir.is_dir() and original.is_file()):
        raise SystemExit(
            f"{folder}: expected raw/ and work/warehouse.duckdb, as benchmarks/scale.py --keep leaves them"
        )
    projects = {"old": args.old.resolve() / "dbt_project", "new": ROOT / "dbt_project"}
    for side, project in projects.items():
        if not (project / "dbt_project.yml").is_file():
            raise SystemExit(f"--{side}: {project} holds no dbt_project.yml")
    order = [side for r in range(args.rounds) for side in (("old", "new") if r % 2 == 0 else ("new", "old"))]
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="svw_dbt_build_") as tmp:
        scratch = Path(tmp)
        for index, side in enumerate(order, start=1):
            place = scratch / f"{index}_{side}"
            place.mkdir()
            warehouse = place / "warehouse.duckdb"
            shutil.copyfile(original, warehouse)
            run = build(projects[side], raw_dir, warehouse, place)
            run["warehouse"] = warehouse
            runs[side].append(run)
            print(f"build {index} ({side}): {run['seconds']:.1f} s, peak {run['peak_mb']:,.0f} MB", flush=True)
        for side in ("old", "new"):
            seconds = [r["seconds"] for r in runs[side]]
            print(
                f"{side}: median {statistics.median(seconds):.1f} s over {len(seconds)} build(s): {', '.join(f'{s:.1f}' for s in seconds)}"
            )
        nodes = sorted(set(runs["old"][0]["nodes"]) | set(runs["new"][0]["nodes"]))
        change = {
            n: statistics.median(r["nodes"].get(n, 0.0) for r in runs["new"])
            - statistics.median(r["nodes"].get(n, 0.0) for r in runs["old"])
            for n in nodes
        }
        print(f"nodes that changed most (median seconds, old -> new; {len(nodes)} nodes):")
        for node in sorted(nodes, key=lambda n: -abs(change[n]))[: args.top]:
            old_s = statistics.median(r["nodes"].get(node, 0.0) for r in runs["old"])
            new_s = statistics.median(r["nodes"].get(node, 0.0) for r in runs["new"])
            print(f"  {old_s:8.2f} -> {new_s:8.2f}  {node}")
        found = differences(runs["old"][-1]["warehouse"], runs["new"][-1]["warehouse"], scratch)
    # `<model>__built_by` names the dbt project that built the model's rows (ingestion/dbt_digest.py):
    # two projects' builds differ there by design, and only there
    own_project = {name for name in found if name.endswith(BUILT_BY_SUFFIX)}
    differing = {name: what for name, what in found.items() if what and name not in own_project}
    for name, what in differing.items():
        print(f"DIFFERENT {name}: {what}")
    for name in sorted(own_project):
        print(f"{name}: {found[name] or 'the same'} (the project that built the rows; not a difference of rows)")
    compared = len(found) - len(own_project)
    print(f"{compared - len(differing)} of {compared} tables hold the same rows in both builds")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
