"""Supplier resolution throughput: distinct names per minute as the count of names grows.

    .venv/bin/python -m benchmarks.resolution_scale                        # 10k, 50k names
    .venv/bin/python -m benchmarks.resolution_scale --sizes 50000,200000 --old /tmp/oldcheckout

Issue 13 asks for >= 50k distinct names per minute at the quality the identity issue sets. The names
are real payee names (the honest benchmark's records: Trafford's ledgers and grants, Salford's
contracts register, the Trafford charities extract, read from ../shared/data/real), varied
deterministically (a place-like word pair inserted after the first word, or a branch number added) so
the count of distinct names grows the way GM's would, spread over ten partners. Each size runs in a
fresh subprocess per checkout (this one, and each --old one: the baseline in the same run), which
reports its wall time and peak RSS; the outputs of checkouts with the same rules are compared, so a
speed-up that changes a link is caught here.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "Northfield Ashby Crown Riverside Oak Summit Harbour Bridge Vale Kings Meadow Granite Phoenix Atlas Beacon".split()
)
PARTNERS = 10

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import pandas as pd
from ingestion.resolution.resolve import resolve
records = pd.read_parquet(sys.argv[2])
started = time.perf_counter()
links = resolve(records)
seconds = time.perf_counter() - started
links.sort_values("record_key").to_parquet(sys.argv[3])
print(json.dumps({"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "suppliers": int(links["supplier_id"].nunique())}))
"""


def scaled_names(size: int, seed: int = 7) -> pd.DataFrame:
    """`size` distinct payee names grown from the real ones, as resolution records of ten partners."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.scale import name_pool
    from benchmarks.supplier_matching_honest import load_records

    base = sorted(set(load_records()["name"].dropna()))
    names = name_pool(base, size, random.Random(seed), words=WORDS, branches=999)
    return pd.DataFrame(
        {
            "record_key": [f"partner{i % PARTNERS}:{name}" for i, name in enumerate(names)],
            "name": names,
            "company_number": None,
            "charity_number": None,
            "vat_number": None,
        }
    )


def measure(code: Path, records_path: Path, out_path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(code), str(records_path), str(out_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000", help="comma-separated counts of distinct names")
    parser.add_argument("--old", type=Path, action="append", default=[], help="another checkout to time beside")
    args = parser.parse_args()
    print(f"{'names':>8} {'checkout':<28} {'seconds':>8} {'names/min':>10} {'peak RSS MB':>12} {'suppliers':>9}")
    with tempfile.TemporaryDirectory() as scratch:
        for size in [int(s) for s in args.sizes.split(",")]:
            records_path = Path(scratch) / f"records_{size}.parquet"
            scaled_names(size).to_parquet(records_path)
            outputs = {}
            for code in [ROOT, *args.old]:
                out_path = Path(scratch) / f"links_{size}_{len(outputs)}.parquet"
                result = measure(code, records_path, out_path)
                outputs[code] = out_path
                label = "this checkout" if code == ROOT else str(code)
                print(
                    f"{size:>8} {label:<28} {result['seconds']:>8.1f} {size / result['seconds'] * 60:>10,.0f} "
                    f"{result['peak_rss_mb']:>12,.0f} {result['suppliers']:>9,}"
                )
            mine = pd.read_parquet(outputs[ROOT])
            for code in args.old:
                same = mine.equals(pd.read_parquet(outputs[code]))
                print(f"{'':>8} links of {code} {'identical to' if same else 'DIFFER from'} this checkout's")


if __name__ == "__main__":
    main()
