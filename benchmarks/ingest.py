"""Ingestion throughput against a bare DuckDB baseline, measured in the same run.

    .venv/bin/python benchmarks/ingest.py [--file PATH] [--repeat 3]

Default input: Trafford's real FY2024/25 spend (210,068 rows, zipped) from ../shared/data/real.
  pipeline  ingestion.load.load_file: unzip, decode, find header, map, parse amounts/dates,
            redaction flags, Great Expectations suite, quarantine split, Parquet with lineage
  baseline  duckdb.read_csv of the same (already unzipped) CSV, written to Parquet
Each measurement runs in a fresh subprocess, so peak memory (max RSS) is that of the work alone.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = (
    ROOT / ".." / "shared" / "data" / "real" / "trafford" / "supplier_spend" / "trafford-supplier-spend-2024-25.zip"
)

PIPELINE = """
import sys, time, json
from pathlib import Path
sys.path.insert(0, {root!r})
from ingestion.landing import LandedFile, match_layout
from ingestion.load import load_file
from ingestion.registry import load_registry, load_rules
config_dir = Path({root!r}) / "config"
path = Path({path!r})
registry = load_registry(config_dir)
config, period = match_layout(registry.layouts("trafford", "spend"), path)
import ingestion.validate  # GX import is a one-off cost per process, not per file
start = time.perf_counter()
report = load_file(LandedFile("trafford", "spend", period, path, config), load_rules(config_dir), Path({out!r}))
print(json.dumps({{"seconds": time.perf_counter() - start, "rows": report.rows_in,
                  "loaded": report.rows_loaded, "quarantined": report.rows_quarantined}}))
"""

BASELINE = """
import time, json, duckdb
start = time.perf_counter()
con = duckdb.connect()
relation = con.read_csv({csv!r}, header=True, all_varchar=False)
relation.to_parquet({out!r})
rows = con.execute("select count(*) from read_parquet(?)", [{out!r}]).fetchone()[0]
print(json.dumps({{"seconds": time.perf_counter() - start, "rows": rows}}))
"""


def measure(code: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # ru_maxrss of children is the max over all children so far: measure the biggest first or
    # accept that it is an upper bound; each run here is reported with the running maximum.
    result["peak_mb"] = max(peak_kb, before) / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    path = args.file.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "input.csv"
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                (name,) = [n for n in archive.namelist() if n.endswith(".csv")]
                csv_path.write_bytes(archive.read(name))
        else:
            csv_path.write_bytes(path.read_bytes())
        baseline = [
            measure(BASELINE.format(csv=str(csv_path), out=str(tmp / f"b{i}.parquet"))) for i in range(args.repeat)
        ]
        baseline_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        pipeline = [
            measure(PIPELINE.format(root=str(ROOT), path=str(path), out=str(tmp / f"raw{i}")))
            for i in range(args.repeat)
        ]
        pipeline_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    rows = pipeline[0]["rows"]
    b = statistics.median(r["seconds"] for r in baseline)
    p = statistics.median(r["seconds"] for r in pipeline)
    results = {
        "file": path.name,
        "rows": rows,
        "repeat": args.repeat,
        "baseline_seconds_median": round(b, 3),
        "baseline_rows_per_s": round(rows / b),
        "pipeline_seconds_median": round(p, 3),
        "pipeline_rows_per_s": round(rows / p),
        "ratio_pipeline_to_baseline": round(p / b, 2),
        "baseline_peak_mb": round(baseline_peak),
        "pipeline_peak_mb_upper_bound": round(pipeline_peak),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}",
    }
    print(f"file: {path.name} ({rows:,} rows), median of {args.repeat} runs each")
    print(
        f"  baseline duckdb.read_csv -> parquet : {b:6.2f} s  {rows / b:>10,.0f} rows/s  peak {baseline_peak:,.0f} MB"
    )
    print(
        f"  pipeline load_file (full ingestion) : {p:6.2f} s  {rows / p:>10,.0f} rows/s  peak <= {pipeline_peak:,.0f} MB"
    )
    print(f"  ratio pipeline / baseline           : {p / b:.2f}x  (goal: within 3x, peak under 1 GB)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
