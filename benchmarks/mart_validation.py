"""The published marts' GX suite on a large mart: read whole (the baseline) against read in parts.

    .venv/bin/python -m benchmarks.mart_validation <warehouse.duckdb>
    .venv/bin/python -m benchmarks.mart_validation <warehouse.duckdb> --table fct_spend --parts 0,2000000,1000000

Point it at a working warehouse built at scale (`benchmarks/scale.py` leaves one under its work
folder, work/warehouse.duckdb). Each size runs in a fresh subprocess, which reports wall time, peak
RSS and the checks' outcomes; `0` reads the table whole. The outcomes must be the same at every size:
the script fails if they differ.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from publishing.mart_validation import validate_mart
warehouse, table, rows_per_part = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]) or 10**15
start = time.perf_counter()
results = validate_mart(warehouse, table, True, rows_per_part=rows_per_part)
print(json.dumps({
    "seconds": round(time.perf_counter() - start, 1),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "outcome": [[r.check, r.success, r.failing_rows, r.rows_checked] for r in results],
}))
"""


def measure(warehouse: Path, table: str, rows_per_part: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(warehouse), table, str(rows_per_part)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--table", default="fct_spend")
    parser.add_argument("--parts", default="0,2000000,1000000", help="rows per part; 0 reads the table whole")
    args = parser.parse_args()
    runs = {int(n): measure(args.warehouse.resolve(), args.table, int(n)) for n in args.parts.split(",")}
    print(f"{'rows per part':>14} {'seconds':>8} {'peak MB':>8}")
    for n, run in runs.items():
        print(f"{'whole' if n == 0 else f'{n:,}':>14} {run['seconds']:>8} {run['peak_mb']:>8}")
    outcomes = {json.dumps(run["outcome"]) for run in runs.values()}
    if len(outcomes) != 1:
        print("the checks' outcomes differ between sizes:", *outcomes, sep="\n")
        return 1
    print("outcomes identical at every size:", next(iter(runs.values()))["outcome"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
