"""python -m ingestion.samples --out data/sample [--seed N]"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
from pathlib import Path

from ingestion.samples.answers import local_spend_answers
from ingestion.samples.attributes import attribute_answers, build_facts, write_facts
from ingestion.samples.contract_notices import build_notices, write_notices
from ingestion.samples.layouts import write_partner_feeds
from ingestion.samples.neighbourhoods import Neighbourhood, assign_neighbourhoods, neighbourhood_answers
from ingestion.samples.procurement_act import write_procurement_act_feeds
from ingestion.samples.social_value import (
    build_bids,
    build_contracts,
    read_framework,
    social_value_answers,
    write_social_value_feeds,
)
from ingestion.samples.world import (
    FINANCIAL_YEARS,
    TARGET_GM_SHARE,
    TARGET_HOME_SHARE,
    World,
    build_world,
)

DEFAULT_SEED = 20210401


def write_postcode_directory(world: World, path: Path, places: dict[str, Neighbourhood]) -> None:
    """A small postcode directory in the ONS NSPL column layout, covering the sample's suppliers,
    with NSPL's ward, output area and LSOA 2011/2021 columns (ingestion/samples/neighbourhoods.py)."""
    rows = {f.postcode: f.lad for f in world.firms.values() if f.postcode and f.lad}
    rows.update(world.decoy_postcodes)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["pcd", "pcd2", "pcds", "dointr", "doterm", "usertype", "laua", "ctry", "rgn"]
            + ["ward", "oa21", "lsoa11", "lsoa21"]
        )
        for postcode, lad in sorted(rows.items()):
            outward, inward = postcode.split(" ")
            hood = places[postcode]
            writer.writerow(
                [
                    f"{outward:<4}{inward}",
                    f"{outward:<4} {inward}",
                    postcode,
                    "198001",
                    "",
                    "0",
                    lad,
                    "E92000001",
                    "E12000002" if lad.startswith("E080000") else "",
                    hood.ward or "",
                    hood.oa21,
                    hood.lsoa11,
                    hood.lsoa21,
                ]
            )


def generate(out: Path, seed: int = DEFAULT_SEED) -> dict:
    world = build_world(seed)
    landing = out / "landing"
    if landing.exists():
        shutil.rmtree(landing)
    write_partner_feeds(world, landing, random.Random(seed + 1))
    places, planted_places = assign_neighbourhoods(world, seed)
    write_postcode_directory(world, out / "reference" / "sample_postcodes_nspl.csv", places)
    framework = read_framework(Path(__file__).resolve().parents[2] / "config" / "frameworks" / "demo_framework.csv")
    sv_rng = random.Random(seed + 2)
    contracts = build_contracts(world, sv_rng, framework)
    bids = build_bids(world, sv_rng)
    write_social_value_feeds(world, contracts, bids, landing)
    # its own stream, so the other feeds and their answers are unchanged by it
    notices, contract_performance = build_notices(world, contracts, framework, random.Random(seed + 4))
    write_notices(notices, landing)
    procurement_act = write_procurement_act_feeds(world, contracts, bids, landing, seed)  # own stream: seed + 171
    # dated supplier facts: their own stream, so every other sample file stays as it was
    facts = build_facts(world, contracts, random.Random(seed + 4))
    write_facts(facts, landing)
    answers = {
        "generator": "ingestion.samples",
        "seed": seed,
        "note": "True figures computed from the generated payments by ingestion/samples/answers.py.",
        "planted_targets": {
            "STAR": {
                f"{fy}/{(fy + 1) % 100:02d}": {
                    "home_share_pct": 100 * TARGET_HOME_SHARE[fy],
                    "gm_share_pct": 100 * TARGET_GM_SHARE[fy],
                }
                for fy in FINANCIAL_YEARS
            }
        },
        "kpi_local_spend": local_spend_answers(world),
        "social_value": social_value_answers(contracts, bids, framework),
        "contract_performance": contract_performance,
        "social_value_targets": {
            "sv_weighting_pct": 20,
            "sv_secured_pct": {"2019/20": 25, "2020/21": 28},
            "sv_secured_two_years_gbp": 60_000_000,
            "2020/21": {"sme_bids_pct": 20, "vcse_bids_pct": 11.5, "sme_awards_pct": 4.9, "vcse_awards_pct": 9},
        },
        "neighbourhoods": {"planted": planted_places, **neighbourhood_answers(world, places)},
        "supplier_attributes": attribute_answers(world, contracts, facts),
        "payments": len(world.payments),
        "redacted_payments": sum(1 for p in world.payments if p.firm_id is None),
        "procurement_act": procurement_act,
    }
    (out / "answers.json").write_text(json.dumps(answers, indent=2), encoding="utf-8")
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("data/sample"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    answers = generate(args.out, args.seed)
    star = [r for r in answers["kpi_local_spend"] if r["reporting_unit"] == "STAR"]
    for row in answers["social_value"]["kpi_sv_secured"]:
        if row["reporting_unit"] == "STAR":
            print(
                f"STAR {row['financial_year']}: SV secured {row['sv_secured_pct']:.2f}% "
                f"(£{row['sv_committed_gbp']:,.0f} of £{row['contract_value_gbp']:,.0f})"
            )
    for row in answers["social_value"]["kpi_sme_vcse"]:
        if row["reporting_unit"] == "STAR":
            print(
                f"STAR {row['financial_year']}: bids SME {row['sme_bids_pct']:.1f}% VCSE {row['vcse_bids_pct']:.1f}%, "
                f"awards SME {row['sme_awards_pct']:.1f}% VCSE {row['vcse_awards_pct']:.1f}%"
            )
    for row in star:
        print(
            f"STAR {row['financial_year']}: home {row['home_share_pct']:.2f}%  GM {row['gm_share_pct']:.2f}%  "
            f"in scope £{row['in_scope_spend_gbp']:,.0f}"
        )
    print(f"{answers['payments']} payments written under {args.out / 'landing'}")


if __name__ == "__main__":
    main()
