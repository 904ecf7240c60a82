"""Synthetic contracts, tenders and bids, social value portal exports and supply-chain returns.

Plants the STAR report's social value figures: SV weighting ~20% (contracts >= GBP 25k), SV secured
25% -> 28% of contract value (contracts >= GBP 50k) and about GBP 60M over 2019/20-2020/21, SMEs 20% /
VCSEs 11.5% of bids and 4.9% / 9% of awards (2020/21). Valued with the illustrative demo framework
shipped in config/frameworks/demo_framework.csv, read here independently of the pipeline.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ingestion.samples.world import FINANCIAL_YEARS, PARTNER_HOME, World

AS_OF = date(2021, 3, 31)
SECURED_TARGET = {2018: 0.22, 2019: 0.25, 2020: 0.28}
WEIGHTS = [10, 15, 20, 20, 25, 30]  # mean 20
# (SME share of bids, VCSE share of bids, SME awards out of 200, VCSE awards out of 200)
BIDDING = {2018: (0.17, 0.10, 8, 15), 2019: (0.18, 0.11, 9, 16), 2020: (0.20, 0.115, 10, 18)}
TENDERS_PER_PARTNER_YEAR = 50


@dataclass
class Contract:
    partner: str
    ref: str
    title: str
    firm_id: int
    award_date: date
    start_date: date
    end_date: date
    value_pence: int
    sv_weight_pct: int
    commitments: dict[str, float] = field(default_factory=dict)  # measure -> quantity
    portal_committed: dict[str, float] = field(default_factory=dict)
    deliveries: list[tuple[date, str, float, str]] = field(default_factory=list)
    supply_chain: list[tuple[int, int, date]] = field(default_factory=list)  # firm, pence, period end


@dataclass
class Bid:
    partner: str
    tender_ref: str
    title: str
    firm_id: int
    is_sme: bool
    is_vcse: bool
    is_winner: bool
    decision_date: date


def read_framework(path: Path) -> dict[tuple[str, str], float | None]:
    """(edition, measure_code) -> proxy value (None for record-only measures)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {
        (r["edition"], r["measure_code"]): (float(r["proxy_value_gbp"]) if r["proxy_value_gbp"] else None)
        for r in csv.DictReader(lines)
    }


def edition_at(d: date) -> str:
    return "2019" if d < date(2021, 4, 1) else "2021"


def _fy_date(rng: random.Random, fy: int) -> date:
    return date(fy, 4, 1) + timedelta(days=rng.randint(0, 364))


def build_contracts(world: World, rng: random.Random, framework) -> list[Contract]:
    firms = [f for f in world.firms.values() if f.kind == "company"]
    valued = ["DJ1", "DJ2", "DJ3", "DG1", "DG2", "DS1", "DS2", "DE1", "DE2"]
    contracts: list[Contract] = []
    for partner in PARTNER_HOME:
        for fy in FINANCIAL_YEARS:
            year_contracts = []
            for i in range(30):
                value = int(rng.lognormvariate(13.55, 0.9)) * 100 if i >= 4 else rng.randint(5_000, 45_000) * 100
                award = _fy_date(rng, fy)
                start = award + timedelta(days=rng.randint(7, 60))
                end = start + timedelta(days=30 * rng.choice([12, 18, 24, 36, 48]))
                year_contracts.append(
                    Contract(
                        partner=partner,
                        ref=f"STAR-{partner[:3].upper()}-{fy}-{i + 1:03d}",
                        title=f"{rng.choice(['Supply of', 'Provision of', 'Framework for'])} "
                        f"{rng.choice(['highways maintenance', 'home care', 'ICT services', 'catering', 'cleaning', 'fleet vehicles', 'construction works', 'youth services'])}",
                        firm_id=rng.choice(firms).firm_id,
                        award_date=award,
                        start_date=start,
                        end_date=end,
                        value_pence=value,
                        sv_weight_pct=WEIGHTS[i % len(WEIGHTS)],
                    )
                )
            # Commitments on contracts >= GBP 50k: in total the year's target share of their value.
            big = [c for c in year_contracts if c.value_pence >= 50_000_00]
            jitter = [rng.uniform(0.6, 1.4) for _ in big]
            scale = (
                SECURED_TARGET[fy]
                * sum(c.value_pence for c in big)
                / sum(j * c.value_pence for j, c in zip(jitter, big))
            )
            for contract, j in zip(big, jitter):
                target_gbp = contract.value_pence / 100 * j * scale
                measures = rng.sample(valued, rng.randint(2, 4))
                shares = [rng.uniform(0.5, 1.5) for _ in measures]
                edition = edition_at(contract.award_date)
                for measure, share in zip(measures, shares):
                    proxy = framework[(edition, measure)]
                    contract.commitments[measure] = round(target_gbp * share / sum(shares) / proxy, 2)
                if rng.random() < 0.2:
                    contract.commitments["DI1"] = float(rng.randint(1, 3))  # record only: no GBP
                for measure, quantity in contract.commitments.items():
                    proxy = framework[(edition, measure)]
                    if proxy is not None:
                        off = 1.03 if rng.random() < 0.08 else 1.0  # some portal figures disagree by 3%
                        contract.portal_committed[measure] = round(quantity * proxy * off, 2)
                _plant_deliveries(rng, contract)
                if rng.random() < 0.35:
                    for _ in range(rng.randint(2, 5)):
                        sub = rng.choice(list(world.firms.values()))
                        contract.supply_chain.append(
                            (
                                sub.firm_id,
                                rng.randint(2_000, 120_000) * 100,
                                min(AS_OF, contract.start_date + timedelta(days=90)),
                            )
                        )
            contracts += year_contracts
    return contracts


def _plant_deliveries(rng: random.Random, contract: Contract) -> None:
    """Quarterly returns to AS_OF: most on track, about one in eight far behind (red)."""
    behind = rng.random() < 0.12
    total_days = (contract.end_date - contract.start_date).days
    period_end = contract.start_date + timedelta(days=91)
    while period_end <= min(AS_OF, contract.end_date):
        for measure, quantity in contract.commitments.items():
            pace = rng.uniform(0.05, 0.2) if behind else rng.uniform(0.85, 1.15)
            delivered = round(quantity * 91 / total_days * pace, 2)
            status = "validated" if rng.random() < 0.93 else "pending"
            contract.deliveries.append((period_end, measure, delivered, status))
        period_end += timedelta(days=91)


def build_bids(world: World, rng: random.Random) -> list[Bid]:
    firms = list(world.firms.values())
    bids: list[Bid] = []
    for fy in FINANCIAL_YEARS:
        sme_bid_share, vcse_bid_share, sme_awards, vcse_awards = BIDDING[fy]
        year: list[list[Bid]] = []
        for partner in PARTNER_HOME:
            for t in range(TENDERS_PER_PARTNER_YEAR):
                decision = _fy_date(rng, fy)
                ref = f"T-{partner[:3].upper()}-{fy}-{t + 1:03d}"
                title = f"Tender {ref}"
                year.append(
                    [
                        Bid(partner, ref, title, rng.choice(firms).firm_id, False, False, False, decision)
                        for _ in range(rng.randint(3, 7))
                    ]
                )
        # Winners: the planted number of SME and VCSE winners, the rest large firms.
        rng.shuffle(year)
        for index, tender in enumerate(year):
            winner = tender[0]
            winner.is_winner = True
            if index < sme_awards:
                winner.is_sme = True
            elif index < sme_awards + vcse_awards:
                winner.is_vcse = True
        flat = [b for tender in year for b in tender]
        target_sme = round(sme_bid_share * len(flat)) - sum(b.is_sme for b in flat)
        target_vcse = round(vcse_bid_share * len(flat)) - sum(b.is_vcse for b in flat)
        losers = [b for b in flat if not b.is_winner]
        rng.shuffle(losers)
        for b in losers[:target_sme]:
            b.is_sme = True
        for b in losers[target_sme : target_sme + target_vcse]:
            b.is_vcse = True
        bids += flat
    return bids


def _fy_label(d: date) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _units():
    units = {p: ("partner", {p}) for p in PARTNER_HOME}
    units["STAR"] = ("group", set(PARTNER_HOME))
    units["GM"] = ("group", set(PARTNER_HOME))
    return units


def to_the_penny(quantity: float, proxy: float | None) -> float:
    """A quantity valued at its proxy, stated to the penny (half up), as the published warehouse
    values each commitment and return once before adding them up: computed in Decimal from the
    figures as written to the files, so 504443.47 x 0.25 = 126110.8675 gives 126110.87 (a float
    product, 126110.86749..., would give .86)."""
    exact = Decimal(repr(quantity)) * Decimal(repr(proxy or 0))
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def social_value_answers(contracts: list[Contract], bids: list[Bid], framework) -> dict:
    """The KPIs as the domain brief defines them, computed from the generated records."""
    weighting, secured, sme_vcse, delivery = [], [], [], []
    as_of = max(d for c in contracts for (d, _, _, _) in c.deliveries)
    years = sorted({_fy_label(c.award_date) for c in contracts})
    for unit, (unit_type, members) in _units().items():
        for fy in years:
            mine = [c for c in contracts if c.partner in members and _fy_label(c.award_date) == fy]
            over25 = [c for c in mine if c.value_pence >= 25_000_00]
            weighting.append(
                {
                    "reporting_unit": unit,
                    "reporting_unit_type": unit_type,
                    "financial_year": fy,
                    "contracts_count": len(over25),
                    "avg_sv_weighting_pct": sum(c.sv_weight_pct for c in over25) / len(over25),
                }
            )
            over50 = [c for c in mine if c.value_pence >= 50_000_00]
            value = sum(c.value_pence for c in over50) / 100
            committed = sum(
                to_the_penny(q, framework[(edition_at(c.award_date), m)])
                for c in over50
                for m, q in c.commitments.items()
            )
            secured.append(
                {
                    "reporting_unit": unit,
                    "reporting_unit_type": unit_type,
                    "financial_year": fy,
                    "contracts_count": len(over50),
                    "contract_value_gbp": value,
                    "sv_committed_gbp": committed,
                    "sv_secured_pct": 100 * committed / value,
                }
            )
            delivered = sum(
                to_the_penny(q, framework[(edition_at(c.award_date), m)])
                for c in mine
                for (_, m, q, status) in c.deliveries
                if status == "validated"
            )
            all_committed = sum(
                to_the_penny(q, framework[(edition_at(c.award_date), m)])
                for c in mine
                for m, q in c.commitments.items()
            )
            delivery.append(
                {
                    "reporting_unit": unit,
                    "financial_year": fy,
                    "committed_gbp": all_committed,
                    "delivered_gbp": delivered,
                }
            )
            year_bids = [b for b in bids if b.partner in members and _fy_label(b.decision_date) == fy]
            awards = [b for b in year_bids if b.is_winner]
            sme_vcse.append(
                {
                    "reporting_unit": unit,
                    "reporting_unit_type": unit_type,
                    "financial_year": fy,
                    "bids_count": len(year_bids),
                    "sme_bids_pct": 100 * sum(b.is_sme for b in year_bids) / len(year_bids),
                    "vcse_bids_pct": 100 * sum(b.is_vcse for b in year_bids) / len(year_bids),
                    "awards_count": len(awards),
                    "sme_awards_pct": 100 * sum(b.is_sme for b in awards) / len(awards),
                    "vcse_awards_pct": 100 * sum(b.is_vcse for b in awards) / len(awards),
                }
            )
    return {
        "kpi_sv_evaluation_weighting": weighting,
        "kpi_sv_secured": secured,
        "kpi_sme_vcse": sme_vcse,
        "sv_delivery_by_unit_year": delivery,
        "red_contracts": sorted(c.ref for c in contracts if _is_red(c, framework, as_of)),
    }


def _is_red(contract: Contract, framework, as_of: date) -> bool:
    """Delivered (validated, award edition) below half the time-profiled commitment, as of the
    newest delivery return in the data."""
    edition = edition_at(contract.award_date)
    committed = sum(q * (framework[(edition, m)] or 0) for m, q in contract.commitments.items())
    if not committed or contract.start_date > as_of:
        return False
    delivered = sum(q * (framework[(edition, m)] or 0) for (_, m, q, s) in contract.deliveries if s == "validated")
    elapsed = min(1.0, max(0.0, (as_of - contract.start_date).days / (contract.end_date - contract.start_date).days))
    return elapsed > 0 and delivered < 0.5 * elapsed * committed


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_social_value_feeds(world: World, contracts: list[Contract], bids: list[Bid], landing: Path) -> None:
    """STAR runs procurement for its four partners, so all four share STAR's export layouts."""

    def name(firm_id):
        return world.firms[firm_id].name

    for partner in PARTNER_HOME:
        mine = [c for c in contracts if c.partner == partner]
        _write(
            landing / partner / "contracts" / f"STAR_contracts_register_{partner}.csv",
            [
                "Contract Reference",
                "Contract Title",
                "Supplier",
                "Company Number",
                "Award Date",
                "Start Date",
                "End Date",
                "Total Contract Value",
                "Price %",
                "Quality %",
                "Social Value %",
            ],
            [
                [
                    c.ref,
                    c.title,
                    name(c.firm_id),
                    world.firms[c.firm_id].company_number or "",
                    c.award_date.strftime("%d/%m/%Y"),
                    c.start_date.strftime("%d/%m/%Y"),
                    c.end_date.strftime("%d/%m/%Y"),
                    f"{c.value_pence / 100:.2f}",
                    100 - 40 - c.sv_weight_pct,
                    40,
                    c.sv_weight_pct,
                ]
                for c in mine
            ],
        )
        _write(
            landing / partner / "tenders" / f"STAR_bids_{partner}.csv",
            ["Tender Reference", "Tender Title", "Bidder", "SME?", "VCSE?", "Awarded?", "Decision Date"],
            [
                [
                    b.tender_ref,
                    b.title,
                    name(b.firm_id),
                    "Yes" if b.is_sme else "No",
                    "Yes" if b.is_vcse else "No",
                    "Yes" if b.is_winner else "No",
                    b.decision_date.strftime("%d/%m/%Y"),
                ]
                for b in bids
                if b.partner == partner
            ],
        )
        _write(
            landing / partner / "sv_commitments" / f"SVP_commitments_{partner}.csv",
            ["Contract Ref", "Measure", "Committed Quantity", "Portal Value (£)"],
            [[c.ref, m, q, c.portal_committed.get(m, "")] for c in mine for m, q in c.commitments.items()],
        )
        _write(
            landing / partner / "sv_deliveries" / f"SVP_deliveries_{partner}.csv",
            ["Contract Ref", "Measure", "Period End", "Delivered Quantity", "Evidence Status"],
            [[c.ref, m, d.strftime("%d/%m/%Y"), q, s] for c in mine for (d, m, q, s) in c.deliveries],
        )
        _write(
            landing / partner / "supply_chain" / f"STAR_supply_chain_{partner}.csv",
            ["Contract Ref", "Subcontractor", "Subcontractor Postcode", "Company Number", "Amount", "Period End"],
            [
                [
                    c.ref,
                    name(f),
                    world.firms[f].postcode or "",
                    world.firms[f].company_number or "",
                    f"{p / 100:.2f}",
                    d.strftime("%d/%m/%Y"),
                ]
                for c in mine
                for (f, p, d) in c.supply_chain
            ],
        )
