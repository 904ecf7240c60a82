"""The publication gate on a kept warehouse, two ways: validating every published mart's Great
Expectations suite itself (what it did before each mart's blocking check handed it its results,
and what it still does when they are missing or stale), against taking the results the run's checks
saved (publishing/mart_results.py).

    .venv/bin/python -m benchmarks.publication_gate <folder benchmarks/scale.py --keep left>
    .venv/bin/python -m benchmarks.publication_gate <folder> --rounds 3

The folder's inputs/, raw/ and work/ are read as the scale run's `svw run` read them. The checks
are run once first, as a run's blocking asset checks are, saving their results under a run id of
this script's; then the gate is timed both ways, alternating, in this process. The two gates'
reports must be identical, or the script fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from pathlib import Path

from benchmarks.scale import POSTCODES


def _settings_for(folder: Path):
    os.environ.update(
        {
            "SVW_LANDING_DIR": str(folder / "inputs" / "landing"),
            "SVW_CONFIG_DIR": str(folder / "inputs" / "config"),
            "SVW_RAW_DIR": str(folder / "raw"),
            "SVW_WORK_DIR": str(folder / "work"),
            "SVW_PUBLISHED_DIR": str(folder / "published"),
            "SVW_WAREHOUSE": str(folder / "work" / "warehouse.duckdb"),
            "SVW_POSTCODE_DIRECTORY": str(POSTCODES),
        }
    )
    from ingestion.settings import load_settings

    return load_settings()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a folder benchmarks/scale.py --keep left (inputs/, raw/, work/)")
    parser.add_argument("--rounds", type=int, default=2, help="gates timed each way (alternating)")
    args = parser.parse_args()
    folder = args.folder.resolve()
    if not (folder / "work" / "warehouse.duckdb").is_file() or not (folder / "inputs").is_dir():
        raise SystemExit(
            f"{folder}: expected inputs/, raw/ and work/warehouse.duckdb, as benchmarks/scale.py --keep leaves them"
        )
    settings = _settings_for(folder)

    from ingestion.raw_store import all_manifests
    from orchestration.defs.publish import evaluate_gate
    from publishing import mart_results
    from publishing.declared import declared
    from publishing.kpi_suite import expects_rows
    from publishing.mart_validation import validate_mart

    run_id = f"benchmark-{uuid.uuid4()}"
    manifests = all_manifests(settings.raw_dir)
    started = time.perf_counter()
    for table in declared().published:  # what the run's blocking checks do
        expect_rows = expects_rows(table, manifests)
        mart_results.save(
            settings.warehouse_path,
            run_id,
            table,
            expect_rows,
            validate_mart(settings.warehouse_path, table, expect_rows),
        )
    print(f"the checks: {time.perf_counter() - started:.1f} s for {len(declared().published)} marts", flush=True)

    seconds: dict[str, list[float]] = {"validating": [], "handed": []}
    reports = {}
    for index in range(args.rounds):
        for way in ("validating", "handed") if index % 2 == 0 else ("handed", "validating"):
            reused: list[str] = []
            started = time.perf_counter()
            report, _ = evaluate_gate(settings, run_id if way == "handed" else None, reused)
            seconds[way].append(time.perf_counter() - started)
            if way == "handed" and len(reused) != len(declared().published):
                raise SystemExit(f"the gate validated {len(declared().published) - len(reused)} mart(s) itself")
            reports[way] = report.as_records()
            print(f"gate {way}: {seconds[way][-1]:.1f} s ({len(report.checks)} checks)", flush=True)
    for way, values in seconds.items():
        print(
            f"{way:>10}: median {statistics.median(values):.1f} s over {len(values)}: {', '.join(f'{v:.1f}' for v in values)}"
        )
    if reports["validating"] != reports["handed"]:
        print("the two gates' reports differ")
        return 1
    print(f"the two gates' reports are identical ({len(reports['handed'])} checks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
