"""Train the probabilistic stage's Splink model and save it, versioned, in config/models/.

    .venv/bin/python -m benchmarks.train_supplier_name_model [--threshold 0.99]

u probabilities (how often two different suppliers' names agree) and the prior come from random
pairs of payee names that the honest benchmark (benchmarks/supplier_matching_honest.py) never scores:
the 2019 payments of Bolton, Oldham, Salford and Tameside (North West Open Data; their numbers are not
read) and Salford's monthly ledgers 2019-22 (../shared/data/real/odileeds_council_spending/salford/
clean/, less the contracts register 2022-07.csv), one record per (file, payee name). m probabilities
(how often one supplier's names agree) come from the true pairs of the honest benchmark's *tuning*
part only; its held-out part is not read. The threshold is chosen on the tuning part
(`-m benchmarks.supplier_matching_honest --part tuning --thresholds ...`), and written beside the model.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ingestion.resolution.names import name_key
from ingestion.resolution.probabilistic import MODEL_DIR, load_meta, train

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / ".." / "shared" / "data" / "real"
MODEL_VERSION = "supplier-names-model-v1"


def training_names() -> pd.DataFrame:
    names: list[tuple[str, str]] = []
    for path in sorted((REAL / "northwestopendata_gmca_2019").glob("*_2019.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["beneficiary_name"])
        names += [(path.stem, n.strip()) for n in frame["beneficiary_name"].unique()]
    for path in sorted((REAL / "odileeds_council_spending" / "salford" / "clean").glob("20*.csv")):
        if path.name == "2022-07.csv":  # the contracts register, scored by the honest benchmark
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        column = "Vendor Name" if "Vendor Name" in frame else "Supplier Name"
        names += [("salford_ledger", n.strip()) for n in frame[column].unique()]
    records = pd.DataFrame(sorted(set(n for n in names if n[1])), columns=["source", "name"])
    records["record_key"] = records["source"] + ":" + records["name"]
    records["key"] = [name_key(n) for n in records["name"]]
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="match probability at or above which a pair links (default: the saved one)",
    )
    args = parser.parse_args()
    threshold = args.threshold
    if threshold is None:
        try:
            threshold = float(load_meta()["threshold"])
        except FileNotFoundError:
            threshold = 0.99
    records = training_names()
    labelled, labels = tuning_pairs()
    train(
        records,
        labelled,
        labels,
        MODEL_DIR,
        version=MODEL_VERSION,
        threshold=threshold,
        trained_on=f"u and prior: {len(records)} payee names, NWOD 2019 (Bolton, Oldham, Salford, Tameside) "
        f"and Salford's monthly ledgers 2019-22, random pairs; m: the {len(labels)} true pairs "
        f"of the honest benchmark's tuning part ({len(labelled)} records)",
    )
    print(
        f"trained on {len(records)} names and {len(labels)} tuning pairs; model and threshold {threshold} "
        f"written to {MODEL_DIR}"
    )


def tuning_pairs() -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The honest benchmark's tuning-part records and their true pairs (never the held-out part)."""
    from benchmarks.supplier_matching_honest import _pairs, load_records, part_of, truth

    records = load_records()
    assignment, _, _ = truth(records)
    tuning = {k: o for k, o in assignment.items() if part_of(o) == "tuning"}
    labelled = records[records["record_key"].isin(tuning)].assign(key=lambda f: [name_key(n) for n in f["name"]])
    return labelled[["record_key", "key", "postcode"]], sorted(_pairs(tuning))


if __name__ == "__main__":
    main()
