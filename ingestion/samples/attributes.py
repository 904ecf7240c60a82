"""Dated supplier facts for the sample (the supplier_attributes feed), and the true shares they give.

Planted (each on a firm the STAR partners pay in scope, picked by its own random stream, so no other
sample file changes):
  * mid_year     Real Living Wage from 15 Oct 2019: only 2019/20 spend on or after that day counts
  * lapses       GM Good Employment Charter member from June 2017 (a month: counts from 30 Jun 2017
                 under the conservative rule) to 31 Dec 2019: nothing after that day counts
  * unconfirmed  Real Living Wage, confirmed: No: never in the share, reported beside it
  * by_name      GEC supporter from July 2020 (counts from 31 Jul 2020), no company number and the
                 name written in capitals with 'LIMITED': matched by the resolution's name key
  * charity      Carbon Reduction Plan from 1 Apr 2019, matched by charity number
  * future       Real Living Wage from 1 Mar 2022: adds nothing to 2018/19-2020/21
  * unmatched    an organisation nobody pays: loaded, reported as unmatched, counts nowhere

The answers are computed here from the generator's own payments and contracts (plain Python: the
firm each payment went to, the true dates each fact counts on), never through pipeline code.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingestion.resolution.names import name_key
from ingestion.samples.social_value import Contract
from ingestion.samples.world import ALL_PARTNER_HOME, PARTNER_HOME, THRESHOLD_PENCE, World

SCHEMES = (
    "gm_good_employment_charter_member",
    "gm_good_employment_charter_supporter",
    "real_living_wage_employer",
    "carbon_reduction_plan",
)
RULE_VERSION = "supplier-attributes-v1"  # conservative partial dates; unconfirmed reported separately
FILE_NAME = "gm_supplier_attributes.csv"
HEADER = [
    "Organisation",
    "Company Number",
    "Charity Number",
    "Scheme",
    "Status",
    "Valid From",
    "Valid To",
    "Evidence URL",
    "Evidence",
    "Source",
    "Confirmed",
]


@dataclass
class Fact:
    plant: str
    firm_id: int | None
    organisation: str
    company_number: str | None
    charity_number: str | None
    scheme_cell: str
    status_cell: str
    valid_from_cell: str
    valid_to_cell: str
    confirmed_cell: str
    scheme: str  # the scheme code it should be read as
    counts_from: date  # the true first and last day it counts (conservative rule)
    counts_to: date | None
    confirmed: bool


def _fy(d: date) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _in_scope_firms(world: World) -> dict[int, set[tuple[str, str]]]:
    """firm -> the (partner, year) pairs in which its net spend is in scope."""
    net: dict[tuple[str, str, int], int] = defaultdict(int)
    for p in world.payments:
        if p.firm_id is not None:
            net[(p.partner, _fy(p.payment_date), p.firm_id)] += p.amount_pence
    scope: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for (partner, fy, firm), amount in net.items():
        if amount >= THRESHOLD_PENCE:
            scope[firm].add((partner, fy))
    return scope


def build_facts(world: World, contracts: list[Contract], rng: random.Random) -> list[Fact]:
    scope = _in_scope_firms(world)
    keys: dict[str | None, int] = defaultdict(int)
    for firm in world.firms.values():
        keys[name_key(firm.name)] += 1
    with_contract = {c.firm_id for c in contracts}

    def star_years(firm_id: int) -> set[str]:
        return {fy for (p, fy) in scope.get(firm_id, set()) if p in PARTNER_HOME}

    every_year = {"2018/19", "2019/20", "2020/21"}
    companies = sorted(
        f.firm_id
        for f in world.firms.values()
        if f.kind == "company" and keys[name_key(f.name)] == 1 and star_years(f.firm_id) >= every_year
    )
    contracted = [f for f in companies if f in with_contract]
    rng.shuffle(contracted)
    rest = [f for f in companies if f not in contracted[:4]]
    rng.shuffle(rest)
    charities = sorted(
        f.firm_id
        for f in world.firms.values()
        if f.kind == "charity" and keys[name_key(f.name)] == 1 and {"2019/20", "2020/21"} <= star_years(f.firm_id)
    )
    mid_year, lapses, unconfirmed, by_name = contracted[:4]
    future = rest[0]
    charity = rng.choice(charities)
    firms = world.firms

    def fact(plant, firm_id, scheme_cell, status, scheme, start, end, counts_from, counts_to, confirmed="Yes", **kw):
        firm = firms[firm_id] if firm_id is not None else None
        return Fact(
            plant=plant,
            firm_id=firm_id,
            organisation=kw.get("organisation") or (firm.name if firm else ""),
            company_number=kw.get("company_number", firm.company_number if firm else None),
            charity_number=kw.get("charity_number", firm.charity_number if firm else None),
            scheme_cell=scheme_cell,
            status_cell=status,
            valid_from_cell=start,
            valid_to_cell=end,
            confirmed_cell=confirmed,
            scheme=scheme,
            counts_from=counts_from,
            counts_to=counts_to,
            confirmed=confirmed != "No",
        )

    gec, rlw, crp = "GM Good Employment Charter", "Real Living Wage", "Carbon Reduction Plan"
    shouted = firms[by_name].name.upper().replace(" LTD", " LIMITED")
    return [
        fact("mid_year", mid_year, rlw, "Accredited Employer", "real_living_wage_employer", "2019-10-15", "",
             date(2019, 10, 15), None),
        fact("lapses", lapses, gec, "Member", "gm_good_employment_charter_member", "2017-06", "2019-12-31",
             date(2017, 6, 30), date(2019, 12, 31)),
        fact("unconfirmed", unconfirmed, rlw, "Accredited Employer", "real_living_wage_employer", "2018-01-01", "",
             date(2018, 1, 1), None, confirmed="No"),
        fact("by_name", by_name, gec, "Supporter", "gm_good_employment_charter_supporter", "2020-07", "",
             date(2020, 7, 31), None, organisation=shouted, company_number=None),
        fact("charity", charity, crp, "Published", "carbon_reduction_plan", "2019-04-01", "",
             date(2019, 4, 1), None, company_number=None),
        fact("future", future, rlw, "Accredited Employer", "real_living_wage_employer", "2022-03-01", "",
             date(2022, 3, 1), None),
        fact("unmatched", None, gec, "Member", "gm_good_employment_charter_member", "2019-01-01", "",
             date(2019, 1, 1), None, organisation="Nowhere Widgets and Sprockets Ltd", company_number="99999901",
             charity_number=None),
    ]  # fmt: skip


def write_facts(facts: list[Fact], landing: Path) -> Path:
    path = landing / "gm_shared" / "supplier_attributes" / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for f in facts:
            writer.writerow(
                [
                    f.organisation,
                    f.company_number or "",
                    f.charity_number or "",
                    f.scheme_cell,
                    f.status_cell,
                    f.valid_from_cell,
                    f.valid_to_cell,
                    f"https://example.org/sample-evidence/{f.plant}",
                    f"sample fact ({f.plant})",
                    "sample generator",
                    f.confirmed_cell,
                ]
            )
    return path


def _holds(fact: Fact, d: date) -> bool:
    return fact.counts_from <= d and (fact.counts_to is None or d <= fact.counts_to)


def attribute_answers(world: World, contracts: list[Contract], facts: list[Fact]) -> dict:
    """Per unit, year and scheme: in-scope spend, the £ paid while a confirmed fact held, the £ paid
    while only an unconfirmed one did, and the same for contract value awarded."""
    in_scope = {(p, fy, firm) for firm, pairs in _in_scope_firms(world).items() for (p, fy) in pairs}
    units = {partner: ("partner", {partner}) for partner in ALL_PARTNER_HOME}
    units["STAR"] = ("group", set(PARTNER_HOME))
    units["GM"] = ("group", set(ALL_PARTNER_HOME))
    by_firm: dict[int, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.firm_id is not None:
            by_firm[f.firm_id].append(f)

    def status(firm_id: int | None, scheme: str, d: date) -> str | None:
        held = [f for f in by_firm.get(firm_id, []) if f.scheme == scheme and _holds(f, d)] if firm_id else []
        if any(f.confirmed for f in held):
            return "confirmed"
        return "unconfirmed" if held else None

    totals: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in world.payments:
        fy = _fy(p.payment_date)
        if p.firm_id is None:
            # redacted payees: in scope when the partner's pooled payments reach the threshold
            continue
        if (p.partner, fy, p.firm_id) not in in_scope:
            continue
        for unit, (_, members) in units.items():
            if p.partner not in members:
                continue
            for scheme in SCHEMES:
                t = totals[(unit, fy, scheme)]
                t["in_scope"] += p.amount_pence
                held = status(p.firm_id, scheme, p.payment_date)
                if held:
                    t[held] += p.amount_pence
    for c in contracts:
        fy = _fy(c.award_date)
        for unit, (_, members) in units.items():
            if c.partner not in members:
                continue
            for scheme in SCHEMES:
                t = totals[(unit, fy, scheme)]
                t["contract_value"] += c.value_pence
                held = status(c.firm_id, scheme, c.award_date)
                if held:
                    t[f"contract_{held}"] += c.value_pence
    # the mid-year accreditation, alone: its firm's in-scope STAR spend in that year either side of the day
    mid = next(f for f in facts if f.plant == "mid_year")
    split = {"before": 0, "on_or_after": 0}
    for p in world.payments:
        if p.firm_id == mid.firm_id and p.partner in PARTNER_HOME and _fy(p.payment_date) == _fy(mid.counts_from):
            if (p.partner, _fy(p.payment_date), p.firm_id) in in_scope:
                split["before" if p.payment_date < mid.counts_from else "on_or_after"] += p.amount_pence
    rows = []
    for (unit, fy, scheme), t in sorted(totals.items()):
        rows.append(
            {
                "reporting_unit": unit,
                "reporting_unit_type": units[unit][0],
                "financial_year": fy,
                "scheme_code": scheme,
                "holding_spend_gbp": t["confirmed"] / 100,
                "unconfirmed_spend_gbp": t["unconfirmed"] / 100,
                "contract_value_gbp": t["contract_value"] / 100,
                "holding_contract_value_gbp": t["contract_confirmed"] / 100,
                "unconfirmed_contract_value_gbp": t["contract_unconfirmed"] / 100,
                "rule_version": RULE_VERSION,
            }
        )
    return {
        "note": "In-scope spend excluding redacted payees (no fact can name them), so compare the £ held, not shares.",
        "facts": [
            {
                "plant": f.plant,
                "organisation": f.organisation,
                "firm_id": f.firm_id,
                "scheme_code": f.scheme,
                "counts_from": f.counts_from.isoformat(),
                "counts_to": f.counts_to.isoformat() if f.counts_to else None,
                "confirmed": f.confirmed,
                "matched": f.firm_id is not None,
            }
            for f in facts
        ],
        "mid_year_star_spend_gbp": {
            "financial_year": _fy(mid.counts_from),
            "before": split["before"] / 100,
            "on_or_after": split["on_or_after"] / 100,
        },
        "kpi_supplier_attributes": rows,
    }
