"""Supplier resolution throughput: distinct names per minute as the count of names grows.

    .venv/bin/python -m benchmarks.resolution_scale                        # 10k, 50k names
    .venv/bin/python -m benchmarks.resolution_scale --sizes 50000,200000 --old /tmp/oldcheckout
    .venv/bin/python -m benchmarks.resolution_scale --shape ledgers --sizes 20000 --old /tmp/oldcheckout
    .venv/bin/python -m benchmarks.resolution_scale --shape ledgers --sizes 200000 --workers 2   # as make run does on 2 cores
    .venv/bin/python -m benchmarks.resolution_scale --shape ledgers --sizes 200000 --workers 2 --new-payees 100

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
import zlib
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "Northfield Ashby Crown Riverside Oak Summit Harbour Bridge Vale Kings Meadow Granite Phoenix Atlas Beacon".split()
)
PARTNERS = 10

_CHILD = """
import inspect, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import pandas as pd
from ingestion.resolution.resolve import resolve
records = pd.read_parquet(sys.argv[2])
# an older checkout's resolve may not take workers: it then runs in one process
options = {"workers": int(sys.argv[4])} if "workers" in inspect.signature(resolve).parameters else {}
started = time.perf_counter()
links = resolve(records, **options)
seconds = time.perf_counter() - started
links.sort_values("record_key").to_parquet(sys.argv[3])
print(json.dumps({"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "suppliers": int(links["supplier_id"].nunique())}))
"""


# --new-payees: one partner's records change (new payees), the rest are those of the last run. The
# run that keeps each partner's own pass (ingestion/resolution/kept_local.py) is timed beside one that
# keeps nothing, on the same records, and their links must be identical.
_KEPT_CHILD = """
import json, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
import pandas as pd
from pathlib import Path
from ingestion.resolution.resolve import resolve
records = pd.read_parquet(sys.argv[2])
new = int(sys.argv[3])
workers = int(sys.argv[4])
partner = records["record_key"].iloc[0].split(":", 1)[0]
added = pd.DataFrame({"record_key": [f"{partner}:ref:new-{i}" for i in range(new)],
                      "name": [f"Newly Paid Supplier {i} Ltd" for i in range(new)]})
changed = pd.concat([records, added], ignore_index=True)
with tempfile.TemporaryDirectory() as kept:
    resolve(records, workers=workers, kept_dir=Path(kept))  # the last run, which kept every partner
    started = time.perf_counter()
    with_kept = resolve(changed, workers=workers, kept_dir=Path(kept))
    kept_seconds = time.perf_counter() - started
started = time.perf_counter()
plain = resolve(changed, workers=workers)
plain_seconds = time.perf_counter() - started
print(json.dumps({"kept_s": kept_seconds, "plain_s": plain_seconds, "identical": bool(with_kept.equals(plain))}))
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


def ledger_records(size: int, share: float = 0.65, seed: int = 13) -> pd.DataFrame:
    """`size` distinct names as benchmarks/scale.py's ledgers hold them: grown from Trafford's payees,
    each name paid by about `share` of the ten partners under that partner's own vendor ID, with a
    postcode from the partner's supplier list and the VAT number the ledgers print. At 10M ledger
    lines the pipeline resolves 1.3M such records for 201k names; one record per name (scaled_names)
    leaves out the work that grows with the partners a name appears in."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.scale import POSTCODES, name_pool, read_trafford_year, vat_numbers_for

    rng = random.Random(seed)
    base = read_trafford_year()
    base = base[base["BeneficiaryName"].str.strip().ne("")]
    based_on: dict[str, str] = {}
    names = name_pool(sorted(set(base["BeneficiaryName"])), size, rng, based_on=based_on)
    vat_of = vat_numbers_for(names, based_on, base)
    postcodes = pd.read_csv(POSTCODES, dtype=str)["pcds"].tolist()
    rows = [
        (f"council{p:02d}:ref:{i}", name, vat_of[name] or None, rng.choice(postcodes))
        for p in range(1, PARTNERS + 1)
        for i, name in enumerate(names)
        if zlib.crc32(f"{p}:{name}".encode()) % 1000 < share * 1000
    ]
    frame = pd.DataFrame(rows, columns=["record_key", "name", "vat_number", "postcode"])
    return frame.assign(company_number=None, charity_number=None)


def measure(code: Path, records_path: Path, out_path: Path, workers: int = 1) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(code), str(records_path), str(out_path), str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000", help="comma-separated counts of distinct names")
    parser.add_argument("--old", type=Path, action="append", default=[], help="another checkout to time beside")
    parser.add_argument(
        "--shape",
        choices=["names", "ledgers"],
        default="names",
        help="names: one record per name (the default); ledgers: each name in several partners' "
        "records with vendor IDs, postcodes and VAT numbers, as benchmarks/scale.py's ledgers give them",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes for resolve's partner-local pass, as SVW_LOAD_WORKERS gives the pipeline "
        "(a checkout whose resolve does not take them runs in one)",
    )
    parser.add_argument(
        "--new-payees",
        type=int,
        default=0,
        help="then add this many new payees to one partner and time this checkout's resolution with "
        "each partner's own pass kept from the run before, beside one that keeps nothing",
    )
    args = parser.parse_args()
    print(f"{'names':>8} {'checkout':<28} {'seconds':>8} {'names/min':>10} {'peak RSS MB':>12} {'suppliers':>9}")
    with tempfile.TemporaryDirectory() as scratch:
        for size in [int(s) for s in args.sizes.split(",")]:
            records_path = Path(scratch) / f"records_{size}.parquet"
            records = scaled_names(size) if args.shape == "names" else ledger_records(size)
            records.to_parquet(records_path)
            print(f"{size:>8} {len(records):,} records ({args.shape})")
            outputs = {}
            for code in [ROOT, *args.old]:
                out_path = Path(scratch) / f"links_{size}_{len(outputs)}.parquet"
                result = measure(code, records_path, out_path, args.workers)
                outputs[code] = out_path
                label = "this checkout" if code == ROOT else str(code)
                print(
                    f"{size:>8} {label:<28} {result['seconds']:>8.1f} {size / result['seconds'] * 60:>10,.0f} "
                    f"{result['peak_rss_mb']:>12,.0f} {result['suppliers']:>9,}"
                )
            if args.new_payees:
                done = subprocess.run(
                    [sys.executable, "-c", _KEPT_CHILD, str(ROOT), str(records_path), str(args.new_payees)]
                    + [str(args.workers)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                kept = json.loads(done.stdout.strip().splitlines()[-1])
                print(
                    f"{size:>8} {args.new_payees} new payees in one partner: {kept['plain_s']:.1f} s keeping nothing, "
                    f"{kept['kept_s']:.1f} s with the other partners' own pass kept; links "
                    f"{'identical' if kept['identical'] else 'DIFFERENT'}"
                )
            mine = pd.read_parquet(outputs[ROOT])
            for code in args.old:
                same = mine.equals(pd.read_parquet(outputs[code]))
                print(f"{'':>8} links of {code} {'identical to' if same else 'DIFFER from'} this checkout's")


if __name__ == "__main__":
    main()
