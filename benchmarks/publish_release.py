"""Copying a working warehouse into a release (publishing.publish.write_release) at DuckDB memory
limits: its default (80% of RAM, the baseline) against the project's setting and others.

    .venv/bin/python -m benchmarks.publish_release <warehouse.duckdb>
    .venv/bin/python -m benchmarks.publish_release <warehouse.duckdb> --limits default,2GB,1GB

Point it at a working warehouse built at scale (`benchmarks/scale.py` leaves one under its work
folder). Each limit runs in a fresh subprocess that writes a throwaway release and reports wall
time, peak RSS and the row counts; the counts must agree at every limit, or the script fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
import publishing.publish as publish
from publishing.declared import declared
if sys.argv[2] != "default":
    publish.PUBLISH_MEMORY_LIMIT = sys.argv[2]
else:
    publish.PUBLISH_MEMORY_LIMIT = "80%"
with tempfile.TemporaryDirectory() as out:
    (Path(out) / "parquet").mkdir()
    start = time.perf_counter()
    counts = publish.write_release(Path(sys.argv[1]), Path(out) / "warehouse.duckdb", Path(out) / "parquet",
                                   tuple(declared().published), {})
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": round(seconds, 1), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "counts": counts}))
"""


def measure(warehouse: Path, limit: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(warehouse), limit], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--limits", default="default,2GB,1GB", help="DuckDB memory limits; default = 80%% of RAM")
    args = parser.parse_args()
    runs = {limit: measure(args.warehouse.resolve(), limit) for limit in args.limits.split(",")}
    print(f"{'memory limit':>12} {'seconds':>8} {'peak MB':>8}")
    for limit, run in runs.items():
        print(f"{limit:>12} {run['seconds']:>8} {run['peak_mb']:>8}")
    if len({json.dumps(run["counts"], sort_keys=True) for run in runs.values()}) != 1:
        print("row counts differ between limits")
        return 1
    print(f"row counts identical at every limit ({sum(next(iter(runs.values()))['counts'].values()):,} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
