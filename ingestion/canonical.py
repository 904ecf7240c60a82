"""The canonical schema of each feed: what every partner's columns are mapped onto.

Kept as data (not classes per feed) so a new feed is one more entry, and so the validator, the
mapping and the Parquet writer all agree on the same column list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingestion.procurement_act import UK9_RATINGS


@dataclass(frozen=True)
class FeedSchema:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    # A feed without a period in its file name is a snapshot: each new file replaces the last.
    periodic: bool
    # Column types for feeds read by the generic path (ingestion/generic_feed.py):
    # text, date, amount (-> <name without _gbp>_pence), number, flag, partial_date (a day, a month
    # or a year: stored as the period's first day plus <name>_precision). Untyped columns are text.
    types: dict[str, str] = field(default_factory=dict)
    # Columns a feed's own preparation adds to the parsed ones (name -> type), stored after them:
    # supplier_attributes' scheme code and how its confirmed status was settled (ingestion/attributes.py).
    derived: dict[str, str] = field(default_factory=dict)
    # Feeds with a row_kind column: the kinds that are this feed's rows (others are set aside).
    row_kinds: tuple[str, ...] = ("bid", "award")
    # Rows of a kind that must give these columns (e.g. a rating row its rating), checked like required.
    kind_requires: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns whose given values must come from a code list (quarantined with the list otherwise).
    value_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # How JSON-lines OCDS releases are read (ingestion/readers.py): one row per award ("awards",
    # Contracts Finder) or per compiled contracting process ("compiled", Procurement Act notices).
    ocds: str = "awards"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


FEEDS: dict[str, FeedSchema] = {
    "spend": FeedSchema(
        name="spend",
        required=("payment_date", "supplier_name", "amount_gbp"),
        optional=(
            "supplier_ref",
            "transaction_ref",
            "service_area",
            "expense_type",
            "vat_number",
            "company_number",
            "charity_number",
            # the body whose spend the row is (a layout's OrganisationLabel, Authority Name): read
            # only to refuse another body's rows (ingestion/money_checks.py), never stored
            "organisation",
        ),
        periodic=True,
    ),
    "suppliers": FeedSchema(
        name="suppliers",
        required=("supplier_ref", "supplier_name"),
        optional=("postcode", "address_type", "company_number", "charity_number", "vat_number", "is_sme", "is_vcse"),
        periodic=False,
    ),
    "contracts": FeedSchema(
        name="contracts",
        # contract_value_gbp may be empty: frameworks and concessions without guaranteed spend.
        required=("contract_ref", "supplier_name", "award_date"),
        optional=(
            "contract_value_gbp",
            "title",
            "supplier_ref",
            "supplier_postcode",
            "company_number",
            "start_date",
            "end_date",
            "annual_value_gbp",
            "procurement_route",
            "category",
            "price_weight_pct",
            "quality_weight_pct",
            "sv_weight_pct",
            "is_sme",
        ),
        periodic=False,
        types={
            "award_date": "date",
            "start_date": "date",
            "end_date": "date",
            "contract_value_gbp": "amount",
            "annual_value_gbp": "amount",
            "price_weight_pct": "number",
            "quality_weight_pct": "number",
            "sv_weight_pct": "number",
            "is_sme": "flag",
        },
    ),
    "tenders": FeedSchema(
        name="tenders",
        required=("tender_ref", "bidder_name", "is_winner", "decision_date"),
        optional=(
            "lot",
            "title",
            "bidder_ref",
            "bidder_postcode",
            "is_sme_declared",
            "is_vcse_declared",
            "bid_value_gbp",
            "buyer_name",
            "row_kind",
        ),
        periodic=False,
        types={
            "is_winner": "flag",
            "decision_date": "date",
            "is_sme_declared": "flag",
            "is_vcse_declared": "flag",
            "bid_value_gbp": "amount",
        },
    ),
    "sv_commitments": FeedSchema(
        name="sv_commitments",
        required=("contract_ref", "measure_code", "committed_quantity"),
        optional=("portal_committed_gbp", "framework"),
        periodic=False,
        types={"committed_quantity": "number", "portal_committed_gbp": "amount"},
    ),
    "sv_deliveries": FeedSchema(
        name="sv_deliveries",
        required=("contract_ref", "measure_code", "period_end", "delivered_quantity"),
        optional=("evidence_status", "portal_delivered_gbp"),
        periodic=False,
        types={"period_end": "date", "delivered_quantity": "number", "portal_delivered_gbp": "amount"},
    ),
    "supply_chain": FeedSchema(
        name="supply_chain",
        required=("contract_ref", "subcontractor_name", "amount_gbp", "period_end"),
        optional=("subcontractor_postcode", "company_number", "charity_number", "is_sme", "is_vcse"),
        periodic=False,
        types={"amount_gbp": "amount", "period_end": "date", "is_sme": "flag", "is_vcse": "flag"},
    ),
    # Procurement Act 2023 notices (OCDS + UK extension), merged per contracting process into its
    # compiled release (ingestion/procurement_act.py) and flattened to three kinds of row: a
    # `contract` (UK6 award, status after UK10-UK12 changes and terminations), a `kpi` (UK7 agreed
    # metric, up to three per contract) and a `rating` (UK9 observation of a KPI over a period).
    "contract_notices": FeedSchema(
        name="contract_notices",
        required=("ocid", "contract_ref"),
        optional=(
            "row_kind",
            "buyer_id",
            "buyer_name",
            "notice_types",
            "latest_notice_type",
            "latest_notice_date",
            "release_count",
            "award_id",
            "title",
            "supplier_name",
            "supplier_id",
            "contract_value_gbp",
            "award_date",
            "start_date",
            "end_date",
            "contract_status",
            "amendment_count",
            "kpi_count",
            "kpi_id",
            "kpi_title",
            "kpi_target",
            "observation_id",
            "rating",
            "rating_label",
            "period_start",
            "period_end",
        ),
        periodic=False,
        types={
            "latest_notice_date": "date",
            "release_count": "number",
            "contract_value_gbp": "amount",
            "award_date": "date",
            "start_date": "date",
            "end_date": "date",
            "amendment_count": "number",
            "kpi_count": "number",
            "period_start": "date",
            "period_end": "date",
        },
        row_kinds=("contract", "kpi", "rating"),
        kind_requires={"kpi": ("kpi_id",), "rating": ("kpi_id", "rating", "period_end")},
        value_sets={"rating": tuple(UK9_RATINGS)},
        ocds="compiled",
    ),
    # Issue 17 (docs/payment-performance-svmi-lm3.md). Invoice-level payment records, where a partner
    # sends them: the days to pay and the SME / VCSE split come from these.
    "invoices": FeedSchema(
        name="invoices",
        required=("invoice_ref", "supplier_name", "received_date", "paid_date", "amount_gbp"),
        optional=("supplier_ref", "is_disputed", "interest_paid_gbp"),
        periodic=False,
        types={
            "received_date": "date",
            "paid_date": "date",
            "amount_gbp": "amount",
            "is_disputed": "flag",
            "interest_paid_gbp": "amount",
        },
    ),
    # The yearly summary a council publishes under regulation 113 of the Public Contracts Regulations
    # 2015 (share of valid invoices paid within 30 days, late-payment interest). A Procurement Act UK8
    # payments compliance notice carries the same figures per six months and can map onto this schema.
    "payment_summary": FeedSchema(
        name="payment_summary",
        required=("financial_year", "pct_paid_within_30_days"),
        optional=(
            "period_end",
            "invoices_paid",
            "invoices_paid_late",
            "avg_days_to_pay",
            "interest_paid_gbp",
            "interest_liable_gbp",
            "basis",
            "source_url",
            "organisation",
        ),
        periodic=False,
        types={
            "period_end": "date",
            "pct_paid_within_30_days": "number",
            "invoices_paid": "number",
            "invoices_paid_late": "number",
            "avg_days_to_pay": "number",
            "interest_paid_gbp": "amount",
            "interest_liable_gbp": "amount",
        },
    ),
    # Social Value Maturity Index self-assessment: one score per dimension and year.
    "svmi": FeedSchema(
        name="svmi",
        required=("financial_year", "dimension", "score"),
        optional=("assessed_on", "assessed_by"),
        periodic=False,
        types={"score": "number", "assessed_on": "date"},
    ),
    # Employee (and local sub-contractor) re-spend survey for the local multiplier, per contract and year.
    "lm3_survey": FeedSchema(
        name="lm3_survey",
        required=("contract_ref", "financial_year", "local_staff_pay_gbp", "staff_local_respend_pct"),
        optional=("respondents", "supplier_local_respend_pct"),
        periodic=False,
        types={
            "local_staff_pay_gbp": "amount",
            "staff_local_respend_pct": "number",
            "respondents": "number",
            "supplier_local_respend_pct": "number",
        },
    ),
    # Dated facts about organisations (a GM Good Employment Charter membership, a Real Living Wage
    # accreditation): docs/supplier-attributes.md. GM-wide facts come through the gm_shared
    # pseudo-partner (config/partners.yml); any partner may send its own. Schemes: config/schemes.yml.
    "supplier_attributes": FeedSchema(
        name="supplier_attributes",
        required=("organisation_name", "scheme", "valid_from"),
        optional=(
            "scheme_status",
            "valid_to",
            "company_number",
            "charity_number",
            "evidence_url",
            "evidence_note",
            "source",
            "confirmed",
        ),
        periodic=False,
        types={"valid_from": "partial_date", "valid_to": "partial_date", "confirmed": "flag"},
        derived={"scheme_code": "text", "confirmed_basis": "text"},
    ),
}
