"""The partner registry (config/partners.yml) and rules (config/rules.yml), parsed, typed and checked.

A mistake in the registry is reported with the partner, feed and key to fix, at load time, before any
file is touched: onboarding a partner is configuration, so configuration errors must read like
validation messages, not stack traces.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, get_origin, get_type_hints

import yaml

from ingestion.canonical import FEEDS

PARTNER_TYPES = {
    "council",
    "ccg",
    "gmca",
    "nhs_trust",
    "nhs_icb",
    "housing_association",
    "university",
    "other",
}
GM_LAD_CODES = tuple(f"E080000{n:02d}" for n in range(1, 11))


class ConfigError(ValueError):
    """The registry or rules file says something the pipeline cannot act on."""


@dataclass(frozen=True)
class FeedConfig:
    """One layout of one partner's feed: how to recognise, read and map its files."""

    partner: str
    feed: str
    file_pattern: str
    columns: dict[str, tuple[str, ...]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    date_format: str | None = None
    na_values: tuple[str, ...] = ()
    # Share of rows a blocking row check may fail before the whole file fails (0 = none may fail;
    # failing rows are quarantined either way).
    tolerance_pct: float = 0.0
    layout: str = "default"
    # Canonical columns that hold one value for the whole file (e.g. is_vcse: yes for a register
    # of voluntary-sector grant recipients), used where the file has no such column.
    constants: dict[str, str] = field(default_factory=dict)
    # Notices feeds (e.g. a Contracts Finder download for a region): regular expressions for the
    # buyer names that are this partner; notices of other buyers are set aside with the reason.
    buyers: tuple[str, ...] = ()
    # Notices feeds that carry the buyer's identifier (Procurement Act notices: GB-PPON-...): this
    # partner's identifiers, matched exactly; other buyers' notices are set aside with the reason.
    buyer_ids: tuple[str, ...] = ()
    # The partner's accepted exceptions (config/exceptions/<partner>.yml, ingestion/exceptions.py),
    # carried on the layout so every reader of it applies the same list. Not part of the mapping:
    # a load fingerprints the entries for its own file separately.
    exceptions: Any = field(default=None, compare=False, repr=False)
    # Where the files are fetched from (ingestion/sources/spec.py SourceSpec); None: dropped in by hand.
    source: Any = field(default=None, compare=False, repr=False)
    # supplier_attributes layouts: the scheme list (config/schemes.yml, ingestion/attributes.py),
    # attached like the exceptions; its version is part of the fingerprint, so a changed list reloads.
    schemes: Any = field(default=None, compare=False, repr=False)

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.file_pattern, re.IGNORECASE)

    def fingerprint(self) -> str:
        """Changes whenever the mapping changes, so a re-mapped file is reloaded, not skipped."""
        # where the file came from (source) is not how it is read
        mapping = {k: v for k, v in self.__dict__.items() if k not in ("exceptions", "source", "schemes")}
        if self.schemes is not None:
            mapping["schemes_version"] = self.schemes.version
        payload = json.dumps(mapping, sort_keys=True, default=list)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    type: str
    home_lad_codes: tuple[str, ...]
    groups: tuple[str, ...]
    # feed -> its layouts, in the order files are matched against them
    feeds: dict[str, tuple[FeedConfig, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    home_lad_codes: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True)
class Registry:
    partners: dict[str, Partner]
    groups: dict[str, Group]

    def partner(self, code: str) -> Partner:
        try:
            return self.partners[code]
        except KeyError:
            known = ", ".join(sorted(self.partners))
            raise ConfigError(f"unknown partner '{code}'; partners in config/partners.yml: {known}") from None

    def layouts(self, partner_code: str, feed: str) -> tuple[FeedConfig, ...]:
        partner = self.partner(partner_code)
        if feed not in partner.feeds:
            raise ConfigError(
                f"partner '{partner_code}' has no '{feed}' feed in config/partners.yml "
                f"(it has: {', '.join(sorted(partner.feeds)) or 'none'})"
            )
        return partner.feeds[feed]

    def feed(self, partner_code: str, feed: str, layout: str | None = None) -> FeedConfig:
        """A layout of a feed (the first one unless named)."""
        layouts = self.layouts(partner_code, feed)
        if layout is None:
            return layouts[0]
        for config in layouts:
            if config.layout == layout:
                return config
        raise ConfigError(
            f"partner '{partner_code}' feed '{feed}' has no layout '{layout}' "
            f"(it has: {', '.join(c.layout for c in layouts)})"
        )


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _require(mapping: dict, key: str, where: str) -> Any:
    if key not in mapping or mapping[key] in (None, ""):
        raise ConfigError(f"{where}: '{key}' is required")
    return mapping[key]


LAYOUT_KEYS = {
    "name",
    "file_pattern",
    "columns",
    "encoding",
    "delimiter",
    "sheet",
    "date_format",
    "na_values",
    "tolerance_pct",
    "constants",
    "buyers",
    "buyer_ids",
    "source",  # where Dagster fetches the files from (ingestion/sources/spec.py)
}


def _parse_feed(partner_code: str, feed: str, raw: dict) -> tuple[FeedConfig, ...]:
    """A feed is one layout, or `layouts:` (each inheriting the feed's other keys): a partner whose
    export changed over the years keeps every layout it has used."""
    if "layouts" not in raw:
        return (_parse_layout(partner_code, feed, raw, "default"),)
    defaults = {k: v for k, v in raw.items() if k != "layouts"}
    layouts = []
    for index, layout in enumerate(raw["layouts"] or []):
        name = layout.get("name") or f"layout_{index + 1}"
        layouts.append(_parse_layout(partner_code, feed, {**defaults, **layout}, name))
    if not layouts:
        raise ConfigError(f"config/partners.yml: partner '{partner_code}', feed '{feed}': 'layouts' is empty")
    return tuple(layouts)


def _parse_layout(partner_code: str, feed: str, raw: dict, layout: str) -> FeedConfig:
    where = f"config/partners.yml: partner '{partner_code}', feed '{feed}'" + (
        f", layout '{layout}'" if layout != "default" else ""
    )
    unknown_keys = sorted(set(raw) - LAYOUT_KEYS)
    if unknown_keys:
        raise ConfigError(f"{where}: unknown key(s) {unknown_keys}; known: {sorted(LAYOUT_KEYS)}")
    if feed not in FEEDS:
        raise ConfigError(f"{where}: unknown feed; known feeds: {', '.join(sorted(FEEDS))}")
    pattern = _require(raw, "file_pattern", where)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: file_pattern is not a valid regular expression: {exc}") from exc
    columns_raw = _require(raw, "columns", where)
    schema = FEEDS[feed]
    unknown = sorted(set(columns_raw) - set(schema.columns))
    if unknown:
        raise ConfigError(
            f"{where}: unknown canonical column(s) {unknown}; the {feed} feed has: {', '.join(schema.columns)}"
        )
    constants = {str(k): str(v) for k, v in (raw.get("constants") or {}).items()}
    unknown_constants = sorted(set(constants) - set(schema.columns))
    if unknown_constants:
        raise ConfigError(f"{where}: unknown canonical column(s) in constants {unknown_constants}")
    missing = [c for c in schema.required if c not in columns_raw and c not in constants]
    if missing:
        raise ConfigError(f"{where}: the mapping must name a source column for {missing}")
    buyers = _as_tuple(raw.get("buyers"))
    if buyers and "buyer_name" not in schema.columns:
        raise ConfigError(
            f"{where}: 'buyers' applies only to feeds with a buyer_name column "
            f"({', '.join(f for f, s in FEEDS.items() if 'buyer_name' in s.columns)})"
        )
    if buyers and "buyer_name" not in columns_raw:
        raise ConfigError(f"{where}: 'buyers' needs the mapping to name a source column for buyer_name")
    for pattern_text in buyers:
        try:
            re.compile(pattern_text)
        except re.error as exc:
            raise ConfigError(
                f"{where}: buyers entry {pattern_text!r} is not a valid regular expression: {exc}"
            ) from exc
    buyer_ids = _as_tuple(raw.get("buyer_ids"))
    if buyer_ids and "buyer_id" not in columns_raw:
        raise ConfigError(
            f"{where}: 'buyer_ids' needs a feed with a buyer_id column "
            f"({', '.join(f for f, s in FEEDS.items() if 'buyer_id' in s.columns)}) and the mapping to name "
            "a source column for it"
        )
    needs_date_format = feed == "spend" or bool({"date", "partial_date"} & set(schema.types.values()))
    if needs_date_format and not raw.get("date_format"):
        raise ConfigError(
            f"{where}: 'date_format' is required (for example '%d/%m/%Y'); "
            "the date order is declared per partner, never guessed"
        )
    return FeedConfig(
        partner=partner_code,
        feed=feed,
        file_pattern=pattern,
        columns={k: _as_tuple(v) for k, v in columns_raw.items()},
        encoding=raw.get("encoding"),
        delimiter=raw.get("delimiter"),
        sheet=raw.get("sheet"),
        date_format=raw.get("date_format"),
        na_values=_as_tuple(raw.get("na_values")),
        tolerance_pct=float(raw.get("tolerance_pct", 0.0)),
        layout=layout,
        constants=constants,
        buyers=buyers,
        buyer_ids=buyer_ids,
        source=_source(raw.get("source"), where),
    )


def _source(raw: object, where: str):
    from ingestion.sources.spec import SourceConfigError, parse_source

    try:
        return parse_source(raw, where)
    except SourceConfigError as error:
        raise ConfigError(str(error)) from None


def parse_registry(raw: dict) -> Registry:
    partners: dict[str, Partner] = {}
    for entry in raw.get("partners") or []:
        code = _require(entry, "code", "config/partners.yml: a partner entry")
        where = f"config/partners.yml: partner '{code}'"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise ConfigError(f"{where}: code must be lower-case letters, digits and _")
        if code in partners:
            raise ConfigError(f"{where}: defined twice")
        ptype = _require(entry, "type", where)
        if ptype not in PARTNER_TYPES:
            raise ConfigError(f"{where}: type '{ptype}' is not one of {sorted(PARTNER_TYPES)}")
        feeds = {feed: _parse_feed(code, feed, feed_raw or {}) for feed, feed_raw in (entry.get("feeds") or {}).items()}
        partners[code] = Partner(
            code=code,
            name=_require(entry, "name", where),
            type=ptype,
            home_lad_codes=_as_tuple(_require(entry, "home_lad_codes", where)),
            groups=_as_tuple(entry.get("groups")),
            feeds=feeds,
        )

    groups: dict[str, Group] = {}
    for entry in raw.get("groups") or []:
        code = _require(entry, "code", "config/partners.yml: a group entry")
        where = f"config/partners.yml: group '{code}'"
        members = tuple(p.code for p in partners.values() if code in p.groups)
        home_area = entry.get("home_area", "members")
        if home_area == "members":
            lads = tuple(sorted({lad for m in members for lad in partners[m].home_lad_codes}))
        elif home_area == "lad_codes":
            lads = _as_tuple(_require(entry, "home_lad_codes", where))
        else:
            raise ConfigError(f"{where}: home_area must be 'members' or 'lad_codes'")
        groups[code] = Group(code=code, name=entry.get("name", code), home_lad_codes=lads, members=members)
    for partner in partners.values():
        for g in partner.groups:
            if g not in groups:
                raise ConfigError(
                    f"config/partners.yml: partner '{partner.code}' is in group '{g}', "
                    "which is not defined under 'groups'"
                )
    return Registry(partners=partners, groups=groups)


def load_registry(config_dir: Path) -> Registry:
    path = config_dir / "partners.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"partner registry not found at {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    # Imported here: the exceptions module builds on this one (ConfigError, the partners' layouts).
    from ingestion.attributes import attach_schemes
    from ingestion.exceptions import attach_exceptions

    return attach_schemes(attach_exceptions(parse_registry(raw), config_dir / "exceptions"), config_dir)


# --- Rules (config/rules.yml) -------------------------------------------------------------------
#
# Each section of rules.yml is one frozen dataclass below: its fields are the section's keys, their
# types are what the YAML must hold, and `rule(must=..., ok=...)` says in words what a value must be
# (the words every error message uses). The value of a rule lives only in rules.yml: no field has a
# default, so a parameter can never be set twice (once in the file, once in code) and disagree.
# Every section reaches dbt the same way (ingestion/reference.py: `rule_table`): one reference table
# per section with a column per field, which `stg_reference__<table>.sql` selects whole.


def rule(must: str, ok: Callable[[Any], bool] | None = None) -> Any:
    """A rule parameter: `must` completes "<section>.<key> must be ...", `ok` checks a typed value."""
    return field(metadata={"must": must, "ok": ok})


def _percentage(value: float) -> bool:
    return 0 <= value <= 100


def _valid_regex(value: tuple[str, ...]) -> bool:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error:
            return False
    return True


@dataclass(frozen=True)
class RuleSection:
    """What every section has: a `version` that every figure made under it carries."""

    SECTION: ClassVar[str]
    # the reference table dbt reads the section from (dbt_project/models/staging/stg_reference__<TABLE>.sql)
    TABLE: ClassVar[str]

    version: str = rule("the section's version label, e.g. 'local-spend-v3' (bump it whenever a value changes)")

    def __getitem__(self, key: str) -> Any:
        """A value by its rules.yml key, for readers that name keys as the file does; unknown keys fail."""
        if key not in {f.name for f in fields(self)}:
            raise KeyError(f"config/rules.yml section '{self.SECTION}' has no key {key!r}")
        return getattr(self, key)

    def cross_checks(self) -> list[tuple[str, str]]:
        """(key, what is wrong) for rules between keys; each value is already its declared type."""
        return []


@dataclass(frozen=True)
class LocalSpendRule(RuleSection):
    SECTION: ClassVar[str] = "local_spend"
    TABLE: ClassVar[str] = "local_spend_rule"

    threshold_gbp: float = rule("an amount in GBP >= 0", lambda v: v >= 0)
    threshold_basis: str = rule(
        "partner_supplier_year (the only basis supported)", lambda v: v == "partner_supplier_year"
    )
    part_year_threshold: str = rule(
        "full (the threshold applies unchanged to the months covered) or pro_rata (threshold x months covered / 12)",
        lambda v: v in ("full", "pro_rata"),
    )
    share_denominator: str = rule("in_scope_spend or located_spend", lambda v: v in ("in_scope_spend", "located_spend"))
    address_rule: str = rule("address_preference (the list below decides)", lambda v: v == "address_preference")
    address_preference: tuple[str, ...] = rule("a non-empty list of address types, most trusted first", bool)
    district_fallback: bool = rule("true or false")
    redacted_payees: str = rule("pooled_per_partner", lambda v: v == "pooled_per_partner")


@dataclass(frozen=True)
class CoverageRule(RuleSection):
    SECTION: ClassVar[str] = "coverage"
    TABLE: ClassVar[str] = "coverage_rule"

    min_located_spend_pct: float = rule("a percentage between 0 and 100", _percentage)
    min_recent_return_pct: float = rule("a percentage between 0 and 100", _percentage)
    delivery_return_window_months: int = rule("a whole number of months >= 1", lambda v: v >= 1)


@dataclass(frozen=True)
class RedactionRule(RuleSection):
    SECTION: ClassVar[str] = "redaction"
    TABLE: ClassVar[str] = "redaction_rule"

    patterns: tuple[str, ...] = rule(
        "a non-empty list of valid regular expressions", lambda v: bool(v) and _valid_regex(v)
    )


@dataclass(frozen=True)
class FeedValidationRule(RuleSection):
    SECTION: ClassVar[str] = "feed_validation"
    TABLE: ClassVar[str] = "feed_validation_rule"

    max_abs_amount_gbp: float = rule("an amount in GBP > 0", lambda v: v > 0)
    # money checks (issue 14, ingestion/money_checks.py): shares of a file's rows or pounds
    max_share_outside_named_period: float = rule("a share above 0 and at most 1", lambda v: 0 < v <= 1)
    max_replacement_drop_share: float = rule("a share above 0 and at most 1", lambda v: 0 < v <= 1)


@dataclass(frozen=True)
class SupplierClassificationRule(RuleSection):
    SECTION: ClassVar[str] = "supplier_classification"
    TABLE: ClassVar[str] = "supplier_classification_rule"

    vcse_company_prefixes: tuple[str, ...] = rule("a list of two-letter company-number prefixes")
    vcse_name_patterns: tuple[str, ...] = rule("a list of valid regular expressions", _valid_regex)
    vcse_name_words: tuple[str, ...] = rule("a list of words")


@dataclass(frozen=True)
class SocialValueRule(RuleSection):
    SECTION: ClassVar[str] = "social_value"
    TABLE: ClassVar[str] = "social_value_rule"

    weighting_min_contract_value_gbp: float = rule("an amount in GBP >= 0", lambda v: v >= 0)
    secured_min_contract_value_gbp: float = rule("an amount in GBP >= 0", lambda v: v >= 0)
    portal_disagreement_pct: float = rule("a percentage between 0 and 100", _percentage)
    delivered_evidence_status: tuple[str, ...] = rule("a non-empty list of evidence statuses", bool)
    delivery_red_ratio: float = rule("a ratio >= 0 (share of the profiled commitment)", lambda v: v >= 0)
    delivery_amber_ratio: float = rule("a ratio >= 0 (share of the profiled commitment)", lambda v: v >= 0)
    bid_status_source: str = rule("bid_declaration", lambda v: v == "bid_declaration")

    def cross_checks(self) -> list[tuple[str, str]]:
        if self.delivery_red_ratio > self.delivery_amber_ratio:
            return [("delivery_red_ratio", f"at most delivery_amber_ratio ({self.delivery_amber_ratio})")]
        return []


@dataclass(frozen=True)
class SupplierMatchingRule(RuleSection):
    SECTION: ClassVar[str] = "supplier_matching"
    TABLE: ClassVar[str] = "supplier_matching_rule"

    use_trading_name_aliases: bool = rule("true or false")
    fuzzy_threshold: float = rule("a similarity score between 0 and 100", _percentage)
    keep_bare_and_company_names_apart_within_partner: bool = rule("true or false")


@dataclass(frozen=True)
class IdentityChecksRule(RuleSection):
    SECTION: ClassVar[str] = "identity_checks"
    TABLE: ClassVar[str] = "identity_check_rule"

    max_unrelated_names_per_record: int = rule("a whole number >= 0", lambda v: v >= 0)
    max_in_scope_gap_pct: float = rule("a percentage between 0 and 100", _percentage)


def _uk9_codes(values: tuple[str, ...]) -> bool:
    from ingestion.procurement_act import UK9_RATINGS

    return all(v in UK9_RATINGS for v in values)


_UK9_MUST = "a list of UK9 rating codes (met, slightlyBelow, below, significantlyBelow, other)"
_RAG_MUST = "a list of social value RAG statuses (red, amber, green)"


@dataclass(frozen=True)
class ContractPerformanceRule(RuleSection):
    """How a Procurement Act contract's KPI ratings (UK9) are summarised and set beside the RAG of
    its social value delivery, and when the two are said to disagree (docs/procurement-act-notices.md)."""

    SECTION: ClassVar[str] = "contract_performance"
    TABLE: ClassVar[str] = "contract_performance_rule"

    rating_order_worst_first: tuple[str, ...] = rule(
        "every UK9 rating code once, worst first", lambda v: _uk9_codes(v) and len(set(v)) == len(v) == 5
    )
    favourable_ratings: tuple[str, ...] = rule(_UK9_MUST, _uk9_codes)
    unfavourable_ratings: tuple[str, ...] = rule(_UK9_MUST, _uk9_codes)
    favourable_sv_rag: tuple[str, ...] = rule(_RAG_MUST, lambda v: set(v) <= {"red", "amber", "green"})
    unfavourable_sv_rag: tuple[str, ...] = rule(_RAG_MUST, lambda v: set(v) <= {"red", "amber", "green"})

    def cross_checks(self) -> list[tuple[str, str]]:
        if set(self.favourable_ratings) & set(self.unfavourable_ratings):
            return [("unfavourable_ratings", "a list sharing no code with favourable_ratings")]
        if set(self.favourable_sv_rag) & set(self.unfavourable_sv_rag):
            return [("unfavourable_sv_rag", "a list sharing no status with favourable_sv_rag")]
        return []


_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def _financial_years(value: tuple[str, ...]) -> bool:
    matches = [_FINANCIAL_YEAR.match(v) for v in value]
    return bool(value) and all(m and (int(m.group(1)) + 1) % 100 == int(m.group(2)) for m in matches)


@dataclass(frozen=True)
class DeprivationRule(RuleSection):
    """Which edition of the English Indices of Deprivation measures which financial year's spend
    (docs/geography-and-deprivation.md). The edition decides the LSOA vintage a supplier is placed
    on (IMD 2019: LSOA 2011; IoD 2025: LSOA 2021); the ward and district view always reports on
    current codes."""

    SECTION: ClassVar[str] = "deprivation"
    TABLE: ClassVar[str] = "deprivation_rule"

    edition_choice: str = rule(
        "in_force (each year by the edition in force then, editions_from below) or latest (every year by the "
        "newest edition listed)",
        lambda v: v in ("in_force", "latest"),
    )
    editions: tuple[str, ...] = rule(
        "a non-empty list of edition codes from the deprivation reference's editions.csv, oldest first", bool
    )
    editions_from: tuple[str, ...] = rule(
        "one financial year per edition (like 2019/20), increasing: the first year each edition measures",
        _financial_years,
    )

    def cross_checks(self) -> list[tuple[str, str]]:
        if len(self.editions_from) != len(self.editions):
            return [("editions_from", f"one year per edition ({len(self.editions)} editions)")]
        if list(self.editions_from) != sorted(set(self.editions_from)):
            return [("editions_from", "strictly increasing years")]
        return []


@dataclass(frozen=True)
class PaymentPerformanceRule(RuleSection):
    """Issue 17: how invoice-level records become the regulation 113 figures."""

    SECTION: ClassVar[str] = "payment_performance"
    TABLE: ClassVar[str] = "payment_performance_rule"

    prompt_payment_days: int = rule("a whole number of days >= 1 (30 under PCR 2015 reg. 113)", lambda v: v >= 1)
    count_disputed_invoices: bool = rule("true or false (reg. 113 counts valid, undisputed invoices: false)")
    period_basis: str = rule("paid_date (an invoice counts in the year it was paid)", lambda v: v == "paid_date")


@dataclass(frozen=True)
class SvmiRule(RuleSection):
    """Issue 17: the Social Value Maturity Index's dimensions and score scale."""

    SECTION: ClassVar[str] = "svmi"
    TABLE: ClassVar[str] = "svmi_rule"

    dimensions: tuple[str, ...] = rule("a non-empty list of dimension codes (lower case, underscores)", bool)
    min_score: float = rule("a number (the lowest score on the scale)")
    max_score: float = rule("a number (the highest score on the scale)")

    def cross_checks(self) -> list[tuple[str, str]]:
        if self.min_score >= self.max_score:
            return [("min_score", f"below max_score ({self.max_score})")]
        return []


@dataclass(frozen=True)
class LocalMultiplierRule(RuleSection):
    """Issue 17: the LM3-style estimate from supply-chain returns and the re-spend survey."""

    SECTION: ClassVar[str] = "local_multiplier"
    TABLE: ClassVar[str] = "local_multiplier_rule"

    locality: str = rule("home (the reporting unit's home boroughs, as for local spend)", lambda v: v == "home")
    min_return_coverage_pct: float = rule("a percentage between 0 and 100", _percentage)
    missing_survey: str = rule("zero (round 3 counts nothing a survey did not measure)", lambda v: v == "zero")


@dataclass(frozen=True)
class SupplierAttributesRule(RuleSection):
    """How dated supplier facts (config/schemes.yml, the supplier_attributes feed) count in KPIs."""

    SECTION: ClassVar[str] = "supplier_attributes"
    TABLE: ClassVar[str] = "supplier_attribute_rule"

    partial_dates: str = rule(
        "conservative (a month or year counts from its last day, lapses from its first) or whole_period",
        lambda v: v in ("conservative", "whole_period"),
    )
    unconfirmed_facts: str = rule(
        "report_separately (not counted in the share; published beside it) or count",
        lambda v: v in ("report_separately", "count"),
    )


# Every section rules.yml must have, in the order Rules lists them.
RULE_SECTIONS: tuple[type[RuleSection], ...] = (
    LocalSpendRule,
    CoverageRule,
    RedactionRule,
    FeedValidationRule,
    SupplierClassificationRule,
    SocialValueRule,
    SupplierMatchingRule,
    IdentityChecksRule,
    ContractPerformanceRule,
    DeprivationRule,
    PaymentPerformanceRule,
    SvmiRule,
    LocalMultiplierRule,
    SupplierAttributesRule,
)


@dataclass(frozen=True)
class Rules:
    local_spend: LocalSpendRule
    coverage: CoverageRule
    redaction: RedactionRule
    feed_validation: FeedValidationRule
    supplier_classification: SupplierClassificationRule
    social_value: SocialValueRule
    supplier_matching: SupplierMatchingRule
    identity_checks: IdentityChecksRule
    contract_performance: ContractPerformanceRule
    deprivation: DeprivationRule
    payment_performance: PaymentPerformanceRule
    svmi: SvmiRule
    local_multiplier: LocalMultiplierRule
    supplier_attributes: SupplierAttributesRule

    @property
    def redaction_patterns(self) -> tuple[str, ...]:
        return self.redaction.patterns

    @property
    def redaction_version(self) -> str:
        return self.redaction.version

    def sections(self) -> tuple[RuleSection, ...]:
        return tuple(getattr(self, cls.SECTION) for cls in RULE_SECTIONS)

    def versions(self) -> dict[str, str]:
        return {section.SECTION: section.version for section in self.sections()}


def _typed(value: Any, kind: Any) -> tuple[bool, Any]:
    """(is it of the declared type, the value as that type). YAML's int is a float; a bool is never a number."""
    if kind is bool:
        return isinstance(value, bool), value
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if kind is str:
        return isinstance(value, str) and value != "", value
    if get_origin(kind) is tuple:
        ok = isinstance(value, list) and all(isinstance(v, str) and v != "" for v in value)
        return ok, tuple(value) if ok else value
    raise TypeError(f"rule parameters of type {kind!r} are not supported")  # a new field type: add it here


def _yaml_hint(value: Any) -> str:
    if isinstance(value, list) and any(isinstance(v, bool) for v in value):
        return " (YAML reads an unquoted NO, YES, ON or OFF as false or true: quote it, e.g. 'NO')"
    return ""


def parse_rule_section(cls: type[RuleSection], raw: Any, path: Path | str) -> RuleSection:
    """One section of rules.yml as its dataclass, or a ConfigError naming the file, the key and the fix."""
    name = cls.SECTION
    if not isinstance(raw, dict) or "version" not in raw:
        raise ConfigError(f"{path}: section '{name}' with a 'version' is required")
    declared = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(declared))
    if unknown:
        key = unknown[0]
        near = difflib.get_close_matches(key, declared, n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise ConfigError(
            f"{path}: {name}.{key} is not a key of the '{name}' section; {hint}"
            f"its keys are: {', '.join(declared)} (a new key also needs its field in {cls.__name__}, "
            "ingestion/registry.py)"
        )
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, spec in declared.items():
        must = spec.metadata["must"]
        if key not in raw:
            raise ConfigError(
                f"{path}: {name}.{key} must be {must}; it is missing: add '{key}:' to the '{name}' section"
            )
        ok, value = _typed(raw[key], hints[key])
        check = spec.metadata["ok"]
        if not ok or (check is not None and not check(value)):
            raise ConfigError(f"{path}: {name}.{key} must be {must}, not {raw[key]!r}{_yaml_hint(raw[key])}")
        values[key] = value
    section = cls(**values)
    problems = section.cross_checks()
    if problems:
        key, problem = problems[0]
        raise ConfigError(f"{path}: {name}.{key} must be {problem}, not {values[key]!r}")
    return section


def parse_rules(raw: dict, path: Path | str = "config/rules.yml") -> Rules:
    sections = {cls.SECTION: parse_rule_section(cls, raw.get(cls.SECTION), path) for cls in RULE_SECTIONS}
    extra = sorted(set(raw) - set(sections))
    if extra:
        raise ConfigError(
            f"{path}: unknown section(s) {extra}; the sections are: {', '.join(sections)} "
            "(a new section is a RuleSection dataclass in ingestion/registry.py, listed in RULE_SECTIONS)"
        )
    return Rules(**sections)  # type: ignore[arg-type]


# config/ as this repository ships it
SHIPPED_CONFIG = Path(__file__).resolve().parent.parent / "config"


@functools.cache
def shipped_rules() -> Rules:
    """The rules as shipped, for code that runs outside the pipeline (benchmarks, resolve() called
    directly) and would otherwise carry its own copy of a rule value."""
    return load_rules(SHIPPED_CONFIG)


def load_rules(config_dir: Path) -> Rules:
    path = config_dir / "rules.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"rules not found at {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    return parse_rules(raw, path)
