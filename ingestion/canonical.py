"""The canonical schema of each feed: what every partner's columns are mapped onto.

Kept as data (not classes per feed) so a new feed is one more entry, and so the validator, the
mapping and the Parquet writer all agree on the same column list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeedSchema:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    # A feed without a period in its file name is a snapshot: each new file replaces the last.
    periodic: bool

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


FEEDS: dict[str, FeedSchema] = {
    "spend": FeedSchema(
        name="spend",
        required=("payment_date", "supplier_name", "amount_gbp"),
        optional=("supplier_ref", "transaction_ref", "service_area", "expense_type", "vat_number",
                  "company_number", "charity_number"),
        periodic=True,
    ),
    "suppliers": FeedSchema(
        name="suppliers",
        required=("supplier_ref", "supplier_name"),
        optional=("postcode", "address_type", "company_number", "charity_number", "vat_number",
                  "is_sme", "is_vcse"),
        periodic=False,
    ),
}

# Columns every loaded row carries so any figure can be traced to the file and line it came from.
LINEAGE_COLUMNS = ("source_file", "source_file_hash", "source_row_number", "load_id", "loaded_at")
