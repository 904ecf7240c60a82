"""Supplier matching on names alone, scored against the publisher's registration numbers.

    .venv/bin/python benchmarks/supplier_matching.py [--threshold 95] [--no-aliases]

Input: the 2019 payments of Bolton, Oldham, Salford and Tameside in
../shared/data/real/northwestopendata_gmca_2019/, which North West Open Data matched to Companies
House and the Charity Commission. Each distinct (council, payee name) is a record. The resolver
sees names only (the numbers are hidden from it). Truth: two records are the same organisation when
they share a company number or a Charity Commission number (CHC-); the CQC, NHS, URN and PRN codes
in the same column identify sites, not organisations, and are not used. Scored pairwise over records that carry
a number: precision = true linked pairs / linked pairs, recall = true linked pairs / true pairs.
Baseline in the same run: exact match on upper-cased names.

Held-out check: Trafford's voluntary-sector grants register (../shared/data/real/trafford/grants/),
whose recipients carry charity and company numbers. The name rules were refined by reading the GM
2019 misses, never this file's, so its figures show how the rules carry to names they were not
shaped on (grant recipients are often projects or groups: 'ESOL group at St. John's Centre').
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

from ingestion.registry import shipped_rules  # noqa: E402
from ingestion.resolution.resolve import resolve  # noqa: E402

FUZZY_THRESHOLD = shipped_rules().supplier_matching.fuzzy_threshold

REAL = ROOT / ".." / "shared" / "data" / "real"
DATA = REAL / "northwestopendata_gmca_2019"
GRANTS = REAL / "trafford" / "grants" / "trafford_council_voluntary_sector_grants.csv"


def load_records(folder: Path = DATA) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("*_2019.csv"))]
    payments = pd.concat(frames)
    payments["beneficiary_name"] = payments["beneficiary_name"].str.strip()
    payments = payments[payments["beneficiary_name"] != ""]
    records = payments.groupby(["org_short_name", "beneficiary_name"], as_index=False).agg(
        company_number=("company_number", "first"), charity_number=("charity_number", "first")
    )
    records["record_key"] = records["org_short_name"] + ":" + records["beneficiary_name"]
    records["name"] = records["beneficiary_name"]
    return records


def load_grant_recipients(path: Path = GRANTS) -> pd.DataFrame:
    """Each distinct recipient name is a record; its numbers label it (held-out set)."""
    grants = pd.read_csv(path, dtype=str, keep_default_na=False)
    grants["name"] = grants["Recipient Org:Name"].str.strip()
    grants = grants[grants["name"] != ""]
    records = grants.groupby("name", as_index=False).agg(
        company_number=("Recipient Org:Company Number", "first"),
        charity_number=("Recipient Org:Charity Number", "first"),
    )
    # the register gives bare charity numbers; the truth below reads Charity Commission ones as CHC-
    records["charity_number"] = [f"CHC-{c.strip()}" if c.strip() else "" for c in records["charity_number"]]
    records["record_key"] = records["name"]
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
        ids = [
            f"co:{r.company_number.strip().lstrip('0')}" if r.company_number.strip() else None,
            f"ch:{charity}" if charity.upper().startswith("CHC-") else None,
        ]
        ids = [i for i in ids if i]
        if not ids:
            continue
        for i in ids[1:]:
            parent[find(ids[0])] = find(i)
        parent[find(f"rec:{r.record_key}")] = find(ids[0])
    return {r.record_key: find(f"rec:{r.record_key}") for _, r in records.iterrows() if f"rec:{r.record_key}" in parent}


def pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for key, cluster in assignment.items():
        groups.setdefault(cluster, []).append(key)
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(sorted(members), 2)}


def score(predicted: dict[str, str], truth: dict[str, str]) -> dict:
    labelled = {k: v for k, v in predicted.items() if k in truth}
    predicted_pairs, true_pairs = pairs(labelled), pairs(truth)
    hits = len(predicted_pairs & true_pairs)
    return {
        "predicted_pairs": len(predicted_pairs),
        "true_pairs": len(true_pairs),
        "true_positives": hits,
        "precision": hits / len(predicted_pairs) if predicted_pairs else 1.0,
        "recall": hits / len(true_pairs) if true_pairs else 1.0,
    }


def evaluate(records: pd.DataFrame, threshold: float, use_aliases: bool) -> dict:
    truth = truth_clusters(records)
    started = time.perf_counter()
    links = resolve(
        records[["record_key", "name"]], use_identifiers=False, fuzzy_threshold=threshold, use_aliases=use_aliases
    )
    seconds = time.perf_counter() - started
    resolved = dict(zip(links["record_key"], links["supplier_id"]))
    baseline = {k: n.upper() for k, n in zip(records["record_key"], records["name"])}
    return {
        "records": len(records),
        "labelled_records": len(truth),
        "seconds": seconds,
        "resolver": score(resolved, truth),
        "baseline_exact_upper": score(baseline, truth),
        "methods": Counter(links["link_method"]),
    }


def run(threshold: float = FUZZY_THRESHOLD, use_aliases: bool = True) -> dict:
    """The GM 2019 benchmark (the figures the goal is set on)."""
    return evaluate(load_records(), threshold, use_aliases)


def run_held_out(threshold: float = FUZZY_THRESHOLD, use_aliases: bool = True) -> dict:
    """Trafford's grant recipients: names the rules were not shaped on."""
    return evaluate(load_grant_recipients(), threshold, use_aliases)


def report(title: str, result: dict) -> None:
    print(
        f"{title}: {result['records']} records ({result['labelled_records']} with a registration number), "
        f"resolved on names only in {result['seconds']:.2f}s"
    )
    for name in ("baseline_exact_upper", "resolver"):
        s = result[name]
        print(
            f"  {name:<22} precision {s['precision']:.4f}  recall {s['recall']:.4f}  "
            f"({s['true_positives']} of {s['predicted_pairs']} predicted pairs correct; {s['true_pairs']} true pairs)"
        )
    print(f"  links by method: {dict(result['methods'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, default=FUZZY_THRESHOLD)
    parser.add_argument("--no-aliases", action="store_true", help="precision-first: no trading-name aliases")
    args = parser.parse_args()
    report("GM 2019 payments (Bolton, Oldham, Salford, Tameside)", run(args.threshold, use_aliases=not args.no_aliases))
    report(
        "held out: Trafford voluntary-sector grant recipients",
        run_held_out(args.threshold, use_aliases=not args.no_aliases),
    )


if __name__ == "__main__":
    main()
