"""Supplier matching on names alone, scored against registration numbers that were NOT made from names.

    .venv/bin/python -m benchmarks.supplier_matching_honest                 # both parts, the figures
    .venv/bin/python -m benchmarks.supplier_matching_honest --part tuning --show-errors 40
    .venv/bin/python -m benchmarks.supplier_matching_honest --code /tmp/old9ea   # another checkout's resolver

Why another benchmark: benchmarks/supplier_matching.py takes its truth from North West Open Data's
2019 files, whose numbers were themselves found by matching payee names to the registers, and the
rules were refined on it: its figure is in-sample and circular. Here every number was entered by the
body that published the file, against its own records.

Sources (each distinct (source, name) is a record; names are trimmed, redacted payees dropped):

  trafford_spend      Trafford's ledgers FY2024/25 and 2026/27 (../shared/data/real/trafford/supplier_spend/
                      *.zip): the VATRegistrationNumber published against each payee, and the
                      council's own vendor ID (BeneficiaryOtherID).                         partner trafford
  trafford_grants     Trafford's voluntary-sector grant recipients (../shared/data/real/trafford/grants/):
                      charity and company numbers.                                          partner trafford
  salford_contracts   Salford's contracts register (../shared/data/real/odileeds_council_spending/salford/
                      clean/2022-07.csv; its header starts with a BOM read as Latin-1): company numbers
                      ('CHA1049226' is a charity number, '20014R' a registered society's; 'Various',
                      'Registered Charity', NHS and foreign codes are not numbers).        partner salford
  charities_register  The Charity Commission extract of charities operating in Trafford
                      (../shared/data/real/gm_reference_2025/registers/): charity number and the
                      charity's company number.                                            partner register

Truth. Records that share a number (company, charity or VAT, normalised as the resolver normalises
them) are one organisation; the organisations are the connected groups of records (union-find).
VAT *group* registrations cover several legal bodies (a council and its schools, a care group's
subsidiaries), so a VAT number is truth only when every name it covers is related to the others: the
names, as words of 3+ letters that are neither legal-form words nor common words (in 0.5% or more of
all the benchmark's names: SCHOOL, COUNCIL, CARE, MANCHESTER, ...), form one connected group. A
VAT number whose names split (Manchester City Council and its schools; 'British Telecommunications' and
'EE Ltd') is not used at all; its records are unlabelled unless another number labels them.

A vendor ID is evidence of sameness only: names under one Trafford vendor ID (renames, trading names)
are one organisation, but one organisation may hold several vendor accounts, so two vendor IDs never
make two organisations different.

Scored pairs. A true pair (one organisation) is always scored. Any other pair of labelled records is
scored only when their organisations are known by a company, charity or VAT number of the same kind (so a Trafford payee known by VAT and a Salford contractor known by company
number are neither a true nor a false pair: nothing here says which). A pair is true when the two
records are in one organisation, false otherwise. Precision = true predicted pairs / predicted scored
pairs; recall = true predicted pairs / true pairs. Within-partner pairs (both records from one
partner's files) and across-partner pairs are reported separately.

The split, written down before any rule was tuned on it: each organisation's key is its smallest
number written 'kind:number' (e.g. 'company:00172081', 'vat:812311285', 'vendor:3536'); the organisation is in the
held-out part when int(sha256(key)[:8], 16) is odd, else in the tuning part. A whole organisation, and
all its records, falls on one side. The resolver runs once on every record (labelled or not, both
parts), names only; a scored pair belongs to a part when either record does, so a wrong link between
the two parts counts against both. Rules are changed by reading the tuning part's errors only
(`--part tuning --show-errors N`; the held-out part's errors are never printed).

Baseline in the same run: upper-cased trimmed names equal.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib
import io
import re
import sys
import time
import zipfile
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingestion.resolution.identifiers import charity_number, company_number, vat_number  # noqa: E402

REAL = ROOT / ".." / "shared" / "data" / "real"
TRAFFORD_SPEND = [
    REAL / "trafford" / "supplier_spend" / f"trafford-supplier-spend-{y}.zip" for y in ("2024-25", "2026-27")
]
TRAFFORD_GRANTS = REAL / "trafford" / "grants" / "trafford_council_voluntary_sector_grants.csv"
SALFORD_CONTRACTS = REAL / "odileeds_council_spending" / "salford" / "clean" / "2022-07.csv"
CHARITIES = REAL / "gm_reference_2025" / "registers" / "charities_operating_in_trafford.csv"
PARTNER = {
    "trafford_spend": "trafford",
    "trafford_grants": "trafford",
    "salford_contracts": "salford",
    "charities_register": "register",
}
REDACTED = re.compile(
    r"^\W*redact(?:ed)?\b|\bredacted\b|\bpersonal (?:information|data)\b|\b(?:name )?withheld\b", re.IGNORECASE
)
# words that never relate two names under one VAT number
_LEGAL = {"LTD", "LIMITED", "PLC", "LLP", "CIC", "THE", "AND", "FOR", "OF", "T/A", "TRADING"}
COMMON_WORD_SHARE = 0.005


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            (name,) = [n for n in archive.namelist() if n.endswith(".csv")]
            return pd.read_csv(
                io.BytesIO(archive.read(name)), dtype=str, keep_default_na=False, encoding="utf-8-sig", **kwargs
            )
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", **kwargs)


def _salford_company(value: str) -> tuple[str | None, str | None]:
    """(company number, charity number) from the register's 'Company Number' column."""
    text = value.strip().upper()
    if re.fullmatch(r"CHA\d{6,8}", text):
        return None, charity_number(text[3:])
    if re.fullmatch(r"\d{5}R", text):  # a registered society written without its IP prefix
        return f"IP{text}", None
    return company_number(text) if re.fullmatch(r"[A-Z]{2}\d{6}|[A-Z]{2}\d{5}R|\d{1,8}", text) else None, None


def load_records() -> pd.DataFrame:
    """One row per (source, name): record_key, source, partner, name, postcode, company, charity, vats."""
    rows: list[dict] = []
    spend = pd.concat(
        [
            _read_csv(p, usecols=["BeneficiaryName", "BeneficiaryOtherID", "VATRegistrationNumber"])
            for p in TRAFFORD_SPEND
        ]
    )
    spend["name"] = spend["BeneficiaryName"].str.strip()
    for name, group in spend.groupby("name"):
        vats = sorted({v for v in (vat_number(x) for x in group["VATRegistrationNumber"]) if v})
        vendors = sorted({v.strip() for v in group["BeneficiaryOtherID"] if v.strip() not in ("", "NA")})
        rows.append(
            {
                "source": "trafford_spend",
                "name": name,
                "postcode": None,
                "company": None,
                "charity": None,
                "vats": vats,
                "vendors": vendors,
            }
        )
    grants = _read_csv(TRAFFORD_GRANTS)
    grants["name"] = grants["Recipient Org:Name"].str.strip()
    for name, group in grants.groupby("name"):
        companies = sorted({c for c in map(company_number, group["Recipient Org:Company Number"]) if c})
        charities = sorted({c for c in map(charity_number, group["Recipient Org:Charity Number"]) if c})
        postcodes = sorted({p.strip().upper() for p in group["Recipient Org:Postal Code"] if p.strip()})
        rows.append(
            {
                "source": "trafford_grants",
                "name": name,
                "postcode": postcodes[0] if postcodes else None,
                "company": companies[0] if companies else None,
                "charity": charities[0] if charities else None,
                "vats": [],
                "vendors": [],
            }
        )
    contracts = _read_csv(SALFORD_CONTRACTS)
    contracts.columns = [re.sub(r"^(?:\ufeff|ï»¿)", "", c) for c in contracts.columns]
    contracts["name"] = contracts["Supplier Company Name"].str.strip()
    for name, group in contracts.groupby("name"):
        numbers = [_salford_company(v) for v in group["Company Number"]]
        companies = sorted({c for c, _ in numbers if c})
        charities = sorted({h for _, h in numbers if h})
        postcodes = sorted({p.strip().upper() for p in group["Supplier Postcode"] if p.strip()})
        rows.append(
            {
                "source": "salford_contracts",
                "name": name,
                "postcode": postcodes[0] if postcodes else None,
                "company": companies[0] if companies else None,
                "charity": charities[0] if charities else None,
                "vats": [],
                "vendors": [],
            }
        )
    charities_register = _read_csv(CHARITIES)
    charities_register["name"] = charities_register["charity_name"].str.strip()
    for name, group in charities_register.groupby("name"):
        companies = sorted({c for c in map(company_number, group["charity_company_registration_number"]) if c})
        charities = sorted({c for c in map(charity_number, group["registered_charity_number"]) if c})
        postcodes = sorted(
            {p.strip().upper() for p in group["charity_contact_postcode"] if p.strip() not in ("", "NA")}
        )
        rows.append(
            {
                "source": "charities_register",
                "name": name,
                "postcode": postcodes[0] if postcodes else None,
                "company": companies[0] if companies else None,
                "charity": charities[0] if charities else None,
                "vats": [],
                "vendors": [],
            }
        )
    records = pd.DataFrame(rows)
    records = records[(records["name"] != "") & ~records["name"].str.contains(REDACTED)].reset_index(drop=True)
    records["partner"] = records["source"].map(PARTNER)
    records["record_key"] = records["source"] + ":" + records["name"]
    return records


def _words(name: str) -> set[str]:
    return {w for w in re.findall(r"[A-Z0-9]+", name.upper()) if len(w) >= 3 and w not in _LEGAL}


def vat_numbers_used_as_truth(records: pd.DataFrame) -> tuple[set[str], set[str]]:
    """(VAT numbers that identify one organisation, group numbers left out), by the rule above."""
    frequency = Counter(w for name in records["name"] for w in _words(name))
    common = {w for w, n in frequency.items() if n >= COMMON_WORD_SHARE * len(records)}
    names_by_vat: dict[str, set[str]] = defaultdict(set)
    for name, vats in zip(records["name"], records["vats"]):
        for vat in vats:
            names_by_vat[vat].add(name)
    used, groups = set(), set()
    for vat, names in names_by_vat.items():
        names = sorted(names)
        words = [_words(n) - common for n in names]
        reached, frontier = {0}, [0]
        while frontier:
            i = frontier.pop()
            for j in range(len(names)):
                if j not in reached and words[i] & words[j]:
                    reached.add(j)
                    frontier.append(j)
        (used if len(reached) == len(names) else groups).add(vat)
    return used, groups


def truth(records: pd.DataFrame) -> tuple[dict[str, str], dict[str, set[str]], set[str]]:
    """(record_key -> organisation key, organisation key -> kinds of number it is known by, group VATs)."""
    used_vats, group_vats = vat_numbers_used_as_truth(records)
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    numbers_of: dict[str, list[str]] = {}
    for r in records.itertuples():
        numbers = (
            ([f"company:{r.company}"] if isinstance(r.company, str) else [])
            + ([f"charity:{r.charity}"] if isinstance(r.charity, str) else [])
            + [f"vat:{v}" for v in r.vats if v in used_vats]
            + [f"vendor:{v}" for v in r.vendors]
        )
        if numbers:
            numbers_of[r.record_key] = numbers
            for n in numbers:
                parent[find(n)] = find(f"rec:{r.record_key}")
    members: dict[str, set[str]] = defaultdict(set)
    for key, numbers in numbers_of.items():
        members[find(f"rec:{key}")].update(numbers)
    organisation = {root: min(numbers) for root, numbers in members.items()}  # the split key
    assignment = {key: organisation[find(f"rec:{key}")] for key in numbers_of}
    kinds = {
        organisation[root]: {n.split(":", 1)[0] for n in numbers} - {"vendor"} for root, numbers in members.items()
    }
    return assignment, kinds, group_vats


@functools.cache
def part_of(organisation: str) -> str:
    return "held_out" if int(hashlib.sha256(organisation.encode()).hexdigest()[:8], 16) % 2 else "tuning"


def _pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for key, cluster in assignment.items():
        groups[cluster].append(key)
    return {p for members in groups.values() for p in combinations(sorted(members), 2)}


def score(
    predicted: dict[str, str], assignment: dict[str, str], kinds: dict[str, set[str]], partner_of: dict[str, str]
) -> dict:
    """Per part ('tuning', 'held_out') and per kind of pair ('within', 'across', 'all')."""
    labelled = {k: v for k, v in predicted.items() if k in assignment}
    predicted_pairs = {
        p
        for p in _pairs(labelled)
        if assignment[p[0]] == assignment[p[1]] or kinds[assignment[p[0]]] & kinds[assignment[p[1]]]
    }
    true_pairs = _pairs(assignment)
    out: dict = {}
    for part in ("tuning", "held_out"):
        for scope in ("within", "across", "all"):

            def keep(p, part=part, scope=scope):  # bound now: used within this iteration only
                in_part = part in (part_of(assignment[p[0]]), part_of(assignment[p[1]]))
                same = partner_of[p[0]] == partner_of[p[1]]
                return in_part and (scope == "all" or (scope == "within") == same)

            pp = {p for p in predicted_pairs if keep(p)}
            tp = {p for p in true_pairs if keep(p)}
            hits = len(pp & tp)
            out[(part, scope)] = {
                "predicted_pairs": len(pp),
                "true_pairs": len(tp),
                "true_positives": hits,
                "precision": hits / len(pp) if pp else 1.0,
                "recall": hits / len(tp) if tp else 1.0,
                "false": sorted(pp - tp),
                "missed": sorted(tp - pp),
            }
    return out


def _resolver(code: Path | None):
    if code is None:
        from ingestion.resolution import resolve as module

        return module
    sys.path.insert(0, str(code.resolve()))
    for name in [m for m in sys.modules if m.startswith("ingestion")]:
        del sys.modules[name]
    return importlib.import_module("ingestion.resolution.resolve")


def run(code: Path | None = None, records: pd.DataFrame | None = None, **resolve_options) -> dict:
    records = load_records() if records is None else records
    assignment, kinds, group_vats = truth(records)
    module = _resolver(code)
    started = time.perf_counter()
    links = module.resolve(
        records[["record_key", "name"]].assign(company_number=None, charity_number=None, vat_number=None),
        use_identifiers=False,
        **resolve_options,
    )
    seconds = time.perf_counter() - started
    resolved = dict(zip(links["record_key"], links["supplier_id"]))
    baseline = {k: n.strip().upper() for k, n in zip(records["record_key"], records["name"])}
    partner_of = dict(zip(records["record_key"], records["partner"]))
    return {
        "records": records,
        "labelled": len(assignment),
        "group_vats": group_vats,
        "seconds": seconds,
        "resolver": score(resolved, assignment, kinds, partner_of),
        "baseline_exact_upper": score(baseline, assignment, kinds, partner_of),
        "methods": Counter(links["link_method"]),
        "links": links,
        "assignment": assignment,
    }


def report(result: dict, parts: tuple[str, ...], show_errors: int = 0) -> None:
    records = result["records"]
    print(
        f"{len(records)} records ({dict(Counter(records['source']))}), {result['labelled']} labelled; "
        f"{len(result['group_vats'])} VAT group numbers left out of the truth; "
        f"resolved on names only in {result['seconds']:.2f}s"
    )
    for part in parts:
        for scope in ("all", "within", "across"):
            for name in ("baseline_exact_upper", "resolver"):
                s = result[name][(part, scope)]
                print(
                    f"  {part:<8} {scope:<6} {name:<20} precision {s['precision']:.4f}  recall {s['recall']:.4f}  "
                    f"({s['true_positives']} of {s['predicted_pairs']} predicted pairs correct; "
                    f"{s['true_pairs']} true pairs)"
                )
    print(f"  links by method: {dict(result['methods'])}")
    if show_errors and parts == ("tuning",):
        links = result["links"].set_index("record_key")
        s = result["resolver"][("tuning", "all")]
        print(f"\nwrong links (tuning, {len(s['false'])}):")
        for a, b in s["false"][:show_errors]:
            print(f"  {a!r:<60} {b!r:<60} {links.at[a, 'link_method']}/{links.at[b, 'link_method']}")
        print(f"\nmissed pairs (tuning, {len(s['missed'])}):")
        for a, b in s["missed"][:show_errors]:
            print(f"  {a!r:<60} {b!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("tuning", "held_out", "both"), default="both")
    parser.add_argument("--show-errors", type=int, default=0, help="print N wrong and N missed pairs (tuning only)")
    parser.add_argument(
        "--code", type=Path, default=None, help="a checkout whose resolver to score (e.g. an old commit)"
    )
    parser.add_argument("--no-probabilistic", action="store_true", help="name rules only, no Splink stage")
    parser.add_argument(
        "--thresholds",
        default=None,
        help="comma-separated match probabilities: the precision/recall trade-off of the Splink stage",
    )
    args = parser.parse_args()
    parts = ("tuning", "held_out") if args.part == "both" else (args.part,)
    if args.show_errors and parts != ("tuning",):
        parser.error("errors are shown for the tuning part only: the held-out part is never read for tuning")
    options = {} if args.code else {"probabilistic": not args.no_probabilistic}
    if args.thresholds:
        records = load_records()
        print(
            f"{'threshold':>9} {'part':<8} {'pairs':<6} {'precision':>9} {'recall':>7} {'right/predicted':>16} {'true':>5}"
        )
        for threshold in [float(t) for t in args.thresholds.split(",")]:
            result = run(records=records, probabilistic_threshold=threshold)
            for part in parts:
                for scope in ("all", "within", "across"):
                    s = result["resolver"][(part, scope)]
                    print(
                        f"{threshold:>9} {part:<8} {scope:<6} {s['precision']:>9.4f} {s['recall']:>7.4f} "
                        f"{s['true_positives']:>7}/{s['predicted_pairs']:<8} {s['true_pairs']:>5}"
                    )
        return
    report(run(args.code, **options), parts, args.show_errors)


if __name__ == "__main__":
    main()
