"""Human words for the codes the warehouse stores, so no reader of a statement or the dashboard
meets `not_started`, `sv_commitments` or `stockport`: one table per kind of code, and a fallback
that turns an unknown code into words rather than printing it raw.
"""

from __future__ import annotations

RAG = {"red": "Red", "amber": "Amber", "green": "Green", "not_started": "Not started"}

FEEDS = {
    "spend": "Spend ledger",
    "suppliers": "Supplier list",
    "contracts": "Contract register",
    "tenders": "Tenders and bids",
    "sv_commitments": "Social value commitments",
    "sv_deliveries": "Social value delivery returns",
    "supply_chain": "Supply-chain (tier 2) spend",
}

RULES = {
    "local_spend": "Local spend",
    "coverage": "Coverage (provisional figures)",
    "redaction": "Redacted payees",
    "feed_validation": "Feed validation",
    "supplier_classification": "SME and VCSE classification",
    "social_value": "Social value",
    "supplier_matching": "Supplier matching",
    "identity_checks": "Supplier identity checks",
}

CHECK_LAYERS = {
    "feed": "Feed files (each file as loaded)",
    "landing": "Landing zone",
    "dbt": "Warehouse models (dbt tests)",
    "mart": "Published tables (Great Expectations)",
}

PART_YEAR_THRESHOLD = {"full": "Full threshold", "pro_rata": "Pro rata"}

UNIT_TYPES = {"partner": "Partner", "group": "Group"}


def words(code: str | None) -> str:
    """A code no table knows, made readable ('supply_chain' -> 'Supply chain')."""
    if code is None:
        return "–"
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(table: dict[str, str], code: str | None) -> str:
    return table.get(code, words(code)) if code is not None else "–"


def rag(code: str | None) -> str:
    return label(RAG, code)


def feed(code: str | None) -> str:
    return label(FEEDS, code)


def rule(code: str | None) -> str:
    return label(RULES, code)


def layer(code: str | None) -> str:
    return label(CHECK_LAYERS, code)
