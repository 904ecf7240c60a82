"""dbt's build after one new partner-month: the incremental build beside a full one, in the same run.

    .venv/bin/python -m benchmarks.dbt_incremental <folder benchmarks/scale.py --keep left>
    .venv/bin/python -m benchmarks.dbt_incremental <folder> --months 2

The folder's raw layer is seen through a folder of links (nothing is copied), first without the
latest month of the first `--months` partners. dbt builds that into a fresh warehouse; then the
held-back months are linked in, as a new delivery would add them, and the same warehouse is built
again: the incremental build. A fresh warehouse is then built whole from the complete raw layer (the
baseline). Both are `dbt build` as a run does it (benchmarks/dbt_memory.run_build). Every table of
the two warehouses is then compared row for row (benchmarks/dbt_build.differences); any difference
fails the script, so a faster build that keeps a wrong row is caught here.

Resolution's tables are the folder's own in all three builds: the held-back months' payees are known
to the first build too, as in a month that names no new payee.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.dbt_build import build, differences
from benchmarks.dbt_memory import ROOT

FOCUS = ("model.gm_social_value.int_spend__linked_to_supplier", "model.gm_social_value.fct_spend")


def _linked_raw_layer(raw_dir: Path, view: Path, held_back: set[Path]) -> None:
    """`view` mirrors `raw_dir` with links: a link per partition folder of spend (so single months
    can be left out), a link per folder elsewhere."""
    view.mkdir()
    for feed in sorted(p for p in raw_dir.iterdir()):
        if feed.name != "spend":
            (view / feed.name).symlink_to(feed, target_is_directory=feed.is_dir())
            continue
        for partner in sorted(p for p in feed.iterdir() if p.is_dir()):
            for period in sorted(p for p in partner.iterdir() if p.is_dir()):
                if period not in held_back:
                    (view / "spend" / partner.name).mkdir(parents=True, exist_ok=True)
                    (view / "spend" / partner.name / period.name).symlink_to(period, target_is_directory=True)


def _latest_months(raw_dir: Path, partners: int) -> list[Path]:
    spend = raw_dir / "spend"
    folders = sorted(p for p in spend.glob("partner=*") if p.is_dir() and p.name != "partner=_none")[:partners]
    return [max(p for p in folder.glob("period=*") if p.is_dir()) for folder in folders]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a folder benchmarks/scale.py --keep left (raw/)")
    parser.add_argument("--months", type=int, default=1, help="partners whose latest month is the new delivery")
    args = parser.parse_args()
    raw_dir = args.folder.resolve() / "raw"
    if not (raw_dir / "spend").is_dir():
        raise SystemExit(f"{args.folder}: expected raw/spend/, as benchmarks/scale.py --keep leaves it")
    held_back = _latest_months(raw_dir, args.months)
    project = ROOT / "dbt_project"
    with tempfile.TemporaryDirectory(prefix="svw_dbt_incremental_") as tmp:
        scratch = Path(tmp)
        view = scratch / "raw"
        _linked_raw_layer(raw_dir, view, set(held_back))
        runs = {}
        for step in ("first", "incremental", "full"):
            (scratch / step).mkdir()
        kept = scratch / "kept.duckdb"
        runs["first"] = build(project, view, kept, scratch / "first")
        print(f"first build, without {len(held_back)} month(s): {runs['first']['seconds']:.1f} s", flush=True)
        for period in held_back:
            (view / "spend" / period.parent.name / period.name).symlink_to(period, target_is_directory=True)
        runs["incremental"] = build(project, view, kept, scratch / "incremental")
        fresh = scratch / "fresh.duckdb"
        runs["full"] = build(project, view, fresh, scratch / "full")
        for step in ("incremental", "full"):
            run = runs[step]
            focus = ", ".join(f"{n.rsplit('.', 1)[1]} {run['nodes'].get(n, 0.0):.1f} s" for n in FOCUS)
            print(f"{step}: {run['seconds']:.1f} s, peak {run['peak_mb']:,.0f} MB ({focus})", flush=True)
        found = differences(fresh, kept, scratch)
        summary = {
            "new_months": [f"{p.parent.name}/{p.name}" for p in held_back],
            **{f"{step}_s": round(runs[step]["seconds"], 1) for step in runs},
        }
    differing = {name: what for name, what in found.items() if what}
    for name, what in differing.items():
        print(f"DIFFERENT {name}: {what}")
    print(f"{len(found) - len(differing)} of {len(found)} tables hold the same rows in both builds")
    print(json.dumps(summary))
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
