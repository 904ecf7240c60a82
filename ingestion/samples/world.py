"""The synthetic world: firms with true locations, and who each partner pays, how much, when.

Spend is planned per partner x financial year x location category so that the STAR-wide shares
land on the STAR report's figures; the exact truths are then computed from the generated payments
(answers.py), not from this plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from ingestion.resolution.names import name_key
from ingestion.samples.places import GM_DISTRICTS, INWARD_LETTERS, OUTSIDE_GM_DISTRICTS

PARTNER_HOME = {"stockport": "E08000007", "trafford": "E08000009", "rochdale": "E08000005", "tameside": "E08000008"}
STAR_LADS = set(PARTNER_HOME.values())
# GM partners outside STAR. Bury's ledger carries no vendor IDs and no postcodes, only names and, on
# some rows, a company number as finance systems publish it (zeros dropped, 'N/A'): the normal case
# for a GM partner, and the one that once collapsed all of a partner's payees into one supplier.
OTHER_GM_PARTNERS = {"bury": "E08000002"}
ALL_PARTNER_HOME = {**PARTNER_HOME, **OTHER_GM_PARTNERS}
GM_LADS = set(GM_DISTRICTS)
FINANCIAL_YEARS = (2018, 2019, 2020)
THRESHOLD_PENCE = 25_000_00

# The STAR report: home-area share 42% (2018/19) -> 53.9% (2020/21); ~77% retained in GM.
TARGET_HOME_SHARE = {2018: 0.42, 2019: 0.48, 2020: 0.539}
TARGET_GM_SHARE = {2018: 0.77, 2019: 0.77, 2020: 0.77}
TARGET_UNKNOWN_SHARE = 0.04
# Of the home-area (STAR) share, how much is with the partner's own borough.
OWN_BOROUGH_PART = {"stockport": 0.74, "trafford": 0.58, "rochdale": 0.69, "tameside": 0.64}
IN_SCOPE_TOTAL_GBP = {"stockport": 118_000_000, "trafford": 96_000_000, "rochdale": 87_000_000, "tameside": 104_000_000}
REDACTED_PAYMENTS_PER_YEAR = {"stockport": 620, "trafford": 380, "rochdale": 160, "tameside": 210, "bury": 140}
BURY_IN_SCOPE_TOTAL_GBP = 52_000_000
BURY_IN_SCOPE_SUPPLIERS = 45
BURY_OUT_OF_SCOPE_SUPPLIERS = 70
AVERAGE_IN_SCOPE_SUPPLIER_GBP = 1_100_000
OUT_OF_SCOPE_SUPPLIERS_PER_YEAR = 90

_FIRST = [
    "Pennine",
    "Northern",
    "Mersey",
    "Irwell",
    "Tame",
    "Bridgewater",
    "Peak",
    "Roch",
    "Medlock",
    "Etherow",
    "Goyt",
    "Cheadle",
    "Heaton",
    "Vale",
    "Kestrel",
    "Oakwood",
    "Redbrick",
    "Canalside",
    "Millstone",
    "Ashfield",
    "Beacon",
    "Summit",
    "Harbour",
    "Lowry",
    "Cotton",
    "Foundry",
    "Greenway",
    "Riverside",
    "Westgate",
    "Moorland",
]
_TRADE = [
    "Care Services",
    "Roofing Contractors",
    "Facilities Management",
    "Highways",
    "Print and Design",
    "IT Solutions",
    "Catering",
    "Transport",
    "Building Services",
    "Landscapes",
    "Fostering Services",
    "Electrical",
    "Cleaning Services",
    "Consultancy",
    "Supported Living",
    "Waste Management",
    "Plumbing and Heating",
    "Security Services",
    "Legal Services",
    "Education Support",
]
_CHARITY = [
    "Carers Centre",
    "Community Trust",
    "Youth Project",
    "Age Concern",
    "Food Bank",
    "Mind",
    "Women's Aid",
    "Credit Union",
    "Housing Trust",
]
SERVICE_AREAS = [
    "Adult Social Care",
    "Children's Services",
    "Highways",
    "Waste and Recycling",
    "Corporate Services",
    "Education",
    "Public Health",
    "Housing",
    "Leisure",
]
EXPENSE_TYPES = [
    "Third Party Payments",
    "Supplies and Services",
    "Premises",
    "Transport",
    "Contracted Services",
    "Professional Fees",
    "Grants",
    "Equipment",
]


@dataclass
class Firm:
    firm_id: int
    name: str
    lad: str | None  # true local authority district; None: location not knowable
    postcode: str | None  # the firm's postcode as it should read
    kind: str  # company | charity
    company_number: str | None
    charity_number: str | None
    vat_number: str | None
    unknown_style: str | None = None  # how an unknown location shows: missing/invalid/not_in_directory


@dataclass
class Payment:
    partner: str
    payment_date: date
    firm_id: int | None  # None: a redacted individual
    amount_pence: int
    service_area: str
    expense_type: str


@dataclass
class World:
    firms: dict[int, Firm]
    payments: list[Payment] = field(default_factory=list)
    decoy_postcodes: dict[str, str] = field(default_factory=dict)


def category(firm: Firm, partner: str) -> str:
    """O own borough, S another STAR borough, G elsewhere in GM, X outside GM, U unknown."""
    if firm.lad is None:
        return "U"
    if firm.lad == PARTNER_HOME[partner]:
        return "O"
    if firm.lad in STAR_LADS:
        return "S"
    if firm.lad in GM_LADS:
        return "G"
    return "X"


def _postcode(rng: random.Random, district: str, used: set[str]) -> str:
    while True:
        code = f"{district} {rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        if code not in used:
            used.add(code)
            return code


def _make_firms(rng: random.Random) -> tuple[dict[int, Firm], set[str]]:
    firms: dict[int, Firm] = {}
    used_names: set[str] = set()
    used_postcodes: set[str] = set()

    def name_for(kind: str, place: str) -> str:
        while True:
            if kind == "charity":
                name = f"{rng.choice([place, rng.choice(_FIRST)])} {rng.choice(_CHARITY)}"
            else:
                name = (
                    f"{rng.choice(_FIRST)} {rng.choice(_TRADE)} {rng.choice(['Ltd', 'Limited', 'Ltd', 'LLP', 'plc'])}"
                )
            if name not in used_names:
                used_names.add(name)
                return name

    plan = (
        [(lad, 95 if lad in STAR_LADS else 60) for lad in GM_DISTRICTS]
        + [(lad, 25) for lad in OUTSIDE_GM_DISTRICTS]
        + [(None, 70)]
    )
    for lad, count in plan:
        # firms of no knowable location (lad None) get no postcode district
        districts = (GM_DISTRICTS.get(lad) or OUTSIDE_GM_DISTRICTS.get(lad) or []) if lad is not None else []
        for _ in range(count):
            firm_id = len(firms) + 1
            kind = "charity" if rng.random() < 0.12 else "company"
            place = districts[0] if districts else "Greater Manchester"
            postcode = _postcode(rng, rng.choice(districts), used_postcodes) if districts else None
            firms[firm_id] = Firm(
                firm_id=firm_id,
                name=name_for(kind, place),
                lad=lad,
                postcode=postcode,
                kind=kind,
                company_number=f"{rng.randint(1_000_000, 13_999_999):08d}" if kind == "company" else None,
                charity_number=str(rng.randint(200_000, 1_199_999)) if kind == "charity" else None,
                vat_number=f"GB{rng.randint(100_000_000, 999_999_999)}" if rng.random() < 0.6 else None,
                unknown_style=None if lad else rng.choice(["missing", "missing", "invalid", "not_in_directory"]),
            )
            if firms[firm_id].unknown_style == "not_in_directory":
                firms[firm_id].postcode = f"ZZ9{rng.randint(0, 9)} {rng.randint(0, 9)}ZZ"
    return firms, used_postcodes


def _split(rng: random.Random, total: int, parts: int, minimum: int = 0) -> list[int]:
    """Split `total` pence into `parts` integers >= minimum that sum exactly to total."""
    spare = total - minimum * parts
    if spare < 0:
        raise ValueError("total too small for the minimum")
    weights = [rng.gammavariate(0.9, 1.0) for _ in range(parts)]
    scale = sum(weights)
    amounts = [minimum + int(spare * w / scale) for w in weights]
    amounts[amounts.index(max(amounts))] += total - sum(amounts)
    return amounts


def _payment_dates(rng: random.Random, fy: int, count: int) -> list[date]:
    dates = []
    for _ in range(count):
        month = rng.randint(1, 12)  # 1 = April
        year = fy if month <= 9 else fy + 1
        dates.append(date(year, (month + 2) % 12 + 1, rng.randint(1, 28)))
    return dates


def _supplier_year_payments(rng, partner, fy, firm_id, net, in_scope) -> list[Payment]:
    """Payments whose sum is exactly `net`; some carry a credit that nets off."""
    count = max(2, min(24, net // 60_000_00 + 2)) if in_scope else rng.randint(1, 3)
    amounts = _split(rng, net, count, minimum=1_00)
    if in_scope and rng.random() < 0.18:
        credit = -max(1_00, int(net * rng.uniform(0.01, 0.06)))
        amounts.append(credit)
        amounts[amounts.index(max(amounts))] -= credit
    area = rng.choice(SERVICE_AREAS)
    return [
        Payment(partner, d, firm_id, a, area, rng.choice(EXPENSE_TYPES))
        for d, a in zip(_payment_dates(rng, fy, len(amounts)), amounts)
    ]


def build_world(seed: int) -> World:
    rng = random.Random(seed)
    firms, used_postcodes = _make_firms(rng)
    world = World(firms=firms)
    for partner in PARTNER_HOME:
        by_category: dict[str, list[int]] = {}
        for firm in firms.values():
            by_category.setdefault(category(firm, partner), []).append(firm.firm_id)
        for ids in by_category.values():
            rng.shuffle(ids)
        for year_index, fy in enumerate(FINANCIAL_YEARS):
            total = IN_SCOPE_TOTAL_GBP[partner] * 100 * (103**year_index) // (100**year_index)
            home, gm = TARGET_HOME_SHARE[fy], TARGET_GM_SHARE[fy]
            own = OWN_BOROUGH_PART[partner]
            redacted = [rng.randint(20_00, 1_400_00) for _ in range(REDACTED_PAYMENTS_PER_YEAR[partner])]
            plan = {
                "O": home * own,
                "S": home * (1 - own),
                "G": gm - home,
                "X": 1 - gm - TARGET_UNKNOWN_SHARE,
                "U": TARGET_UNKNOWN_SHARE - sum(redacted) / total,
            }
            chosen: set[int] = set()
            for cat, share in plan.items():
                cat_total = int(round(total * share))
                pool = by_category[cat]
                start = (year_index * 4) % len(pool)
                rotated = pool[start:] + pool[:start]
                count = max(1, min(len(pool) - 10, cat_total // (AVERAGE_IN_SCOPE_SUPPLIER_GBP * 100)))
                picks = rotated[:count]
                floor = THRESHOLD_PENCE * 11 // 10
                amounts = _split(
                    rng,
                    cat_total - (THRESHOLD_PENCE if cat == "O" else 0),
                    count - (1 if cat == "O" else 0),
                    minimum=floor,
                )
                if cat == "O":
                    amounts.append(THRESHOLD_PENCE)  # exactly at the threshold: in scope (>=)
                for firm_id, net in zip(picks, amounts):
                    world.payments += _supplier_year_payments(rng, partner, fy, firm_id, net, True)
                chosen.update(picks)
            # Suppliers below the threshold (out of scope), including ones netted below it by credits.
            others = [f for f in firms if f not in chosen]
            rng.shuffle(others)
            for i, firm_id in enumerate(others[:OUT_OF_SCOPE_SUPPLIERS_PER_YEAR]):
                if i < 3:  # gross 30k, credit -9k: net 21k, out of scope only if credits net off
                    d1, d2, d3 = _payment_dates(rng, fy, 3)
                    world.payments += [
                        Payment(partner, d1, firm_id, 15_000_00, "Highways", "Premises"),
                        Payment(partner, d2, firm_id, 15_000_00, "Highways", "Premises"),
                        Payment(partner, d3, firm_id, -9_000_00, "Highways", "Premises"),
                    ]
                elif i == 3:  # a refund only: negative net spend
                    (d1,) = _payment_dates(rng, fy, 1)
                    world.payments.append(Payment(partner, d1, firm_id, -1_200_00, "Housing", "Premises"))
                else:
                    net = rng.randint(150_00, 24_000_00)
                    world.payments += _supplier_year_payments(rng, partner, fy, firm_id, net, False)
            for amount, d in zip(redacted, _payment_dates(rng, fy, len(redacted))):
                world.payments.append(Payment(partner, d, None, amount, "Adult Social Care", "Direct Payments"))
    for _ in range(150):  # postcodes in the directory that no supplier uses
        lad = rng.choice(list(GM_DISTRICTS) + list(OUTSIDE_GM_DISTRICTS))
        district = rng.choice(GM_DISTRICTS.get(lad) or OUTSIDE_GM_DISTRICTS[lad])
        world.decoy_postcodes[_postcode(rng, district, used_postcodes)] = lad
    _add_partner_without_ids(world, random.Random(seed + 3))
    world.payments.sort(key=lambda p: (p.partner, p.payment_date))
    return world


def _add_partner_without_ids(world: World, rng: random.Random) -> None:
    """Bury pays firms the STAR partners also pay (so their supplier lists can locate them by name or
    company number) and never names a firm two firms' names could both be. Its own random stream
    leaves every STAR partner's payments exactly as they were. (name_key only chooses which firms
    Bury pays; the truths in answers.py never go through pipeline code.)"""
    keys: dict[str | None, int] = {}
    for firm in world.firms.values():
        keys[name_key(firm.name)] = keys.get(name_key(firm.name), 0) + 1
    paid_by_star = sorted({p.firm_id for p in world.payments if p.firm_id is not None})
    pool = [f for f in paid_by_star if keys[name_key(world.firms[f].name)] == 1]
    for year_index, fy in enumerate(FINANCIAL_YEARS):
        rng.shuffle(pool)
        # about a quarter of its in-scope suppliers are based in Bury itself
        pool.sort(key=lambda f: world.firms[f].lad != OTHER_GM_PARTNERS["bury"] or rng.random() < 0.5)
        pool = pool[:10] + sorted(pool[10:], key=lambda _: rng.random())
        in_scope = pool[:BURY_IN_SCOPE_SUPPLIERS]
        total = BURY_IN_SCOPE_TOTAL_GBP * 100 * (104**year_index) // (100**year_index)
        amounts = _split(rng, total, len(in_scope), minimum=THRESHOLD_PENCE * 11 // 10)
        for firm_id, net in zip(in_scope, amounts):
            world.payments += _supplier_year_payments(rng, "bury", fy, firm_id, net, True)
        for firm_id in pool[BURY_IN_SCOPE_SUPPLIERS : BURY_IN_SCOPE_SUPPLIERS + BURY_OUT_OF_SCOPE_SUPPLIERS]:
            net = rng.randint(150_00, 24_000_00)
            world.payments += _supplier_year_payments(rng, "bury", fy, firm_id, net, False)
        for d in _payment_dates(rng, fy, REDACTED_PAYMENTS_PER_YEAR["bury"]):
            world.payments.append(
                Payment("bury", d, None, rng.randint(20_00, 900_00), "Adult Social Care", "Direct Payments")
            )


# The legal forms the generator writes at the end of a company's name, as the legal persons they
# make: 'Ltd' and 'Limited' are one (Companies House refuses 'X Limited' when 'X Ltd' exists), 'LLP'
# a partnership, 'plc' a public company.
LEGAL_FORM_OF_SUFFIX = {"Ltd": "private company", "Limited": "private company", "LLP": "LLP", "plc": "plc"}


def legal_form_namesakes(world: World) -> dict[str, dict[str, list[int]]]:
    """Firms the generator plants under one name but different legal forms ('Tame Highways LLP',
    'Tame Highways Limited', 'Tame Highways plc': three firms, each with its own company number):
    name without its legal form -> legal form -> firm ids, for names planted in two forms or more.
    Names alone can tell these firms apart by their forms; firms that differ only by 'Ltd' and
    'Limited' (which the generator also plants, though no register would allow both) they cannot."""
    by_stem: dict[str, dict[str, list[int]]] = {}
    for firm in world.firms.values():
        stem, _, suffix = firm.name.rpartition(" ")
        if firm.kind == "company" and suffix in LEGAL_FORM_OF_SUFFIX:
            by_stem.setdefault(stem, {}).setdefault(LEGAL_FORM_OF_SUFFIX[suffix], []).append(firm.firm_id)
    return {stem: forms for stem, forms in by_stem.items() if len(forms) > 1}
