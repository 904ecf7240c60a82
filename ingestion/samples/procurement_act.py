"""Sample feeds for issue 17: invoice-level payment records, regulation 113 summaries, SVMi scores and
the local re-spend survey, with their true figures (docs/payment-performance-svmi-lm3.md).

Uses its own random stream (seed + 171), and only reads what the other generators already wrote or
built (the partners' supplier lists, the contracts and their supply-chain returns, the payments), so
every existing sample file and answer stays exactly as it was. The answers are computed here from
the generated rows, in plain Python, independently of the pipeline.
"""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from ingestion.samples.social_value import Bid, Contract
from ingestion.samples.world import PARTNER_HOME, THRESHOLD_PENCE, World

PROMPT_DAYS = 30
PAYMENT_YEARS = (2019, 2020)
# Planted: the share of undisputed invoices paid within 30 days, for all suppliers and for VCSEs
# (registered charities, which pay their staff and volunteers from thin reserves).
PROMPT_SHARE = {2019: 0.88, 2020: 0.92}
VCSE_PROMPT_SHARE = {2019: 0.80, 2020: 0.85}
INVOICES_PER_YEAR = 400
# Stockport's own published summary differs from its invoice records by this much (it counts
# invoices differently): the comparison must show it.
SUMMARY_PCT_OFFSET = 1.5
SUMMARY_DAYS_OFFSET = -2.0
ROCHDALE_SUMMARY = {2019: (91.2, 4810, 17.4, 1250.00, 38200.00), 2020: (93.6, 4655, 15.9, 0.00, 29100.00)}
SVMI_DIMENSIONS = (
    "leadership_and_governance",
    "policy_and_strategy",
    "commissioning_and_procurement",
    "contract_management",
    "measurement_and_reporting",
    "partnership_and_community",
)
SVMI_PARTNERS = ("stockport", "trafford")
SURVEY_SHARE = 0.6  # of stockport's contracts with returns, those whose supplier ran a re-spend survey


def _fy(d: date) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _label(fy: int) -> str:
    return f"{fy}/{(fy + 1) % 100:02d}"


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _stem(name: str) -> str:
    return re.sub(r"\s+(ltd|limited|llp|plc)$", "", name.strip().lower())


def _declared_flags(bids: list[Bid]) -> dict[int, tuple[bool, bool]]:
    """Each bidder's SME and VCSE status as its bids declare it, for firms whose bids all agree (a
    firm that declared differently on different bids is left out of the invoice sample, so the
    answer does not depend on which declaration the pipeline's trust order picks)."""
    seen: dict[int, set[tuple[bool, bool]]] = defaultdict(set)
    for bid in bids:
        seen[bid.firm_id].add((bid.is_sme, bid.is_vcse))
    return {firm: next(iter(flags)) for firm, flags in seen.items() if len(flags) == 1}


def _invoice_suppliers(world: World, landing: Path, bids: list[Bid]) -> list[tuple[dict, bool | None, bool]]:
    """(supplier-list row, is_sme, is_vcse) for Stockport's suppliers whose status is unambiguous:
    VCSE = a registered charity (registration evidence) or a consistent VCSE declaration; SME = a
    consistent declaration (None where the firm never bid: not known)."""
    by_number = {f.company_number: f for f in world.firms.values() if f.company_number}
    by_number.update({f.charity_number: f for f in world.firms.values() if f.charity_number})
    declared = _declared_flags(bids)
    bidders = {b.firm_id for b in bids}
    # Firms that share a name but for the legal form ('Tame Highways LLP', '... Limited', '... plc')
    # are distinct firms here, which supplier resolution may join on the name: left out, so a
    # segment's answer never depends on that.
    stems: defaultdict[str, int] = defaultdict(int)
    for f in world.firms.values():
        stems[_stem(f.name)] += 1
    out = []
    for row in _read(landing / "stockport" / "suppliers" / "stockport_suppliers.csv"):
        firm = by_number.get(row["Charity No"].strip()) or by_number.get(row["Company Reg No"].strip())
        if firm is None or (firm.firm_id in bidders and firm.firm_id not in declared) or stems[_stem(firm.name)] > 1:
            continue
        sme: bool | None = declared[firm.firm_id][0] if firm.firm_id in declared else None
        vcse = firm.firm_id in declared and declared[firm.firm_id][1]
        out.append((row, sme, firm.kind == "charity" or vcse))
    return out


def _segments(is_sme: bool | None, is_vcse: bool) -> tuple[str, ...]:
    named = ("sme",) * bool(is_sme) + ("vcse",) * is_vcse
    return ("all", *named) if named else ("all", "neither_or_unknown")


def _invoices(world: World, landing: Path, bids: list[Bid], rng: random.Random) -> tuple[list[list], dict]:
    suppliers = _invoice_suppliers(world, landing, bids)
    charities = [s for s in suppliers if s[2]]
    others = [s for s in suppliers if not s[2]]
    rows: list[list] = []
    truth: dict[str, dict] = {}
    number = 0
    for fy in PAYMENT_YEARS:
        tallies: dict[str, list] = defaultdict(list)
        interest: dict[str, int] = defaultdict(int)
        for i in range(INVOICES_PER_YEAR):
            is_vcse = i % 8 == 0  # one invoice in eight is a VCSE's
            supplier, sme, vcse = rng.choice(charities if is_vcse else others)
            share = VCSE_PROMPT_SHARE[fy] if is_vcse else PROMPT_SHARE[fy]
            prompt = rng.random() < share
            days = rng.randint(3, PROMPT_DAYS) if prompt else rng.randint(PROMPT_DAYS + 1, 95)
            paid = date(fy, 4, 1) + timedelta(days=rng.randint(0, 364))
            received = paid - timedelta(days=days)
            amount = rng.randint(150_00, 40_000_00)
            disputed = rng.random() < 0.03
            late_interest = (
                round(amount * 0.085 * (days - PROMPT_DAYS) / 365) if not prompt and rng.random() < 0.3 else 0
            )
            number += 1
            rows.append(
                [
                    f"INV{number:06d}",
                    supplier["Supplier ID"],
                    supplier["Supplier Name"],
                    received.strftime("%d/%m/%Y"),
                    paid.strftime("%d/%m/%Y"),
                    f"{amount / 100:.2f}",
                    "Yes" if disputed else "No",
                    f"{late_interest / 100:.2f}" if late_interest else "",
                ]
            )
            if disputed:
                continue  # reg. 113 counts valid, undisputed invoices
            for segment in _segments(sme, vcse):
                tallies[segment].append(days)
                interest[segment] += late_interest
        truth[_label(fy)] = {
            segment: {
                "invoices_paid": len(days_list),
                "pct_paid_within_30_days": round(100 * sum(d <= PROMPT_DAYS for d in days_list) / len(days_list), 2),
                "avg_days_to_pay": round(sum(days_list) / len(days_list), 2),
                "interest_paid_gbp": interest[segment] / 100,
            }
            for segment, days_list in sorted(tallies.items())
        }
    return rows, truth


def _svmi(rng: random.Random) -> dict[str, list[list]]:
    files: dict[str, list[list]] = {}
    for partner in SVMI_PARTNERS:
        rows = []
        levels = {d: rng.choice([1.0, 1.5, 2.0, 2.5]) for d in SVMI_DIMENSIONS}
        for fy in (2018, 2019, 2020):
            for dimension in SVMI_DIMENSIONS:
                if fy > 2018:
                    levels[dimension] = min(5.0, levels[dimension] + rng.choice([0.0, 0.5, 0.5, 1.0]))
                rows.append(
                    [
                        _label(fy),
                        dimension.replace("_", " ").capitalize(),
                        f"{levels[dimension]:.1f}",
                        date(fy + 1, 3, 15).strftime("%d/%m/%Y"),
                        "Social value lead",
                    ]
                )
        files[partner] = rows
    return files


def _lm3(
    world: World, contracts: list[Contract], rng: random.Random
) -> tuple[list[list], dict[str, dict[str, float | int]]]:
    """Stockport's survey returns, and the true LM3 per financial year (partner stockport)."""
    partner, home = "stockport", PARTNER_HOME["stockport"]
    net: dict[tuple[str, int | str], int] = defaultdict(int)
    for p in world.payments:
        if p.partner == partner:  # redacted payees pooled, as the local-spend rule pools them
            net[(_fy(p.payment_date), p.firm_id if p.firm_id is not None else "redacted")] += p.amount_pence
    in_scope = {key: amount for key, amount in net.items() if amount >= THRESHOLD_PENCE}
    by_year: dict[str, dict] = defaultdict(lambda: {"suppliers": set(), "r2_chain": 0, "r2_staff": 0, "r3": 0.0})
    survey: list[list] = []
    for contract in (c for c in contracts if c.partner == partner and c.supply_chain):
        lines_by_year: dict[str, list] = defaultdict(list)
        for firm_id, pence, period_end in contract.supply_chain:
            lines_by_year[_fy(period_end)].append((firm_id, pence))
        for fy, lines in sorted(lines_by_year.items()):
            year = by_year[fy]
            year["suppliers"].add(contract.firm_id)
            local = sum(p for f, p in lines if world.firms[f].lad == home and world.firms[f].postcode)
            year["r2_chain"] += local
            if rng.random() < SURVEY_SHARE:
                staff_pay = rng.randint(20_000, 400_000) * 100
                staff_pct = rng.choice([35.0, 40.0, 45.0, 50.0, 55.0])
                supplier_pct = rng.choice([20.0, 25.0, 30.0])
                survey.append([contract.ref, fy, rng.randint(5, 60), f"{staff_pay / 100:.2f}", staff_pct, supplier_pct])
                year["r2_staff"] += staff_pay
                year["r3"] += staff_pay * staff_pct / 100 + local * supplier_pct / 100
    truth = {}
    for fy, year in sorted(by_year.items()):
        all_in_scope = sum(a for (y, _), a in in_scope.items() if y == fy)
        r1 = sum(a for (y, f), a in in_scope.items() if y == fy and f in year["suppliers"])
        r2 = year["r2_chain"] + year["r2_staff"]
        truth[fy] = {
            "round1_gbp": r1 / 100,
            "round2_gbp": r2 / 100,
            "round3_gbp": round(year["r3"] / 100, 2),
            "lm3": round((r1 + r2 + year["r3"]) / r1, 3) if r1 else None,
            "coverage_pct": round(100 * r1 / all_in_scope, 2) if all_in_scope else None,
        }
    return survey, truth


def write_procurement_act_feeds(
    world: World, contracts: list[Contract], bids: list[Bid], landing: Path, seed: int
) -> dict:
    """Write the issue-17 sample feeds under landing/ and return their true figures."""
    rng = random.Random(seed + 171)
    invoices, invoice_truth = _invoices(world, landing, bids, rng)
    _write(
        landing / "stockport" / "invoices" / "STAR_invoices_stockport.csv",
        [
            "Invoice Number",
            "Supplier ID",
            "Supplier",
            "Date Received",
            "Date Paid",
            "Invoice Amount",
            "Disputed?",
            "Late Payment Interest",
        ],
        invoices,
    )
    summary_header = [
        "Financial Year",
        "% Paid Within 30 Days",
        "Invoices Paid",
        "Invoices Paid Late",
        "Average Days to Pay",
        "Interest Paid",
        "Interest Liable",
    ]
    stockport_summary = {}
    rows = []
    for fy, segments in invoice_truth.items():
        figures = segments["all"]
        pct = round(figures["pct_paid_within_30_days"] + SUMMARY_PCT_OFFSET, 2)
        days = round(figures["avg_days_to_pay"] + SUMMARY_DAYS_OFFSET, 2)
        paid = figures["invoices_paid"]
        late = paid - round(paid * pct / 100)
        stockport_summary[fy] = {"pct_paid_within_30_days": pct, "avg_days_to_pay": days}
        rows.append(
            [fy, f"{pct:.2f}%", paid, late, f"{days:.2f}", f"£{figures['interest_paid_gbp']:,.2f}", "£12,400.00"]
        )
    _write(
        landing / "stockport" / "payment_summary" / "STAR_reg113_payment_performance_stockport.csv",
        summary_header,
        rows,
    )
    _write(
        landing / "rochdale" / "payment_summary" / "STAR_reg113_payment_performance_rochdale.csv",
        summary_header,
        [
            [_label(fy), f"{pct}%", n, n - round(n * pct / 100), days, f"£{paid:,.2f}", f"£{liable:,.2f}"]
            for fy, (pct, n, days, paid, liable) in ROCHDALE_SUMMARY.items()
        ],
    )
    svmi = _svmi(rng)
    svmi_truth = {}
    for partner, svmi_rows in svmi.items():
        _write(
            landing / partner / "svmi" / f"STAR_svmi_{partner}.csv",
            ["Year", "Dimension", "Score", "Assessed On", "Assessed By"],
            svmi_rows,
        )
        per_year: dict[str, list[float]] = defaultdict(list)
        for r in svmi_rows:
            per_year[r[0]].append(float(r[2]))
        svmi_truth[partner] = {fy: round(sum(s) / len(s), 2) for fy, s in per_year.items()}
    survey, lm3_truth = _lm3(world, contracts, rng)
    _write(
        landing / "stockport" / "lm3_survey" / "STAR_respend_survey_stockport.csv",
        [
            "Contract Ref",
            "Financial Year",
            "Respondents",
            "Pay to Local Staff",
            "Staff Local Re-spend %",
            "Local Sub-contractor Re-spend %",
        ],
        survey,
    )
    return {
        "note": "Issue 17 feeds (ingestion/samples/procurement_act.py): stockport invoices and summary, "
        "rochdale summary, SVMi for stockport and trafford, stockport re-spend survey.",
        "payment_performance": {
            "stockport": {"invoice_level": invoice_truth, "reg113_summary": stockport_summary},
            "rochdale": {
                "reg113_summary": {
                    _label(fy): {"pct_paid_within_30_days": pct, "avg_days_to_pay": days}
                    for fy, (pct, _, days, _, _) in ROCHDALE_SUMMARY.items()
                }
            },
            "summary_minus_invoice_level_pct_points": SUMMARY_PCT_OFFSET,
            "summary_minus_invoice_level_days": SUMMARY_DAYS_OFFSET,
        },
        "svmi_overall": svmi_truth,
        "local_multiplier": {"stockport": lm3_truth},
    }
