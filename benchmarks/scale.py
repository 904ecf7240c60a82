"""GM at scale: the whole pipeline beside a hand-written DuckDB script, on ledgers grown from Trafford's.

    .venv/bin/python -m benchmarks.scale --rows 1000000                 # one size (minutes)
    .venv/bin/python -m benchmarks.scale --rows 1000000,3000000,10000000 --keep /tmp/scale
    .venv/bin/python -m benchmarks.scale --rows 20000 --partners 2 --years 1   # a smoke run

Inputs (generated, never committed): Trafford's real FY2024/25 ledger
(../shared/data/real/trafford/supplier_spend/trafford-supplier-spend-2024-25.zip) is resampled into
`--partners` synthetic councils x `--years` financial years of monthly CSV files in Trafford's layout:
dates moved into each month, amounts jittered by up to 10%, each payee's name varied so the count of
distinct names grows with the size (about 9k at 1M rows, 40k at 3M, 200k at 10M, as GM's would), the
organisation column naming the synthetic council. A varied name is another firm: it has its own vendor ID
and, where its real name has a VAT number, a number of its own (vat_numbers_for). Each council also sends a supplier list giving
its payees' postcodes (drawn from the bundled sample postcode directory, GM-weighted), so local
spend has locations to find. The config is a copy of config/ with these councils as its partners.

Measured in the same run, each in its own process: wall time; peak RSS of the largest one process
(ru_maxrss); and the summed RSS of the whole process tree sampled twice a second, put against each
Dagster step's start and end (TreeMemory, step_peaks), so a peak names the step that made it:
  pipeline  `svw run` on the landing zone: load, reference tables, supplier resolution, dbt build
            and tests, the quality gate, publication, statements, dashboard, exports, catalogue.
            Stages are timed from its own progress lines.
  anchor    a DuckDB script a careful analyst would write: read every CSV to Parquet, then the
            local-spend KPI (partner-supplier-year net spend >= £25k, home and GM shares of it through
            the supplier list's postcodes), no checks, no resolution, no outputs.
The ratio pipeline / anchor is what issue 13 sets a goal on (<= 3x plus 2 minutes of fixed work).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from ingestion.resolution.identifiers import vat_number

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
TRAFFORD_YEAR = REAL / "trafford" / "supplier_spend" / "trafford-supplier-spend-2024-25.zip"
POSTCODES = ROOT / "data" / "sample" / "reference" / "sample_postcodes_nspl.csv"
GM_LADS = [f"E0800000{i}" for i in range(1, 10)] + ["E08000010"]
FIRST_YEAR = 2020
WORDS = (
    "Northern Ashby Crown Riverside Oak Summit Harbour Bridge Vale Kings Meadow Granite Phoenix Atlas "
    "Beacon Moss Irwell Pennine Mersey Heaton Worsley Tame Roch Medlock Etherow Goyt Bollin Croal"
).split()


def distinct_names_for(rows: int) -> int:
    """About 9k names at 1M rows, 40k at 3M, 200k at 10M: new payees keep appearing as ledgers grow."""
    return max(200, int(9000 * (rows / 1_000_000) ** 1.35))


def read_trafford_year() -> pd.DataFrame:
    with zipfile.ZipFile(TRAFFORD_YEAR) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".csv")]
        return pd.read_csv(io.BytesIO(archive.read(name)), dtype=str, keep_default_na=False)


# letters, digits, spaces and the punctuation of a plain name; no 't/a', no dash, no brackets
_PLAIN_NAME = re.compile(r"[A-Za-z0-9&.,' ]+")
# 'Aspris Childrens Svcs Ltd Oliver Hs': a legal name, then a site
_FORM_THEN_SITE = re.compile(r"(?i)\b(?:ltd|limited|plc|llp)\b\.?\s+\S")
_LEGAL_FORM_AT_END = re.compile(r"(?i)(\s+(?:ltd|limited|plc|llp|cic|uk ltd|co ltd)\.?)$")


def _split_legal_form(name: str) -> tuple[str, str]:
    """'Amey Ltd' -> ('Amey', ' Ltd'); 'Amey' -> ('Amey', '')."""
    match = _LEGAL_FORM_AT_END.search(name)
    return (name[: match.start()], match.group(1)) if match else (name, "")


def name_pool(
    base_names: list[str],
    size: int,
    rng: random.Random,
    words: tuple[str, ...] | list[str] = WORDS,
    branches: int = 9999,
    based_on: dict[str, str] | None = None,
) -> list[str]:
    """`size` distinct names: the real ones, then variants (a word pair inserted after the first word,
    or a number before the legal form), each another firm. `based_on`, when given, is filled with each variant's real name.

    Variants are made only from plain names: a word pair inserted into 'X T/A Y Ltd', 'X Ltd - Site',
    'X (Y Ltd)' or 'X Ltd Site' keeps the legal name that names the organisation, and a number after
    'X Ltd' makes a site of X Ltd ('X Ltd 8733'); supplier resolution rightly joins those to the real firm
    (issue 11), which made the first 10M-row ledgers' resolved in-scope spend 5-6% above plain name
    keys and the identity gate refused them."""
    pool, seen = list(base_names[:size]), set(base_names[:size])
    plain = [n for n in base_names if _PLAIN_NAME.fullmatch(n) and not _FORM_THEN_SITE.search(n)] or list(base_names)
    while len(pool) < size:
        name = rng.choice(plain)
        first, _, rest = name.partition(" ")
        if rng.random() < 0.7:
            variant = f"{first} {rng.choice(words)} {rng.choice(words)} {rest}".strip()
        else:
            stem, form = _split_legal_form(name)
            variant = f"{stem} {rng.randint(1, branches)}{form}"
        if variant not in seen:
            seen.add(variant)
            pool.append(variant)
            if based_on is not None:
                based_on[variant] = name
    return pool


def vat_numbers_for(names: list[str], based_on: dict[str, str], base: pd.DataFrame) -> dict[str, str]:
    """Each payee name's VAT number, as its own ledger line would print it. A real name keeps the one
    Trafford prints most often beside it (blank, 'NA' and all: the publishing traps stay in). A
    variant is another firm: where its real name has a number it gets one of its own (GB9xxxxxxxx,
    never one of Trafford's), otherwise it prints what its real name does. Keeping the real line's
    number while varying the name, as the first version did, put 38,617 names on one number at 10M
    rows, which no register allows."""
    printed = base.groupby("BeneficiaryName")["VATRegistrationNumber"].agg(lambda v: v.value_counts().index[0])
    real_numbers = set(base["VATRegistrationNumber"])
    numbers: dict[str, str] = {}
    next_number = 900_000_000
    for name in names:
        original = printed[based_on.get(name, name)]
        if name in based_on and vat_number(original):
            while f"GB{next_number}" in real_numbers:
                next_number += 1
            numbers[name], next_number = f"GB{next_number}", next_number + 1
        else:
            numbers[name] = original
    return numbers


def partner_codes(partners: int) -> list[str]:
    return [f"council{i:02d}" for i in range(1, partners + 1)]


def write_config(out: Path, partners: int) -> Path:
    """config/ with the synthetic councils as the partners, each in Trafford's spend layout."""
    config = out / "config"
    shutil.copytree(ROOT / "config", config)
    registry = yaml.safe_load((ROOT / "config" / "partners.yml").read_text(encoding="utf-8"))
    trafford = next(p for p in registry["partners"] if p["code"] == "trafford")
    spend = dict(trafford["feeds"]["spend"])
    spend["file_pattern"] = r"spend_(?P<year>\d{4})-(?P<month>\d{2})\.csv"
    registry["partners"] = [
        {
            "code": code,
            "name": f"Council {code[-2:]}",
            "type": "council",
            "home_lad_codes": [GM_LADS[i % len(GM_LADS)]],
            "groups": ["GM"],
            "feeds": {
                "spend": spend,
                "suppliers": {
                    "file_pattern": r"suppliers\.csv",
                    "columns": {
                        "supplier_ref": ["VendorID"],
                        "supplier_name": ["VendorName"],
                        "postcode": ["PostCode"],
                    },
                },
            },
        }
        for i, code in enumerate(partner_codes(partners))
    ]
    registry["groups"] = [g for g in registry["groups"] if g["code"] == "GM"]
    (config / "partners.yml").write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    for stale in (config / "exceptions").glob("*.yml"):
        stale.unlink()
    return config


def generate(out: Path, rows: int, partners: int, years: int, seed: int = 13) -> dict:
    """The landing zone and config; returns what was made."""
    rng = random.Random(seed)
    base = read_trafford_year()
    base = base[base["BeneficiaryName"].str.strip().ne("") & base["Amount"].str.strip().ne("")].reset_index(drop=True)
    based_on: dict[str, str] = {}
    names = name_pool(sorted(set(base["BeneficiaryName"])), distinct_names_for(rows), rng, based_on=based_on)
    vat_of = vat_numbers_for(names, based_on, base)
    # each payee row of the real year takes one name of the pool, the same across files, so a supplier
    # recurs month after month as in a real ledger
    postcodes = pd.read_csv(POSTCODES, dtype=str)
    gm_postcodes = postcodes[postcodes["laua"].isin(GM_LADS)]["pcds"].tolist()
    other_postcodes = postcodes[~postcodes["laua"].isin(GM_LADS)]["pcds"].tolist()
    landing = out / "landing"
    files = partners * years * 12
    per_file = max(1, rows // files)
    written = 0
    for p_index, code in enumerate(partner_codes(partners)):
        folder = landing / code / "spend"
        folder.mkdir(parents=True)
        vendor_of: dict[str, int] = {}
        for year in range(FIRST_YEAR, FIRST_YEAR + years):
            for month_index in range(12):
                month_year, month = (year, month_index + 4) if month_index < 9 else (year + 1, month_index - 8)
                sample = base.sample(n=per_file, replace=True, random_state=rng.randrange(2**31)).copy()
                picks = [names[zlib.crc32(f"{code}:{i}".encode()) % len(names)] for i in sample.index]
                sample["BeneficiaryName"] = picks
                sample["BeneficiaryOtherID"] = [str(vendor_of.setdefault(n, len(vendor_of) + 1)) for n in picks]
                sample["VATRegistrationNumber"] = [vat_of[n] for n in picks]
                days = [rng.randint(1, 28) for _ in range(per_file)]
                sample["PaymentDate"] = [f"{month_year}-{month:02d}-{d:02d}" for d in days]
                amounts = pd.to_numeric(sample["Amount"], errors="coerce").fillna(0.0)
                jitter = [1 + (rng.random() - 0.5) * 0.2 for _ in range(per_file)]
                sample["Amount"] = [f"{a * j:.2f}" for a, j in zip(amounts, jitter)]
                sample["TransactionNumber"] = [f"{p_index + 1:02d}{year}{month:02d}{i:07d}" for i in range(per_file)]
                sample["OrganisationLabel"] = f"Council {code[-2:]}"
                sample.to_csv(folder / f"spend_{month_year}-{month:02d}.csv", index=False)
                written += per_file
        suppliers = pd.DataFrame(
            {
                "VendorID": [str(v) for v in vendor_of.values()],
                "VendorName": list(vendor_of),
                "PostCode": [
                    rng.choice(gm_postcodes if rng.random() < 0.6 else other_postcodes) for _ in range(len(vendor_of))
                ],
            }
        )
        (landing / code / "suppliers").mkdir()
        suppliers.to_csv(landing / code / "suppliers" / "suppliers.csv", index=False)
    config = write_config(out, partners)
    return {"rows": written, "files": files, "distinct_names": len(names), "landing": landing, "config": config}


ANCHOR = """
import sys, time, duckdb
landing, postcodes, out, homes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
con = duckdb.connect()
con.execute("set threads = 2")
con.execute(f\"\"\"copy (select regexp_extract(filename, '/(council[0-9]+)/', 1) as partner, BeneficiaryName as supplier,
    BeneficiaryOtherID as vendor, cast(PaymentDate as date) as paid, cast(Amount as decimal(18, 2)) as amount
    from read_csv('{landing}/*/spend/*.csv', filename = true, all_varchar = true))
    to '{out}/spend.parquet' (format parquet)\"\"\")
con.execute(f\"\"\"create table suppliers as select regexp_extract(filename, '/(council[0-9]+)/', 1) as partner,
    VendorID as vendor, PostCode as postcode from read_csv('{landing}/*/suppliers/*.csv', filename = true,
    all_varchar = true)\"\"\")
con.execute(f"create table postcodes as select pcds as postcode, laua as lad from read_csv('{postcodes}', all_varchar = true)")
con.execute(f"create table homes as select * from (values {homes}) as t(partner, lad)")
rows = con.execute(f\"\"\"
    with spend as (select * from '{out}/spend.parquet'),
    fy as (select partner, supplier, vendor, amount,
           case when month(paid) >= 4 then year(paid) else year(paid) - 1 end as fy from spend),
    supplier_year as (select partner, supplier, fy, any_value(vendor) as vendor, sum(amount) as net
                      from fy group by all having sum(amount) >= 25000),
    located as (select s.*, p.lad from supplier_year s
                left join suppliers l on l.partner = s.partner and l.vendor = s.vendor
                left join postcodes p on p.postcode = l.postcode)
    select partner, fy, sum(net) as in_scope,
           100 * sum(net) filter (where lad in (select lad from homes h where h.partner = located.partner)) / sum(net),
           100 * sum(net) filter (where lad like 'E0800000%' or lad = 'E08000010') / sum(net)
    from located group by all order by all\"\"\").fetchall()
print(len(rows))
"""


# payees a new month names for the first time: Trafford's 2024/25 months from September name 68-115
# payees not paid earlier that year, of 790-975 paid that month
NEW_PAYEES = 100


def add_partner_month(made: dict, years: int, month_number: int = 4, new_payees: int = 0, seed: int = 29) -> Path:
    """One more month for the first partner (April, or `month_number`, after the last year), made
    from its last month with new dates, transaction numbers and amounts: the `one new partner-month`
    re-run. `new_payees`: that many of its lines paid to payees no earlier month names, as a real
    month's would be (a month of known payees leaves supplier resolution's inputs unchanged)."""
    rng = random.Random(seed)
    folder = made["landing"] / partner_codes(1)[0] / "spend"
    last = sorted(folder.glob("spend_*.csv"))[-1]
    month = pd.read_csv(last, dtype=str, keep_default_na=False)
    year = FIRST_YEAR + years
    month["PaymentDate"] = [f"{year}-{month_number:02d}-{rng.randint(1, 28):02d}" for _ in range(len(month))]
    amounts = pd.to_numeric(month["Amount"], errors="coerce").fillna(0.0)
    month["Amount"] = [f"{a * (1 + (rng.random() - 0.5) * 0.2):.2f}" for a in amounts]
    month["TransactionNumber"] = [f"99{year}{month_number:02d}{i:07d}" for i in range(len(month))]
    for i in range(min(new_payees, len(month))):  # a new payee has its own vendor account, no VAT number yet
        month.loc[i, "BeneficiaryName"] = f"Newly Appointed Supplier {month_number:02d}{i:03d} Ltd"
        month.loc[i, "BeneficiaryOtherID"] = f"N{year}{month_number:02d}{i:03d}"
        month.loc[i, "VATRegistrationNumber"] = ""
    path = folder / f"spend_{year}-{month_number:02d}.csv"
    month.to_csv(path, index=False)
    return path


PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


class TreeMemory(threading.Thread):
    """The summed RSS of a process and every descendant (dbt, Dagster's step processes), sampled
    twice a second, so a peak can be put against the step that was running. ru_maxrss cannot do
    that: it is one process's own peak, and the steps of one Dagster run share a process."""

    def __init__(self, root: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.root, self.every = root, every
        self.samples: list[tuple[float, float]] = []  # (unix time, MB)
        self.finished = threading.Event()

    def run(self) -> None:
        while not self.finished.wait(self.every):
            self.samples.append((time.time(), self._tree_rss_mb()))

    def _tree_rss_mb(self) -> float:
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # the process ended between listing and reading
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        total, todo = 0.0, [self.root]
        while todo:
            pid = todo.pop()
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_MB
            except (OSError, IndexError):
                pass
            todo.extend(children.get(pid, []))
        return total

    def peak(self, start: float = 0.0, end: float = float("inf")) -> float:
        """The highest sample from start to end, widened by one interval so a step shorter than
        the interval still gets the sample taken while it ran."""
        return max((mb for t, mb in self.samples if start - self.every <= t <= end + self.every), default=0.0)


def step_peaks(dagster_home: Path, since: float, memory: TreeMemory) -> dict[str, dict]:
    """Each Dagster step of the runs started since `since`: its seconds and the process tree's peak
    RSS while it ran (steps of one run in one process run one at a time, so the peak is theirs)."""
    from dagster import DagsterInstance, RunsFilter

    steps: dict[str, dict] = {}
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        for run in instance.get_runs(RunsFilter(created_after=datetime.fromtimestamp(since, UTC))):
            for stat in instance.get_run_step_stats(run.run_id):
                if stat.start_time is None or stat.end_time is None:
                    continue
                seen = steps.setdefault(stat.step_key, {"seconds": 0.0, "peak_rss_mb": 0.0, "runs": 0})
                seen["seconds"] += stat.end_time - stat.start_time
                seen["peak_rss_mb"] = max(seen["peak_rss_mb"], memory.peak(stat.start_time, stat.end_time))
                seen["runs"] += 1
    return {
        k: {**v, "seconds": round(v["seconds"], 1), "peak_rss_mb": round(v["peak_rss_mb"])} for k, v in steps.items()
    }


def _wait(process: subprocess.Popen) -> tuple[int, float]:
    """Exit code and peak RSS (MB) of the process and the children it waited for (dbt, Dagster's)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024


def run_pipeline(made: dict, work: Path) -> dict:
    """`svw run` in a fresh process; stage times from its own progress lines."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SVW_")},
        "SVW_LANDING_DIR": str(made["landing"]),
        "SVW_CONFIG_DIR": str(made["config"]),
        "SVW_RAW_DIR": str(work / "raw"),
        "SVW_WORK_DIR": str(work / "work"),
        "SVW_PUBLISHED_DIR": str(work / "published"),
        "SVW_WAREHOUSE": str(work / "work" / "warehouse.duckdb"),
        "SVW_POSTCODE_DIRECTORY": str(POSTCODES),
        "DAGSTER_HOME": str(work / "dagster_home"),
        "PYTHONUNBUFFERED": "1",  # progress lines arrive as printed, so the stage times are right
    }
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "orchestration" / "dagster.yaml", work / "dagster_home" / "dagster.yaml")
    started, wall_started = time.monotonic(), time.time()
    marks: dict[str, float] = {}
    log = work / "pipeline.log"
    with (
        subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as process,
        open(log, "w", encoding="utf-8") as transcript,
    ):
        assert process.stdout is not None
        memory = TreeMemory(process.pid)
        memory.start()
        for line in process.stdout:
            transcript.write(line)
            now = time.monotonic() - started
            if re.search(r"loaded \d+/\d+ files", line):
                marks["ingest"] = now
            elif line.startswith("building marts"):
                marks.setdefault("ingest", now)
                marks["ingest_done"] = now
            elif line.startswith("Published"):
                marks["published"] = now
        code, peak = _wait(process)
        memory.finished.set()
        memory.join()
    total = time.monotonic() - started
    steps = step_peaks(work / "dagster_home", wall_started, memory)
    if code != 0:
        # the times and the peak up to the failure are still measurements: printed, then the exit
        print(
            json.dumps(
                {
                    "failed_exit_code": code,
                    "seconds": round(total, 1),
                    "peak_rss_mb": round(peak),
                    "peak_tree_rss_mb": round(memory.peak()),
                    **marks,
                    "steps": steps,
                }
            ),
            flush=True,
        )
        raise SystemExit(f"svw run failed (exit {code}); its output is in {log}")
    return {
        "seconds": total,
        "ingest": marks.get("ingest_done", 0.0),
        "build_publish": marks.get("published", total) - marks.get("ingest_done", 0.0),
        "after_publish": total - marks.get("published", total),
        "peak_rss_mb": peak,
        "peak_tree_rss_mb": memory.peak(),
        "steps": steps,
    }


def run_anchor(made: dict, work: Path, partners: int) -> dict:
    homes = ", ".join(f"('{code}', '{GM_LADS[i % len(GM_LADS)]}')" for i, code in enumerate(partner_codes(partners)))
    (work / "anchor").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", ANCHOR, str(made["landing"]), str(POSTCODES), str(work / "anchor"), homes]
    )
    code, peak = _wait(process)
    if code != 0:
        raise SystemExit(f"the DuckDB anchor failed (exit {code})")
    return {"seconds": time.monotonic() - started, "peak_rss_mb": peak}


def inputs_for(args: argparse.Namespace, rows: int, scratch: Path) -> dict:
    """This size's landing zone and config: generated into the scratch folder, or (--inputs) kept in
    <inputs>/<rows>/ and copied into the scratch folder, so the re-runs' added months never change
    the kept ones."""
    if args.inputs is None:
        return generate(scratch / "inputs", rows, args.partners, args.years)
    kept = args.inputs / f"{rows}_{args.partners}x{args.years}"
    record = kept / "made.json"
    if not record.exists():
        made = generate(kept, rows, args.partners, args.years)
        record.write_text(
            json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in made.items()}), encoding="utf-8"
        )
    if args.generate_only:
        made = json.loads(record.read_text(encoding="utf-8"))
        return {**made, "landing": Path(made["landing"])}
    shutil.copytree(kept, scratch / "inputs")
    made = json.loads(record.read_text(encoding="utf-8"))
    return {**made, "landing": scratch / "inputs" / "landing", "config": scratch / "inputs" / "config"}


# The re-runs --reruns makes, in order: nothing changed; one new partner-month of known payees; one
# more naming NEW_PAYEES payees never seen.
_RERUNS = ("rerun_unchanged", "new_partner_month", f"new_partner_month_{NEW_PAYEES}_new_payees")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="1000000", help="comma-separated sizes in ledger rows")
    parser.add_argument("--partners", type=int, default=10)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated folders here")
    parser.add_argument(
        "--inputs",
        type=Path,
        default=None,
        help="generate each size's inputs under this folder once and reuse them on later runs (the "
        "re-runs still add their months to a copy); with --generate-only, stop after generating",
    )
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--reruns",
        action="store_true",
        help="then run again with nothing changed, after one new partner-month of known payees, and after "
        "one more naming new payees (issue 13's 5%% and 10%%)",
    )
    args = parser.parse_args()
    results = []
    for rows in [int(r) for r in args.rows.split(",")]:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"svw_scale_{rows}_", dir=args.keep))
        began = time.monotonic()
        made = inputs_for(args, rows, scratch)
        generated = time.monotonic() - began
        if args.generate_only:
            print(json.dumps({"rows": made["rows"], "inputs": str(made["landing"].parent)}), flush=True)
            continue
        anchor = run_anchor(made, scratch, args.partners)
        print(
            json.dumps({"rows": made["rows"], "distinct_names": made["distinct_names"], "anchor": anchor}), flush=True
        )
        pipeline = run_pipeline(made, scratch)
        result = {
            "rows": made["rows"],
            "files": made["files"],
            "distinct_names": made["distinct_names"],
            "generate_s": round(generated, 1),
            "pipeline_s": round(pipeline["seconds"], 1),
            "ingest_s": round(pipeline["ingest"], 1),
            "build_and_publish_s": round(pipeline["build_publish"], 1),
            "outputs_after_publish_s": round(pipeline["after_publish"], 1),
            "peak_rss_mb": round(pipeline["peak_rss_mb"]),
            "peak_tree_rss_mb": round(pipeline["peak_tree_rss_mb"]),
            "anchor_s": round(anchor["seconds"], 1),
            "anchor_peak_rss_mb": round(anchor["peak_rss_mb"]),
            "ratio": round(pipeline["seconds"] / anchor["seconds"], 1),
            "steps": pipeline["steps"],
        }
        print(json.dumps(result), flush=True)  # the full run's figures, before any re-run
        if args.reruns:
            unchanged = run_pipeline(made, scratch)
            add_partner_month(made, args.years)
            new_month = run_pipeline(made, scratch)
            add_partner_month(made, args.years, month_number=5, new_payees=NEW_PAYEES)
            new_payees = run_pipeline(made, scratch)
            for name, run in zip(_RERUNS, (unchanged, new_month, new_payees), strict=True):
                result[f"{name}_s"] = round(run["seconds"], 1)
                result[f"{name}_pct"] = round(100 * run["seconds"] / pipeline["seconds"], 1)
                result[f"{name}_peak_tree_rss_mb"] = round(run["peak_tree_rss_mb"])
                result[f"{name}_steps"] = run["steps"]
        results.append(result)
        print(json.dumps(result), flush=True)
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    print_summary(results)


def print_summary(results: list[dict]) -> None:
    """Each size's figures as a table, then each run's steps (the full run's, then each re-run's)."""
    print(
        f"\n{'rows':>10} {'names':>8} {'files':>6} {'pipeline s':>10} {'ingest s':>9} {'build+pub s':>11} "
        f"{'peak MB':>8} {'anchor s':>9} {'ratio':>6}"  # peak MB: the largest one process
    )
    for r in results:
        print(
            f"{r['rows']:>10,} {r['distinct_names']:>8,} {r['files']:>6} {r['pipeline_s']:>10} {r['ingest_s']:>9} "
            f"{r['build_and_publish_s']:>11} {r['peak_rss_mb']:>8,} {r['anchor_s']:>9} {r['ratio']:>6}"
        )
    for r in results:
        runs = [("full run", "")] + [(name, f"{name}_") for name in _RERUNS if f"{name}_s" in r]
        for title, prefix in runs:
            steps = r[f"{prefix}steps"]
            head = f"\n{r['rows']:,} rows, {title}"
            if prefix:
                head += f": {r[f'{prefix}s']} s, {r[f'{prefix}pct']}% of the full run"
            print(head + "; steps of a second or more: seconds, peak RSS of the process tree (MB)")
            for step, figures in sorted(steps.items(), key=lambda kv: -kv[1]["seconds"]):
                if figures["seconds"] >= 1:
                    print(f"  {step:<48} {figures['seconds']:>8} {figures['peak_rss_mb']:>8,}")


if __name__ == "__main__":
    main()
