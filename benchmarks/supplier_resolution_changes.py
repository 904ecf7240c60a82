"""What a change of supplier resolution does to the published figures, on every real ledger in shared/.

    git worktree add /tmp/old9ea 9ea05cf        # the resolution before issue 11 (supplier-matching-v2)
    .venv/bin/python -m benchmarks.supplier_resolution_changes --old /tmp/old9ea [--old /tmp/other ...]
    git worktree remove /tmp/old9ea

Loads every real ledger (Trafford FY2024/25 and 2026/27, Salford's monthly files 2019-22, the 2019
files of Bolton, Oldham and Tameside) through the pipeline's own loaders, builds the supplier records
once with this checkout's ingestion/resolution/build.py, then links those same records with each
checkout's ingestion/resolution/resolve.py (the old one in a subprocess, so its names.py is the one
it imports) and with this one. Per partner and financial year, for each resolution:

  in-scope £       net spend of suppliers at or above the in-scope threshold (local_spend in
                   config/rules.yml: £25,000 net per partner-supplier-year, credits netted; redacted
                   payees pooled per partner as the pipeline pools them)
  suppliers        resolved suppliers paid that year, and how many are in scope
  VCSE %           share of in-scope spend with suppliers any of whose records carries VCSE evidence
                   (registration: a charity number, a society/CIO company type, a CIC name; or a
                   VCSE word in a name), the evidence int_supplier__classification ranks
  SME              these ledgers carry no SME evidence (no supplier lists, tenders or overrides), so
                   the SME flag is unknown for every supplier under either resolution

Takes a few minutes, mostly the loading of Trafford's 210,000 rows.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from ingestion.load import SCHEMAS
from ingestion.missing import query_frame
from ingestion.raw_store import ensure_feed_placeholders
from ingestion.registry import load_rules
from ingestion.resolution.build import build_supplier_tables, load_overrides
from tests.real_data.real_ledgers import PARTNERS, PROJECT_ROOT, load_all, raw_view

REAL = (PROJECT_ROOT / ".." / "shared" / "data" / "real").resolve()

_OLD_RESOLVE = """
import sys, json
sys.path.insert(0, sys.argv[1])
import pandas as pd
from ingestion.resolution.resolve import Overrides, resolve
records = pd.read_parquet(sys.argv[2])
options = json.loads(sys.argv[4])
links = resolve(records, Overrides([tuple(p) for p in options["force_link"]], options["force_split"]),
                fuzzy_threshold=options["fuzzy_threshold"], use_aliases=options["use_aliases"])
links[["record_key", "supplier_id", "link_method"]].to_parquet(sys.argv[3])
"""


def spend_by_record(raw: Path, payees: pd.DataFrame) -> pd.DataFrame:
    """Net spend per partner, financial year and record key (redacted payees: one pool per partner)."""
    con = duckdb.connect()
    con.register("payees", payees[["partner_code", "supplier_ref", "supplier_name", "record_key"]])
    pattern = str(raw / "spend" / "partner=*" / "period=*" / "rows.parquet")
    frame = query_frame(
        con,
        """
        with lines as (
            select partner_code, cast(payment_date as date) as payment_date,
                   nullif(trim(supplier_ref), '') as supplier_ref, nullif(trim(supplier_name), '') as supplier_name,
                   amount_pence, is_redacted
            from read_parquet(?, union_by_name = true) where partner_code <> '_none')
        select l.partner_code,
               case when month(payment_date) >= 4
                    then cast(year(payment_date) as varchar) || '/' || lpad(cast((year(payment_date) + 1) % 100 as varchar), 2, '0')
                    else cast(year(payment_date) - 1 as varchar) || '/' || lpad(cast(year(payment_date) % 100 as varchar), 2, '0')
               end as financial_year,
               case when l.is_redacted then l.partner_code || ':redacted' else p.record_key end as record_key,
               strftime(payment_date, '%Y-%m') as month,
               sum(amount_pence) / 100.0 as net_gbp
        from lines l
        left join payees p on l.partner_code = p.partner_code
             and l.supplier_ref is not distinct from p.supplier_ref and l.supplier_name is not distinct from p.supplier_name
        where l.is_redacted or l.supplier_name is not null
        group by all""",
        [pattern],
    )
    con.close()
    return frame


def figures(spend: pd.DataFrame, links: pd.DataFrame, vcse_records: set[str], rule: dict) -> pd.DataFrame:
    supplier = dict(zip(links["record_key"], links["supplier_id"]))
    frame = spend.assign(
        supplier_id=[supplier.get(k, k) for k in spend["record_key"]], vcse=spend["record_key"].isin(vcse_records)
    )
    vcse_suppliers = set(frame.loc[frame["vcse"], "supplier_id"])
    months = frame.groupby(["partner_code", "financial_year"])["month"].nunique()
    per = frame.groupby(["partner_code", "financial_year", "supplier_id"], as_index=False)["net_gbp"].sum()
    threshold = rule.threshold_gbp
    per["threshold"] = [
        threshold * months[(p, y)] / 12 if rule.part_year_threshold == "pro_rata" else threshold
        for p, y in zip(per["partner_code"], per["financial_year"])
    ]
    per["in_scope"] = per["net_gbp"] >= per["threshold"]
    per["vcse"] = per["supplier_id"].isin(vcse_suppliers)
    rows = []
    for (partner, year), group in per.groupby(["partner_code", "financial_year"]):
        scope = group[group["in_scope"]]
        rows.append(
            {
                "partner": partner,
                "year": year,
                "in_scope_gbp": scope["net_gbp"].sum(),
                "suppliers": len(group),
                "in_scope_suppliers": len(scope),
                "vcse_pct": 100 * scope.loc[scope["vcse"], "net_gbp"].sum() / scope["net_gbp"].sum()
                if len(scope)
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, action="append", default=[], help="a checkout whose resolve.py to compare")
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="resolution_changes_"))
    if root.exists() and any(root.iterdir()):
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    config = PROJECT_ROOT / "config"
    started = time.monotonic()
    raw = raw_view(load_all(REAL, root, config), list(PARTNERS), root)
    ensure_feed_placeholders(raw, SCHEMAS)
    print(f"loaded every real ledger in {time.monotonic() - started:.0f}s")
    rules = load_rules(config)
    overrides = load_overrides(config / "overrides" / "suppliers.yml")
    matching = rules.supplier_matching
    tables = build_supplier_tables(raw, overrides, rules.supplier_classification, matching)
    records = tables["supplier_records"]
    vcse_records = set(
        records.loc[records["registration_vcse_evidence"].notna() | records["name_vcse_evidence"].notna(), "record_key"]
    )
    spend = spend_by_record(raw, tables["payee_records"])
    rule = rules.local_spend
    results = {"new": figures(spend, tables["supplier_links"], vcse_records, rule)}
    methods = {"new": tables["supplier_links"]["link_method"].value_counts().to_dict()}
    records_path = root / "records.parquet"
    records.rename(columns={"supplier_name": "name"}).to_parquet(records_path)
    options = json.dumps(
        {
            "force_link": overrides.overrides.force_link,
            "force_split": overrides.overrides.force_split,
            "fuzzy_threshold": matching.fuzzy_threshold,
            "use_aliases": matching.use_trading_name_aliases,
        }
    )
    for code in args.old:
        out = root / f"links_{code.name}.parquet"
        subprocess.run(
            [sys.executable, "-c", _OLD_RESOLVE, str(code.resolve()), str(records_path), str(out), options],
            check=True,
            cwd=code,
        )
        old_links = pd.read_parquet(out)
        results[code.name] = figures(spend, old_links, vcse_records, rule)
        methods[code.name] = old_links["link_method"].value_counts().to_dict()
    print(f"{len(records)} supplier records; links by method: {json.dumps(methods)}\n")
    names = list(results)
    header = f"{'partner':<9} {'year':<8}" + "".join(
        f" | {n[:12] + ' in-scope £':>24} {'suppliers':>9} {'in scope':>8} {'VCSE %':>6}" for n in names
    )
    print(header)
    merged = results["new"][["partner", "year"]]
    for row in merged.itertuples():
        line = f"{row.partner:<9} {row.year:<8}"
        for n in names:
            r = results[n].set_index(["partner", "year"]).loc[(row.partner, row.year)]
            line += (
                f" | {r.in_scope_gbp:>24,.0f} {int(r.suppliers):>9,} {int(r.in_scope_suppliers):>8,} {r.vcse_pct:>6.2f}"
            )
        print(line)
    print(f"\n(total {time.monotonic() - started:.0f}s; work folder {root})")


if __name__ == "__main__":
    main()
