"""The published marts' GX suite on a large mart: read whole (the baseline) against read in parts.

    .venv/bin/python -m benchmarks.mart_validation <warehouse.duckdb>
    .venv/bin/python -m benchmarks.mart_validation <warehouse.duckdb> --table fct_spend --parts 0,2000000,1000000

Point it at a working warehouse built at scale (`benchmarks/scale.py` leaves one under its work
folder, work/warehouse.duckdb). Each size runs in a fresh subprocess, which reports wall time, peak
RSS and the checks' outcomes; `0` reads the table whole. The outcomes must be the same at every size:
the script fails if they differ.

`--baseline <checkout>` measures another checkout's code beside this one, in the same run, the two
interleaved `--repeat` times (median reported); their outcomes must be identical too:

    git worktree add /tmp/mv_base 32f598d
    (cd /tmp/mv_base/dbt_project && /path/to/this/.venv/bin/dbt parse --profiles-dir .)   # its manifest
    .venv/bin/python -m benchmarks.mart_validation <warehouse.duckdb> --parts 2000000 --baseline /tmp/mv_base --repeat 3
    git worktree remove /tmp/mv_base
"""

from __future__ import annotations

import argparse
import json
import statistics
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


def measure(warehouse: Path, table: str, rows_per_part: int, root: Path = ROOT) -> dict:
    """One validation in a fresh interpreter importing the code of the checkout at `root`."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(warehouse), table, str(rows_per_part)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"the validation with the code in {root} failed:\n{done.stderr.strip()[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--table", default="fct_spend")
    parser.add_argument("--parts", default="0,2000000,1000000", help="rows per part; 0 reads the table whole")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure beside this one")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement (median reported)")
    args = parser.parse_args()
    roots = {"this": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    sizes = [int(n) for n in args.parts.split(",")]
    runs: dict[tuple[str, int], list[dict]] = {(code, n): [] for code in roots for n in sizes}
    for _ in range(args.repeat):
        for n in sizes:
            for code, root in roots.items():
                runs[code, n].append(measure(args.warehouse.resolve(), args.table, n, root))
    print(f"{'code':>9} {'rows per part':>14} {'seconds':>8} {'peak MB':>8}   (median of {args.repeat})")
    for (code, n), measured in runs.items():
        seconds = statistics.median(run["seconds"] for run in measured)
        peak = statistics.median(run["peak_mb"] for run in measured)
        print(f"{code:>9} {'whole' if n == 0 else f'{n:,}':>14} {seconds:>8} {peak:>8.0f}")
    outcomes = {json.dumps(run["outcome"]) for measured in runs.values() for run in measured}
    if len(outcomes) != 1:
        print("the checks' outcomes differ between sizes or checkouts:", *outcomes, sep="\n")
        return 1
    print("outcomes identical at every size and checkout:", next(iter(runs.values()))[0]["outcome"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
