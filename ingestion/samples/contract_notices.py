"""Synthetic Procurement Act 2023 notices for the STAR partners' sample contracts (OCDS + UK extension).

No real Procurement Act notices could be collected for this project, so these are fixtures: every
field follows the OCDS 1.1 release schema with the metrics extension and the UK extension, and
tests/unit/test_procurement_act.py validates each release against that schema. They are dated
inside the sample's years (2018-2021), before the Act came into force: they exist to exercise the
reader and the marts, not to describe real contracts.

Planted truths (answers.json "contract_performance"), computed here in plain Python, independently
of the pipeline: each rated contract's latest UK9 rating (the worst of its KPIs in its latest
period), its social value delivery RAG (the rule of config/rules.yml social_value, recomputed from
the generated returns) and whether the two disagree (rules.yml contract_performance). Also planted:
a release with no ocid, a rating outside the UK code list, KPIs on a contract the register does not
hold, and another buyer's notices, each of which the pipeline must set aside or report.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from ingestion.samples.social_value import Contract, edition_at
from ingestion.samples.world import PARTNER_HOME, World

# Synthetic buyer identifiers in the Procurement Act's scheme (GB-PPON); config/partners.yml names each
# partner's as its `buyer_ids`. OTHER_BUYER is a neighbour whose notices share the partners' download.
BUYER_IDS = {p: ("GB-PPON", f"P{p[:3].upper()}-0001-SYN") for p in PARTNER_HOME}
BUYER_NAMES = {p: f"{p.title()} Council" for p in PARTNER_HOME}
OTHER_BUYER = ("GB-PPON", "PMAN-0001-SYN", "Manchester City Council")
RATING_WORDS = {
    "met": "Good",
    "slightlyBelow": "Approaching target",
    "below": "Requires improvement",
    "significantlyBelow": "Inadequate",
    "other": "Other",
}
WORST_FIRST = ["significantlyBelow", "below", "slightlyBelow", "met"]  # "other" ranks below none
KPI_TITLES = [
    "Response within agreed time",
    "Customer satisfaction",
    "Local people employed on the contract",
    "Invoices accurate first time",
]
# The disagreement rule as config/rules.yml contract_performance states it (contract-performance-v1).
FAVOURABLE = {"met"}
UNFAVOURABLE = {"below", "significantlyBelow"}
RED_RATIO, AMBER_RATIO = 0.5, 0.9  # rules.yml social_value delivery ratios


def _iso(d: date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def sv_rag(contract: Contract, framework, as_of: date) -> tuple[str, float]:
    """The delivery RAG of kpi_sv_delivery, recomputed: (status, delivered / profiled commitment)."""
    edition = edition_at(contract.award_date)
    committed = sum(q * (framework[(edition, m)] or 0) for m, q in contract.commitments.items())
    delivered = sum(q * (framework[(edition, m)] or 0) for (_, m, q, s) in contract.deliveries if s == "validated")
    term = (contract.end_date - contract.start_date).days
    elapsed = min(1.0, max(0.0, (as_of - contract.start_date).days / term)) if term else 0.0
    if not committed or not elapsed:
        return "not_started", 0.0
    ratio = delivered / (elapsed * committed)
    return ("red" if ratio < RED_RATIO else "amber" if ratio < AMBER_RATIO else "green"), ratio


def disagrees(rating: str, rag: str) -> bool | None:
    if rag not in ("red", "amber", "green"):
        return None
    return (rating in FAVOURABLE and rag == "red") or (rating in UNFAVOURABLE and rag == "green")


def _worst(ratings: list[str]) -> str:
    ranked = [r for r in WORST_FIRST if r in ratings]
    return ranked[0] if ranked else "other"


def _party(scheme_id: tuple[str, str], name: str, roles: list[str], **extra) -> dict:
    scheme, ident = scheme_id
    return {
        "id": f"{scheme}-{ident}",
        "name": name,
        "identifier": {"scheme": scheme, "id": ident},
        "roles": roles,
        **extra,
    }


def _document(doc_id: str, kind: str, notice: str, when: date) -> dict:
    return {"id": doc_id, "documentType": kind, "noticeType": notice, "datePublished": _iso(when)}


class _Process:
    """The releases of one contracting process, as Find a Tender would publish them notice by notice."""

    def __init__(self, ocid: str, buyer: tuple[str, str], buyer_name: str):
        self.ocid = ocid
        self.buyer_party = _party(buyer, buyer_name, ["buyer"])
        self.releases: list[dict] = []

    def release(self, when: date, tag: list[str], notice: str, **body) -> dict:
        release = {
            "ocid": self.ocid,
            "id": f"{self.ocid}-{notice}-{len(self.releases) + 1}",
            "date": _iso(when),
            "tag": tag,
            "initiationType": "tender",
            "language": "en",
            "buyer": {"id": self.buyer_party["id"], "name": self.buyer_party["name"]},
            **body,
        }
        self.releases.append(release)
        return release


def _award_notice(p: _Process, c: Contract, supplier: dict) -> None:
    p.release(
        c.award_date,
        ["award"],
        "UK6",
        parties=[p.buyer_party, supplier],
        tender={"id": c.ref, "title": c.title, "status": "complete"},
        awards=[
            {
                "id": f"{c.ref}-A1",
                "title": c.title,
                "status": "active",
                "date": _iso(c.award_date),
                "value": {"amount": c.value_pence / 100, "currency": "GBP"},
                "suppliers": [{"id": supplier["id"], "name": supplier["name"]}],
                "documents": [_document(f"{c.ref}-UK6", "awardNotice", "UK6", c.award_date)],
            }
        ],
    )


def _details_notice(p: _Process, c: Contract, kpis: list[tuple[str, str]]) -> None:
    contract: dict = {
        "id": c.ref,
        "awardID": f"{c.ref}-A1",
        "title": c.title,
        "status": "active",
        "period": {"startDate": _iso(c.start_date), "endDate": _iso(c.end_date)},
        "value": {"amount": c.value_pence / 100, "currency": "GBP"},
        "dateSigned": _iso(c.start_date - timedelta(days=3)),
        "documents": [_document(f"{c.ref}-UK7", "contractSigned", "UK7", c.start_date)],
    }
    if kpis:
        contract["agreedMetrics"] = [
            {"id": kpi_id, "title": title, "observations": [{"id": f"{kpi_id}-target", "measure": "95% of cases"}]}
            for kpi_id, title in kpis
        ]
    else:
        contract["noAgreedMetricsRationale"] = "Below the value at which KPIs are set (sample fixture)."
    p.release(c.start_date, ["contract"], "UK7", contracts=[contract])


def _performance_notice(p: _Process, c: Contract, period_end: date, ratings: dict[str, str], n: int) -> None:
    period_start = period_end - timedelta(days=182)
    p.release(
        period_end + timedelta(days=14),
        ["implementation"],
        "UK9",
        contracts=[
            {
                "id": c.ref,
                "awardID": f"{c.ref}-A1",
                "implementation": {
                    "metrics": [
                        {
                            "id": kpi_id,
                            "observations": [
                                {
                                    "id": f"{kpi_id}-obs{n}",
                                    "period": {"startDate": _iso(period_start), "endDate": _iso(period_end)},
                                    "measureClassification": {
                                        "id": rating,
                                        "description": RATING_WORDS.get(rating, rating),
                                    },
                                }
                            ],
                        }
                        for kpi_id, rating in ratings.items()
                    ],
                    "documents": [
                        _document(f"{c.ref}-UK9-{n}", "implementationNotice", "UK9", period_end + timedelta(days=14))
                    ],
                },
            }
        ],
    )


RATING_PERIOD_ENDS = (date(2020, 3, 31), date(2020, 9, 30), date(2021, 3, 31))


def build_notices(
    world: World, contracts: list[Contract], framework, rng: random.Random
) -> tuple[dict[str, list[dict]], dict]:
    """Per partner, the releases of its download (its own notices and a neighbour's), and the answers."""
    as_of = max(d for c in contracts for (d, _, _, _) in c.deliveries)
    files: dict[str, list[dict]] = {}
    planted: list[dict] = []
    unknown: list[dict] = []
    quarantined = {"no_ocid_rows": 0, "rating_not_in_codelist_rows": 0}
    other_buyer_rows: dict[str, int] = {}
    for partner in PARTNER_HOME:
        releases: list[dict] = []
        scored = []
        for c in contracts:
            if c.partner != partner or not c.commitments or c.start_date > RATING_PERIOD_ENDS[0]:
                continue
            rag, ratio = sv_rag(c, framework, as_of)
            # keep clear of the thresholds, so float rounding cannot move a contract across one
            if min(abs(ratio - RED_RATIO), abs(ratio - AMBER_RATIO)) > 0.02:
                scored.append((c, rag))
        reds = [c for c, rag in scored if rag == "red"][:2]
        greens = [c for c, rag in scored if rag == "green"][:3]
        ambers = [c for c, rag in scored if rag == "amber"][:1]
        # the latest overall rating planted on each: disagreeing (met on red, below on green) and agreeing
        latest = {}
        if reds:
            latest[reds[0].ref] = "met"
        if len(reds) > 1:
            latest[reds[1].ref] = "significantlyBelow"
        for i, c in enumerate(greens):
            latest[c.ref] = "below" if i == 0 else "met"
        for c in ambers:
            latest[c.ref] = "slightlyBelow"
        chosen = reds + greens + ambers
        for k, c in enumerate(chosen):
            firm = world.firms[c.firm_id]
            supplier = _party(("GB-COH", firm.company_number or f"SYN{c.firm_id:06d}"), firm.name, ["supplier"])
            p = _Process(f"ocds-sample-{c.ref.lower()}", BUYER_IDS[partner], BUYER_NAMES[partner])
            n_kpis = rng.randint(1, 3)
            kpis = [(f"{c.ref}-KPI{i + 1}", title) for i, title in enumerate(rng.sample(KPI_TITLES, n_kpis))]
            _award_notice(p, c, supplier)
            _details_notice(p, c, kpis)
            periods = [d for d in RATING_PERIOD_ENDS if d > c.start_date + timedelta(days=90)]
            history = []
            for n, period_end in enumerate(periods, start=1):
                if period_end == periods[-1]:
                    target = latest[c.ref]
                    # the worst KPI is the planted rating; the others are no worse
                    better = WORST_FIRST[WORST_FIRST.index(target) :]
                    ratings = {kpi_id: rng.choice(better) for kpi_id, _ in kpis}
                    ratings[kpis[rng.randrange(n_kpis)][0]] = target
                else:
                    ratings = {kpi_id: rng.choice(WORST_FIRST + ["other"]) for kpi_id, _ in kpis}
                _performance_notice(p, c, period_end, ratings, n)
                history.append(ratings)
            if k == 0:
                # a change notice (UK10) extending the term
                p.release(
                    RATING_PERIOD_ENDS[-1] + timedelta(days=20),
                    ["contractAmendment"],
                    "UK10",
                    contracts=[
                        {
                            "id": c.ref,
                            "awardID": f"{c.ref}-A1",
                            "amendments": [
                                {
                                    "id": f"{c.ref}-CH1",
                                    "date": _iso(RATING_PERIOD_ENDS[-1] + timedelta(days=20)),
                                    "description": "Term extended by six months",
                                }
                            ],
                            "documents": [
                                _document(f"{c.ref}-UK10", "contractAmendment", "UK10", RATING_PERIOD_ENDS[-1])
                            ],
                        }
                    ],
                )
            terminated = k == 1
            if terminated:
                p.release(
                    RATING_PERIOD_ENDS[-1] + timedelta(days=30),
                    ["contractTermination"],
                    "UK11",
                    contracts=[
                        {
                            "id": c.ref,
                            "awardID": f"{c.ref}-A1",
                            "status": "terminated",
                            "documents": [
                                _document(f"{c.ref}-UK11", "contractTerminationNotice", "UK11", RATING_PERIOD_ENDS[-1])
                            ],
                        }
                    ],
                )
            releases += p.releases
            rag = sv_rag(c, framework, as_of)[0]
            final = _worst(list(history[-1].values()))
            planted.append(
                {
                    "partner": partner,
                    "contract_ref": c.ref,
                    "ocid": p.ocid,
                    "kpi_count": n_kpis,
                    "rating_periods": len(periods),
                    "rating_rows": n_kpis * len(periods),
                    "latest_period_end": periods[-1].isoformat(),
                    "latest_rating": final,
                    "sv_rag_status": rag,
                    "disagrees": disagrees(final, rag),
                    "contract_status": "terminated" if terminated else "active",
                    "release_count": len(p.releases),
                }
            )
        # KPIs on a contract the register does not hold: reported, not dropped
        ghost_ref = f"STAR-{partner[:3].upper()}-2020-900"
        ghost = Contract(
            partner=partner,
            ref=ghost_ref,
            title="Provision of grounds maintenance",
            firm_id=chosen[0].firm_id if chosen else next(iter(world.firms)),
            award_date=date(2019, 6, 1),
            start_date=date(2019, 7, 1),
            end_date=date(2022, 6, 30),
            value_pence=120_000_00,
            sv_weight_pct=10,
        )
        p = _Process(f"ocds-sample-{ghost_ref.lower()}", BUYER_IDS[partner], BUYER_NAMES[partner])
        firm = world.firms[ghost.firm_id]
        _award_notice(p, ghost, _party(("GB-COH", f"SYN{ghost.firm_id:06d}"), firm.name, ["supplier"]))
        _details_notice(p, ghost, [(f"{ghost_ref}-KPI1", KPI_TITLES[0])])
        _performance_notice(p, ghost, RATING_PERIOD_ENDS[-1], {f"{ghost_ref}-KPI1": "met"}, 1)
        releases += p.releases
        unknown.append({"partner": partner, "contract_ref": ghost_ref, "latest_rating": "met", "kpi_count": 1})
        # a neighbour's notice in the same download: set aside by buyer identifier
        other = _Process(f"ocds-sample-man-{partner[:3]}-1", OTHER_BUYER[:2], OTHER_BUYER[2])
        other_contract = Contract(
            partner=partner,
            ref=f"MCC-{partner[:3].upper()}-001",
            title="Supply of road salt",
            firm_id=ghost.firm_id,
            award_date=date(2020, 5, 1),
            start_date=date(2020, 6, 1),
            end_date=date(2022, 5, 31),
            value_pence=80_000_00,
            sv_weight_pct=10,
        )
        _award_notice(other, other_contract, _party(("GB-COH", "SYN000001"), "Grit Supplies Ltd", ["supplier"]))
        _details_notice(other, other_contract, [])
        releases += other.releases
        other_buyer_rows[partner] = 1  # one contract row, no KPIs
        if partner == "stockport" and chosen:
            c = chosen[0]
            # a UK9 release that lost its ocid: it cannot be merged, and its rows are quarantined
            broken = _Process(f"ocds-sample-{c.ref.lower()}", BUYER_IDS[partner], BUYER_NAMES[partner])
            _performance_notice(broken, c, RATING_PERIOD_ENDS[1], {f"{c.ref}-KPI1": "met"}, 9)
            del broken.releases[0]["ocid"]
            releases += broken.releases
            quarantined["no_ocid_rows"] += 2  # its contract row and its rating row
            # a rating that is not a code of the UK list (a title typed in its place), on a KPI
            # of its own so the contract's latest rating is unchanged
            typo = _Process(f"ocds-sample-{c.ref.lower()}", BUYER_IDS[partner], BUYER_NAMES[partner])
            _performance_notice(typo, c, RATING_PERIOD_ENDS[0], {f"{c.ref}-KPI9": "Excellent"}, 8)
            typo.releases[0]["date"] = _iso(RATING_PERIOD_ENDS[0] + timedelta(days=15))
            releases += typo.releases
            quarantined["rating_not_in_codelist_rows"] += 1
            # the typo's release shares the contract's ocid, so it is merged into its process
            next(r for r in planted if r["contract_ref"] == c.ref)["release_count"] += 1
        rng.shuffle(releases)
        files[partner] = releases
    answers = {
        "note": "Synthetic Procurement Act notices (no real ones could be collected); truths computed by "
        "ingestion/samples/contract_notices.py, independently of the pipeline.",
        "rule_version": "contract-performance-v1",
        "contracts": planted,
        "disagreeing": sorted(r["contract_ref"] for r in planted if r["disagrees"]),
        "unknown_contracts": unknown,
        "quarantined": quarantined,
        "other_buyer_contract_rows": other_buyer_rows,
    }
    return files, answers


def write_notices(files: dict[str, list[dict]], landing: Path) -> None:
    for partner, releases in files.items():
        path = landing / partner / "contract_notices" / f"PA_notices_{partner}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            for release in releases:
                handle.write(json.dumps(release, ensure_ascii=False, sort_keys=True) + "\n")
