"""The supplier_attributes feed: dated facts that an organisation held a scheme's status.

A fact names an organisation (and, where known, its company or charity number), a scheme from
config/schemes.yml, the dates it held from and (if it lapsed) to, its evidence and its source. This
module does the parts the generic reader (ingestion/generic_feed.py) cannot do from column types
alone: it reads the scheme list, names each fact's scheme code, settles whether the fact is
confirmed, and adds the two row checks a dated fact needs (a known scheme; dates in order). Facts
that fail are quarantined with the reason and the fix, like any other feed's rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import yaml

from ingestion.partial_dates import period_end
from ingestion.readers import header_key
from ingestion.registry import ConfigError, Registry
from ingestion.validate import BLOCKING, Expectation, gx

FEED = "supplier_attributes"
SCHEMES_FILE = "schemes.yml"
CONFIRMED_BY_FEED = "the feed's confirmed column"
CONFIRMED_BY_WORDING = "the scheme's published wording (config/schemes.yml)"


@dataclass(frozen=True)
class PublishedAs:
    scheme: str
    status: str | None  # a regular expression the published status must match whole
    confirmed: bool


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    published_as: tuple[PublishedAs, ...]


@dataclass(frozen=True)
class Schemes:
    version: str
    schemes: tuple[Scheme, ...]

    def match(self, scheme: str | None, status: str | None) -> tuple[str | None, bool | None]:
        """(scheme code, confirmed by its wording) for a fact's scheme and status cells; (None, None)
        when no entry matches."""
        if scheme is None:
            return None, None
        key = header_key(scheme)
        for entry in self.schemes:
            if key in (header_key(entry.code), header_key(entry.name)):
                return entry.code, True
            for form in entry.published_as:
                if header_key(form.scheme) != key:
                    continue
                if form.status is None or (
                    status is not None and re.fullmatch(form.status, status.strip(), re.IGNORECASE | re.DOTALL)
                ):
                    return entry.code, form.confirmed
        return None, None

    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.schemes)


def parse_schemes(raw: object, where: str) -> Schemes:
    if not isinstance(raw, dict) or not raw.get("version") or not isinstance(raw.get("schemes"), list):
        raise ConfigError(f"{where}: give a 'version' and a list of 'schemes' (see the comment at its top)")
    schemes: list[Scheme] = []
    for i, entry in enumerate(raw["schemes"], start=1):
        at = f"{where}: scheme {i}"
        if not isinstance(entry, dict) or not entry.get("code") or not entry.get("name"):
            raise ConfigError(f"{at}: each scheme needs a 'code' and a 'name'")
        code = str(entry["code"])
        if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise ConfigError(f"{at}: code {code!r} must be lower-case letters, digits and _")
        if code in {s.code for s in schemes}:
            raise ConfigError(f"{at}: code {code!r} is defined twice")
        forms = []
        for j, form in enumerate(entry.get("published_as") or [], start=1):
            if not isinstance(form, dict) or not form.get("scheme"):
                raise ConfigError(f"{at} ({code}), published_as {j}: give the scheme's published name as 'scheme'")
            status = form.get("status")
            if status is not None:
                try:
                    re.compile(str(status))
                except re.error as exc:
                    raise ConfigError(
                        f"{at} ({code}), published_as {j}: status {status!r} is not a valid regular expression: {exc}"
                    ) from exc
            confirmed = form.get("confirmed", True)
            if not isinstance(confirmed, bool):
                raise ConfigError(f"{at} ({code}), published_as {j}: confirmed must be true or false")
            forms.append(PublishedAs(str(form["scheme"]), None if status is None else str(status), confirmed))
        schemes.append(Scheme(code, str(entry["name"]), tuple(forms)))
    if not schemes:
        raise ConfigError(f"{where}: 'schemes' is empty")
    return Schemes(str(raw["version"]), tuple(schemes))


def load_schemes(config_dir: Path) -> Schemes:
    path = config_dir / SCHEMES_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"scheme list not found at {path} (the supplier_attributes feed needs it)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    return parse_schemes(raw, f"config/{SCHEMES_FILE}")


def attach_schemes(registry: Registry, config_dir: Path) -> Registry:
    """The registry with the scheme list on every supplier_attributes layout, so each reader of a
    layout (a pipeline load, `svw validate-feed`) matches schemes against the same list. Without any
    such layout, no scheme list is needed."""
    if not any(FEED in p.feeds for p in registry.partners.values()):
        return registry
    schemes = load_schemes(config_dir)
    partners = {
        code: replace(
            partner,
            feeds={
                feed: tuple(replace(c, schemes=schemes) for c in layouts) if feed == FEED else layouts
                for feed, layouts in partner.feeds.items()
            },
        )
        for code, partner in registry.partners.items()
    }
    return replace(registry, partners=partners)


def scheme_table(schemes: Schemes) -> pd.DataFrame:
    """The scheme list as the reference table dbt reads (stg_reference__schemes)."""
    return pd.DataFrame(
        {
            "scheme_code": [s.code for s in schemes.schemes],
            "scheme_name": [s.name for s in schemes.schemes],
            "scheme_order": list(range(1, len(schemes.schemes) + 1)),
            "schemes_version": schemes.version,
        }
    )


def prepare_attributes(prepared: pd.DataFrame, mapped: pd.DataFrame, schemes: Schemes | None) -> pd.DataFrame:
    """Add scheme_code, the settled `confirmed` and its basis, and the date-order helper to the rows
    the generic reader parsed."""
    if schemes is None:
        raise ConfigError(f"the {FEED} layout has no scheme list attached (config/{SCHEMES_FILE}); load the registry")
    out = prepared.copy()
    status = out["scheme_status"] if "scheme_status" in out else pd.Series(None, index=out.index)
    matched = [schemes.match(_text(s), _text(t)) for s, t in zip(out["scheme"].tolist(), status.tolist(), strict=True)]
    out["scheme_code"] = pd.Series([m[0] for m in matched], index=out.index, dtype="string")
    given_confirmed = "confirmed" in mapped and mapped["confirmed"].notna().to_numpy()
    by_wording = pd.Series([m[1] for m in matched], index=out.index, dtype="boolean")
    given = out["confirmed"].astype("boolean")
    given_mask = pd.Series(given_confirmed, index=out.index) & given.notna()
    out["confirmed"] = given.where(given_mask, by_wording)
    out["confirmed_basis"] = pd.Series(
        [
            CONFIRMED_BY_FEED if g else (CONFIRMED_BY_WORDING if pd.notna(c) else None)
            for g, c in zip(given_mask.tolist(), out["scheme_code"].tolist(), strict=True)
        ],
        index=out.index,
        dtype="string",
    )
    out["dates_in_order"] = [
        _in_order(f, t, tp)
        for f, t, tp in zip(out["valid_from"].tolist(), out["valid_to"].tolist(), out["valid_to_precision"].tolist())
    ]
    return out


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _in_order(valid_from, valid_to, to_precision) -> bool:
    """False only when the whole period valid_to names ends before valid_from begins."""
    if valid_from is None or valid_to is None or pd.isna(valid_from) or pd.isna(valid_to):
        return True
    return period_end(valid_to, _text(to_precision) or "day") >= valid_from


def attribute_expectations(schemes: Schemes | None, tolerance_pct: float) -> list[Expectation]:
    mostly = 1.0 - tolerance_pct / 100.0
    known = ", ".join(schemes.codes()) if schemes else "none"
    E = gx.expectations
    return [
        Expectation(
            "scheme_known",
            BLOCKING,
            f"unknown scheme: the scheme (and status) matches no entry of config/{SCHEMES_FILE} (its codes: {known})",
            f"write the scheme as one of config/{SCHEMES_FILE}'s codes or names, or add how it is published to "
            "that scheme's published_as (a new scheme is a new entry there; bump its version)",
            E.ExpectColumnValuesToNotBeNull(column="scheme_code", mostly=mostly),
        ),
        Expectation(
            "valid_to_not_before_valid_from",
            BLOCKING,
            "valid_to is before valid_from",
            "check the two dates (is one of them mistyped, or are they the wrong way round?)",
            E.ExpectColumnValuesToBeInSet(column="dates_in_order", value_set=[True], mostly=mostly),
        ),
    ]
