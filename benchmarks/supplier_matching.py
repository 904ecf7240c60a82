"""Supplier matching on names alone, scored against the publisher's registration numbers.

    .venv/bin/python benchmarks/supplier_matching.py [--threshold 95]

Input: the 2019 payments of Bolton, Oldham, Salford and Tameside in
../shared/data/real/northwestopendata_gmca_2019/, which North West Open Data matched to Companies
House and the Charity Commission. Each distinct (council, payee name) is a record. The resolver
sees names only (the numbers are hidden from it). Truth: two records are the same organisation when
they share a company number or a Charity Commission number (CHC-); the CQC, NHS, URN and PRN codes
in the same column identify sites, not organisations, and are not used. Scored pairwise over records that carry
a number: precision = true linked pairs / linked pairs, recall = true linked pairs / true pairs.
Baseline in the same run: exact match on upper-cased names.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingestion.resolution.resolve import FUZZY_THRESHOLD, resolve  # noqa: E402

DATA = ROOT / ".." / "shared" / "data" / "real" / "northwestopendata_gmca_2019"


def load_records(folder: Path = DATA) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("*_2019.csv"))]
    payments = pd.concat(frames)
    payments["beneficiary_name"] = payments["beneficiary_name"].str.strip()
    payments = payments[payments["beneficiary_name"] != ""]
    records = payments.groupby(["org_short_name", "beneficiary_name"], as_index=False).agg(
        company_number=("company_number", "first"), charity_number=("charity_number", "first"))
    records["record_key"] = records["org_short_name"] + ":" + records["beneficiary_name"]
    records["name"] = records["beneficiary_name"]
    return records


def truth_clusters(records: pd.DataFrame) -> dict[str, str]:
    """record_key -> truth cluster, joining records that share either number (union-find)."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, r in records.iterrows():
        # Organisation identity: company numbers and Charity Commission numbers (CHC-). The same
        # column also holds CQC, NHS, URN and PRN codes, which identify a care home, a school or a
        # site rather than the organisation that runs it, so they are not used as truth.
        charity = r.charity_number.strip()
        ids = [f"co:{r.company_number.strip().lstrip('0')}" if r.company_number.strip() else None,
               f"ch:{charity}" if charity.upper().startswith("CHC-") else None]
        ids = [i for i in ids if i]
        if not ids:
            continue
        for i in ids[1:]:
            parent[find(ids[0])] = find(i)
        parent[find(f"rec:{r.record_key}")] = find(ids[0])
    return {r.record_key: find(f"rec:{r.record_key}") for _, r in records.iterrows()
            if f"rec:{r.record_key}" in parent}


def pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for key, cluster in assignment.items():
        groups.setdefault(cluster, []).append(key)
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(sorted(members), 2)}


def score(predicted: dict[str, str], truth: dict[str, str]) -> dict:
    labelled = {k: v for k, v in predicted.items() if k in truth}
    predicted_pairs, true_pairs = pairs(labelled), pairs(truth)
    hits = len(predicted_pairs & true_pairs)
    return {"predicted_pairs": len(predicted_pairs), "true_pairs": len(true_pairs), "true_positives": hits,
            "precision": hits / len(predicted_pairs) if predicted_pairs else 1.0,
            "recall": hits / len(true_pairs) if true_pairs else 1.0}


def run(threshold: float = FUZZY_THRESHOLD, use_aliases: bool = True) -> dict:
    records = load_records()
    truth = truth_clusters(records)
    started = time.perf_counter()
    links = resolve(records[["record_key", "name"]], use_identifiers=False, fuzzy_threshold=threshold,
                    use_aliases=use_aliases)
    seconds = time.perf_counter() - started
    resolved = dict(zip(links["record_key"], links["supplier_id"]))
    baseline = {k: n.upper() for k, n in zip(records["record_key"], records["name"])}
    return {"records": len(records), "labelled_records": len(truth), "seconds": seconds,
            "resolver": score(resolved, truth), "baseline_exact_upper": score(baseline, truth),
            "methods": Counter(links["link_method"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, default=FUZZY_THRESHOLD)
    parser.add_argument("--no-aliases", action="store_true", help="precision-first: no trading-name aliases")
    args = parser.parse_args()
    result = run(args.threshold, use_aliases=not args.no_aliases)
    print(f"{result['records']} records ({result['labelled_records']} with a registration number), "
          f"resolved on names only in {result['seconds']:.2f}s")
    for name in ("baseline_exact_upper", "resolver"):
        s = result[name]
        print(f"  {name:<22} precision {s['precision']:.4f}  recall {s['recall']:.4f}  "
              f"({s['true_positives']} of {s['predicted_pairs']} predicted pairs correct; {s['true_pairs']} true pairs)")
    print(f"  links by method: {dict(result['methods'])}")


if __name__ == "__main__":
    main()
