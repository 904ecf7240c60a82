"""The partner registry (config/partners.yml) and rules (config/rules.yml), parsed and checked.

A mistake in the registry is reported with the partner, feed and key to fix, at load time, before any
file is touched: onboarding a partner is configuration, so configuration errors must read like
validation messages, not stack traces.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    # The partner's accepted exceptions (config/exceptions/<partner>.yml, ingestion/exceptions.py),
    # carried on the layout so every reader of it applies the same list. Not part of the mapping:
    # a load fingerprints the entries for its own file separately.
    exceptions: Any = field(default=None, compare=False, repr=False)
    # Where the files are fetched from (ingestion/sources/spec.py SourceSpec); None: dropped in by hand.
    source: Any = field(default=None, compare=False, repr=False)

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.file_pattern, re.IGNORECASE)

    def fingerprint(self) -> str:
        """Changes whenever the mapping changes, so a re-mapped file is reloaded, not skipped."""
        # where the file came from (source) is not how it is read
        mapping = {k: v for k, v in self.__dict__.items() if k not in ("exceptions", "source")}
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
    needs_date_format = feed == "spend" or "date" in schema.types.values()
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
    from ingestion.exceptions import attach_exceptions

    return attach_exceptions(parse_registry(raw), config_dir / "exceptions")


@dataclass(frozen=True)
class Rules:
    raw: dict

    @property
    def local_spend(self) -> dict:
        return self.raw["local_spend"]

    @property
    def redaction_patterns(self) -> tuple[str, ...]:
        return tuple(self.raw["redaction"]["patterns"])

    @property
    def redaction_version(self) -> str:
        return self.raw["redaction"]["version"]

    @property
    def social_value(self) -> dict:
        return self.raw["social_value"]

    @property
    def supplier_classification(self) -> dict:
        return self.raw["supplier_classification"]

    @property
    def coverage(self) -> dict:
        return self.raw["coverage"]

    @property
    def identity_checks(self) -> dict:
        return self.raw["identity_checks"]

    @property
    def feed_validation(self) -> dict:
        return self.raw["feed_validation"]

    def versions(self) -> dict[str, str]:
        return {
            name: section["version"]
            for name, section in self.raw.items()
            if isinstance(section, dict) and "version" in section
        }


def load_rules(config_dir: Path) -> Rules:
    path = config_dir / "rules.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for section in (
        "local_spend",
        "coverage",
        "redaction",
        "feed_validation",
        "supplier_classification",
        "social_value",
        "identity_checks",
    ):
        if section not in raw or "version" not in raw[section]:
            raise ConfigError(f"{path}: section '{section}' with a 'version' is required")
    ls = raw["local_spend"]
    if ls.get("share_denominator") not in ("in_scope_spend", "located_spend"):
        raise ConfigError(f"{path}: local_spend.share_denominator must be in_scope_spend or located_spend")
    if ls.get("threshold_basis") != "partner_supplier_year":
        raise ConfigError(f"{path}: local_spend.threshold_basis supports only partner_supplier_year")
    if ls.get("part_year_threshold") not in ("full", "pro_rata"):
        raise ConfigError(
            f"{path}: local_spend.part_year_threshold must be full (the threshold applies unchanged "
            f"to the months covered) or pro_rata (threshold x months covered / 12), "
            f"not {ls.get('part_year_threshold')!r}"
        )
    for key in ("min_located_spend_pct", "min_recent_return_pct"):
        value = raw["coverage"].get(key)
        if not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise ConfigError(f"{path}: coverage.{key} must be a percentage between 0 and 100, not {value!r}")
    identity = raw["identity_checks"]
    names = identity.get("max_unrelated_names_per_record")
    if not isinstance(names, int) or isinstance(names, bool) or names < 0:
        raise ConfigError(
            f"{path}: identity_checks.max_unrelated_names_per_record must be a whole number >= 0, not {names!r}"
        )
    gap = identity.get("max_in_scope_gap_pct")
    if not isinstance(gap, (int, float)) or isinstance(gap, bool) or not 0 <= gap <= 100:
        raise ConfigError(
            f"{path}: identity_checks.max_in_scope_gap_pct must be a percentage between 0 and 100, not {gap!r}"
        )
    months = raw["coverage"].get("delivery_return_window_months")
    if not isinstance(months, int) or months < 1:
        raise ConfigError(f"{path}: coverage.delivery_return_window_months must be a whole number of months >= 1")
    return Rules(raw=raw)
