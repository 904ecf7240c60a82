"""The true local-spend figures of a generated world, computed from its payments.

Deliberately independent of the pipeline: no SQL, no shared helpers, just the definition in
../shared/docs/social-value-domain.md applied to the generator's own records (true supplier
locations, true redaction), so a pipeline bug cannot hide by being repeated here.
"""

from __future__ import annotations

from collections import defaultdict

from ingestion.samples.world import ALL_PARTNER_HOME, GM_LADS, PARTNER_HOME, THRESHOLD_PENCE, World

RULE_VERSION = "local-spend-v3"  # the rule these answers assume: supplier-year net >= GBP 25,000


def _fy(d) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def local_spend_answers(world: World) -> list[dict]:
    net: dict[tuple[str, str, int | str], int] = defaultdict(int)
    for p in world.payments:
        payee = p.firm_id if p.firm_id is not None else "redacted"
        net[(p.partner, _fy(p.payment_date), payee)] += p.amount_pence

    units = {partner: ("partner", [partner], {lad}) for partner, lad in ALL_PARTNER_HOME.items()}
    units["STAR"] = ("group", list(PARTNER_HOME), set(PARTNER_HOME.values()))
    units["GM"] = ("group", list(ALL_PARTNER_HOME), set(GM_LADS))

    rows = []
    years = sorted({fy for (_, fy, _) in net})
    for unit, (unit_type, members, home_lads) in units.items():
        for fy in years:
            totals: defaultdict[str, int] = defaultdict(int)
            for (partner, year, payee), amount in net.items():
                if partner not in members or year != fy or amount < THRESHOLD_PENCE:
                    continue
                lad = None if isinstance(payee, str) else world.firms[payee].lad  # str payee: "redacted"
                totals["in_scope"] += amount
                if lad is None:
                    totals["unknown"] += amount
                else:
                    totals["home"] += amount if lad in home_lads else 0
                    totals["gm"] += amount if lad in GM_LADS else 0
            rows.append(
                {
                    "reporting_unit": unit,
                    "reporting_unit_type": unit_type,
                    "financial_year": fy,
                    "in_scope_spend_gbp": totals["in_scope"] / 100,
                    "home_spend_gbp": totals["home"] / 100,
                    "gm_spend_gbp": totals["gm"] / 100,
                    "unknown_location_spend_gbp": totals["unknown"] / 100,
                    "home_share_pct": 100 * totals["home"] / totals["in_scope"],
                    "gm_share_pct": 100 * totals["gm"] / totals["in_scope"],
                    "threshold_gbp": THRESHOLD_PENCE / 100,
                    "rule_version": RULE_VERSION,
                }
            )
    return rows
