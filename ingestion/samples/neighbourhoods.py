"""Neighbourhoods of the sample's postcodes, and the true deprivation and ward figures they imply.

Each synthetic postcode is given a real LSOA 2021 of its borough (config/reference/geography), the
LSOA 2011 it came from, an output area of it and its ward, by a random stream of its own
(seed + 16), so the rest of the sample is unchanged. Postcodes outside GM get a real LSOA from
elsewhere in England that kept its code in 2021 (synthetic: not necessarily in that borough).

Planted: the largest GM supplier of 2019/20 sits in an LSOA 2011 that was split in 2021, so its
2019/20 spend is placed on the 2011 code (IMD 2019) and reported on the 2021 code (ward view); and
the largest supplier outside GM sits in a decile-1 neighbourhood, so it counts in the deprivation
share but never on the GM map.

The answers are computed here in plain Python from the generator's own records and the shipped
decile files read with the csv module: no SQL and no pipeline helper, so a pipeline bug cannot hide
by being repeated. They assume config/rules.yml deprivation-v1 (in_force; every sample year is
before 2025/26, so IMD 2019 on LSOA 2011) and local-spend-v3 (supplier-year net >= GBP 25,000).
"""

from __future__ import annotations

import csv
import gzip
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ingestion.samples.world import ALL_PARTNER_HOME, GM_LADS, PARTNER_HOME, THRESHOLD_PENCE, World

REFERENCE = Path(__file__).resolve().parents[2] / "config" / "reference"
DEPRIVATION_RULE_VERSION = "deprivation-v1"
EDITION = "imd2019"  # every sample year (2018/19-2020/21) is measured by IMD 2019 under in_force
DOMAINS = ("imd", "income", "employment")


@dataclass(frozen=True)
class Neighbourhood:
    oa21: str
    lsoa21: str
    lsoa11: str
    ward: str | None  # current ward (LSOA 2021 best fit); None outside GM


def _read_csv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _deciles(name: str) -> dict[str, dict[str, int]]:
    return {
        r["lsoa_code"]: {d: int(r[f"{d}_decile"]) for d in DOMAINS} for r in _read_csv(REFERENCE / "deprivation" / name)
    }


def _fy(d) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _net(world: World) -> dict[tuple[str, str, int | str], int]:
    net: dict[tuple[str, str, int | str], int] = defaultdict(int)
    for p in world.payments:
        net[(p.partner, _fy(p.payment_date), p.firm_id if p.firm_id is not None else "redacted")] += p.amount_pence
    return net


def assign_neighbourhoods(world: World, seed: int) -> tuple[dict[str, Neighbourhood], dict]:
    """(postcode -> neighbourhood, the planted cases)."""
    rng = random.Random(seed + 16)
    wards = _read_csv(REFERENCE / "geography" / "lsoa21_ward24_gm.csv")
    changes = _read_csv(REFERENCE / "geography" / "lsoa11_lsoa21_gm.csv")
    oas: dict[str, list[str]] = defaultdict(list)
    for r in _read_csv(REFERENCE / "geography" / "oa21_lsoa21_gm.csv.gz"):
        oas[r["lsoa21_code"]].append(r["oa21_code"])
    by_lad: dict[str, list[str]] = defaultdict(list)
    ward_of = {}
    for r in wards:
        by_lad[r["lad_code"]].append(r["lsoa21_code"])
        ward_of[r["lsoa21_code"]] = r["ward_code"]
    parents: dict[str, list[str]] = defaultdict(list)
    for r in changes:
        parents[r["lsoa21_code"]].append(r["lsoa11_code"])
    imd2019, iod2025 = _deciles("imd2019_lsoa11.csv.gz"), _deciles("iod2025_lsoa21.csv.gz")
    gm_codes = set(ward_of) | {r["lsoa11_code"] for r in changes}
    elsewhere = sorted(c for c in set(imd2019) & set(iod2025) if c not in gm_codes)

    def gm(lad: str, lsoa21: str | None = None) -> Neighbourhood:
        code = lsoa21 or rng.choice(by_lad[lad])
        return Neighbourhood(rng.choice(sorted(oas[code])), code, rng.choice(sorted(parents[code])), ward_of[code])

    def outside(code: str | None = None) -> Neighbourhood:
        code = code or rng.choice(elsewhere)
        return Neighbourhood("", code, code, None)

    postcodes = {f.postcode: f.lad for f in world.firms.values() if f.postcode and f.lad}
    postcodes.update(world.decoy_postcodes)
    placed = {pc: (gm(lad) if lad in GM_LADS else outside()) for pc, lad in sorted(postcodes.items())}

    # the planted cases, chosen by spend (deterministic given the world)
    spend_1920: dict[int, int] = defaultdict(int)
    for (_, fy, payee), amount in _net(world).items():
        if fy == "2019/20" and not isinstance(payee, str) and amount >= THRESHOLD_PENCE:
            spend_1920[payee] += amount
    ranked = sorted(spend_1920, key=lambda f: (-spend_1920[f], f))
    gm_firm = next(f for f in ranked if world.firms[f].lad in GM_LADS and world.firms[f].postcode)
    gm_lad = str(world.firms[gm_firm].lad)
    out_firm = next(f for f in ranked if world.firms[f].lad not in GM_LADS and world.firms[f].lad)
    split = sorted(
        r["lsoa21_code"]
        for r in changes
        if r["change_code"] == "S" and ward_of.get(r["lsoa21_code"]) and r["lsoa21_code"] in by_lad[gm_lad]
    )
    changed = gm(gm_lad, split[0] if split else None)
    placed[world.firms[gm_firm].postcode] = changed  # type: ignore[index]
    deprived = next(c for c in elsewhere if imd2019[c]["imd"] == 1 and iod2025[c]["imd"] == 1)
    placed[world.firms[out_firm].postcode] = outside(deprived)  # type: ignore[index]
    planted = {
        "lsoa_changed": {
            "firm_name": world.firms[gm_firm].name,
            "postcode": world.firms[gm_firm].postcode,
            "financial_year": "2019/20",
            "lsoa11_code": changed.lsoa11,
            "lsoa21_code": changed.lsoa21,
            "ward_code": changed.ward,
            "imd2019_decile_of_lsoa11": imd2019[changed.lsoa11]["imd"],
        },
        "outside_gm": {
            "firm_name": world.firms[out_firm].name,
            "postcode": world.firms[out_firm].postcode,
            "lad_code": world.firms[out_firm].lad,
            "lsoa11_code": deprived,
            "imd2019_decile": 1,
        },
    }
    return placed, planted


def neighbourhood_answers(world: World, placed: dict[str, Neighbourhood]) -> dict:
    """True deprivation shares per unit x year x domain, and in-scope spend by district and ward."""
    deciles = _deciles("imd2019_lsoa11.csv.gz")
    net = _net(world)
    units = {partner: ("partner", [partner]) for partner in ALL_PARTNER_HOME}
    units["STAR"] = ("group", list(PARTNER_HOME))
    units["GM"] = ("group", list(ALL_PARTNER_HOME))
    years = sorted({fy for (_, fy, _) in net})
    deprivation, districts, wards = [], [], []
    for unit, (unit_type, members) in units.items():
        for fy in years:
            in_scope: dict[int | str, int] = defaultdict(int)
            for (partner, year, payee), amount in net.items():
                if partner in members and year == fy and amount >= THRESHOLD_PENCE:
                    key = payee if not isinstance(payee, str) else f"redacted:{partner}"
                    in_scope[key] += amount
            total = sum(in_scope.values())
            located: dict[int | str, dict[str, int]] = {}
            by_district: dict[str, int] = defaultdict(int)
            by_ward: dict[str, int] = defaultdict(int)
            for payee, amount in in_scope.items():
                firm = world.firms[payee] if isinstance(payee, int) else None
                if firm is None or firm.lad is None or not firm.postcode:
                    by_district["unknown"] += amount
                    by_ward["unknown"] += amount
                    continue
                hood = placed[firm.postcode]
                if hood.lsoa11 in deciles:
                    located[payee] = deciles[hood.lsoa11]
                if firm.lad in GM_LADS:
                    by_district[firm.lad] += amount
                    by_ward[hood.ward or "gm_ward_unknown"] += amount
                else:
                    by_district["outside_gm"] += amount
                    by_ward["outside_gm"] += amount
            located_total = sum(in_scope[f] for f in located)
            for domain in DOMAINS:
                d1 = sum(in_scope[f] for f, d in located.items() if d[domain] == 1)
                d12 = sum(in_scope[f] for f, d in located.items() if d[domain] <= 2)
                deprivation.append(
                    {
                        "reporting_unit": unit,
                        "reporting_unit_type": unit_type,
                        "financial_year": fy,
                        "domain": domain,
                        "edition": EDITION,
                        "in_scope_spend_gbp": total / 100,
                        "located_spend_gbp": located_total / 100,
                        "decile_1_spend_gbp": d1 / 100,
                        "deciles_1_2_spend_gbp": d12 / 100,
                        "decile_1_share_pct": 100 * d1 / total,
                        "deciles_1_2_share_pct": 100 * d12 / total,
                        "decile_1_located_share_pct": 100 * d1 / located_total,
                        "deciles_1_2_located_share_pct": 100 * d12 / located_total,
                        "in_scope_suppliers": sum(1 for p in in_scope if isinstance(p, int)),
                        "located_suppliers": len(located),
                        "decile_1_suppliers": sum(1 for d in located.values() if d[domain] == 1),
                        "deciles_1_2_suppliers": sum(1 for d in located.values() if d[domain] <= 2),
                        "rule_version": DEPRIVATION_RULE_VERSION,
                    }
                )
            for code, amount in sorted(by_district.items()):
                districts.append(
                    {"reporting_unit": unit, "financial_year": fy, "area_code": code, "spend_gbp": amount / 100}
                )
            if unit in ("STAR", "GM"):
                for code, amount in sorted(by_ward.items()):
                    wards.append(
                        {"reporting_unit": unit, "financial_year": fy, "area_code": code, "spend_gbp": amount / 100}
                    )
    return {"kpi_deprivation_spend": deprivation, "spend_by_district": districts, "spend_by_ward_groups": wards}
