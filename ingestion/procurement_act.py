"""Procurement Act 2023 notices (OCDS with the UK extension): releases merged into one compiled
release per contracting process, then flattened to contract, KPI and rating rows.

Find a Tender publishes one OCDS *release* per notice (UK1..UK17). A contract's story is spread over
several of them: the award (UK6), the contract details with up to three KPIs (UK7), a performance
rating of each KPI at least once a year (UK9), changes and terminations (UK10-UK12). Reading any one
release alone gives a partial or stale contract, so releases are merged per `ocid` by the OCDS
compiled-release rules (https://standard.open-contracting.org/1.1/en/schema/merging/):

  * releases are applied oldest first (by `date`; a tie keeps the order in the file);
  * an object is merged field by field, a later value replacing an earlier one; an explicit null
    removes the field;
  * an array of objects that all carry an `id` is merged by id (a later object with the same id is
    merged into the earlier one, new ids are appended), except where the schema marks the field
    `wholeListMerge` (then the later array replaces the earlier one whole);
  * any other array (strings, objects without ids) is replaced whole;
  * the release's own `id`, `date` and `tag` are not merged: the compiled release gets
    tag ["compiled"] and the date of the newest release.

The notice type of each release (the UK extension's `documents[].noticeType`) is recorded before
merging, so the history (UK6, UK7, UK9, UK9, UK11...) survives even where documents share ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# The UK extension's rating of an actual observation against its KPI (Observation.measureClassification):
# "In the UK, possible id values are met, slightlyBelow, below, significantlyBelow and other" (the
# extension's release-schema.json; tests/unit/test_procurement_act.py checks this list against it).
# The words are those of the UK9 contract performance notice.
UK9_RATINGS: dict[str, str] = {
    "met": "good",
    "slightlyBelow": "approaching target",
    "below": "requires improvement",
    "significantlyBelow": "inadequate",
    "other": "other",
}


def whole_list_merge_fields(schema: dict) -> frozenset[str]:
    """Property names marked wholeListMerge anywhere in a (patch) schema."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in (node.get("properties") or {}).items():
                if isinstance(value, dict) and value.get("wholeListMerge"):
                    found.add(key)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return frozenset(found)


# The properties the UK extension's release-schema.json marks wholeListMerge: replaced whole when
# merging, never merged by id. Listed here, not read at run time, so a run needs no copy of the
# extension; tests/unit/test_procurement_act.py checks the list against the published schema.
WHOLE_LIST_MERGE = frozenset(
    {"buyerClassificationRestrictions", "buyerLocationRestrictions", "criteria", "rationaleClassifications"}
)
RELEASE_ONLY = ("id", "date", "tag")


def _is_identified_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "id" in v for v in value)


def _merge_value(key: str, earlier: Any, later: Any, whole: frozenset[str]) -> Any:
    if isinstance(earlier, dict) and isinstance(later, dict):
        return merge_object(earlier, later, whole)
    if key not in whole and _is_identified_list(later) and (earlier is None or _is_identified_list(earlier)):
        merged: dict[str, Any] = {str(item["id"]): item for item in (earlier or [])}
        for item in later:
            item_id = str(item["id"])
            merged[item_id] = merge_object(merged[item_id], item, whole) if item_id in merged else item
        return list(merged.values())
    return later


def merge_object(earlier: dict, later: dict, whole: frozenset[str] = WHOLE_LIST_MERGE) -> dict:
    """`later` merged onto `earlier` by the OCDS rules (a new dict; neither argument is changed)."""
    out = dict(earlier)
    for key, value in later.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge_value(key, out.get(key), value, whole)
    return out


def notice_types(release: dict) -> list[str]:
    """The UK notice types (UK1..UK17) a release's documents declare, in the order they appear."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            kind = node.get("noticeType")
            if isinstance(kind, str) and re.fullmatch(r"UK\d{1,2}", kind.strip()) and kind.strip() not in found:
                found.append(kind.strip())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(release)
    return found


def compile_releases(releases: Iterable[dict], whole: frozenset[str] = WHOLE_LIST_MERGE) -> dict:
    """One contracting process's releases as its compiled release, with `_notices` (the notice
    history, oldest first: release id, date, notice types) and `_releases` (how many were merged)."""
    ordered = sorted(enumerate(releases), key=lambda pair: (str(pair[1].get("date") or ""), pair[0]))
    compiled: dict = {}
    history = []
    for _, release in ordered:
        body = {k: v for k, v in release.items() if k not in RELEASE_ONLY}
        compiled = merge_object(compiled, body, whole)
        history.append({"id": release.get("id"), "date": release.get("date"), "types": notice_types(release)})
    if ordered:
        newest = ordered[-1][1]
        compiled["id"] = f"{compiled.get('ocid')}-{newest.get('date')}"
        compiled["date"] = newest.get("date")
    compiled["tag"] = ["compiled"]
    compiled["_notices"] = history
    compiled["_releases"] = len(history)
    return compiled


def _day(value: Any) -> str | None:
    """An OCDS date-time ('2025-06-30T00:00:00Z') as its calendar day, the form the feed's date_format reads."""
    return value[:10] if isinstance(value, str) and len(value) >= 10 else value


def _buyer(compiled: dict, parties: dict) -> tuple[str | None, str | None]:
    """(identifier, name) of the buyer: the party's identifier written scheme-id (GB-PPON-...), else its id."""
    ref = compiled.get("buyer") or {}
    named = parties.get(ref.get("id"))
    party: dict = named or next((p for p in parties.values() if "buyer" in (p.get("roles") or [])), None) or {}
    identifier = party.get("identifier") or {}
    buyer_id: str | None
    if identifier.get("scheme") and identifier.get("id"):
        buyer_id = f"{identifier['scheme']}-{identifier['id']}"
    else:
        buyer_id = ref.get("id") or party.get("id")
    return buyer_id, ref.get("name") or party.get("name")


def _target(metric: dict) -> str | None:
    """A UK7 KPI's target as written: the first agreed observation's measure, or its value and unit."""
    for obs in metric.get("observations") or []:
        if obs.get("measure") not in (None, ""):
            return str(obs["measure"])
        value = (obs.get("value") or {}).get("amount")
        if value is not None:
            unit = (obs.get("unit") or {}).get("name")
            return f"{value} {unit}".strip() if unit else str(value)
    return None


def compiled_rows(compiled: dict, line: int) -> list[dict]:
    """Rows of one compiled release: a `contract` row per contract, a `kpi` row per UK7 agreed
    metric, a `rating` row per UK9 observation; a process with no contract yet (UK1-UK5 only)
    gives one `process` row, so it is accounted for (set aside with its reason), not lost."""
    parties = {p.get("id"): p for p in compiled.get("parties") or []}
    awards = {a.get("id"): a for a in compiled.get("awards") or []}
    buyer_id, buyer_name = _buyer(compiled, parties)
    history = compiled.get("_notices") or []
    kinds = [t for notice in history for t in notice["types"]]
    latest = next((n for n in reversed(history) if n["types"]), None)
    base = {
        "source_line": line,
        "ocid": compiled.get("ocid"),
        "buyer_id": buyer_id,
        "buyer_name": buyer_name,
        "notice_types": ",".join(kinds) or None,
        "latest_notice_type": latest["types"][-1] if latest else None,
        "latest_notice_date": _day(latest["date"]) if latest else None,
        "release_count": compiled.get("_releases"),
    }
    rows: list[dict] = []
    for contract in compiled.get("contracts") or []:
        award = awards.get(contract.get("awardID")) or {}
        suppliers = award.get("suppliers") or []
        supplier = parties.get(suppliers[0].get("id"), suppliers[0]) if suppliers else {}
        period = contract.get("period") or {}
        shared = {**base, "contract_ref": contract.get("id"), "award_id": contract.get("awardID")}
        rows.append(
            {
                **shared,
                "row_kind": "contract",
                "title": contract.get("title") or award.get("title") or (compiled.get("tender") or {}).get("title"),
                "supplier_name": supplier.get("name"),
                "supplier_id": supplier.get("id"),
                "contract_value_gbp": (contract.get("value") or award.get("value") or {}).get("amount"),
                "award_date": _day(award.get("date") or contract.get("dateSigned")),
                "start_date": _day(period.get("startDate")),
                "end_date": _day(period.get("endDate")),
                "contract_status": contract.get("status"),
                "amendment_count": len(contract.get("amendments") or []),
                "kpi_count": len(contract.get("agreedMetrics") or []),
            }
        )
        for metric in contract.get("agreedMetrics") or []:
            rows.append(
                {
                    **shared,
                    "row_kind": "kpi",
                    "kpi_id": metric.get("id"),
                    "kpi_title": metric.get("title"),
                    "kpi_target": _target(metric),
                }
            )
        for metric in (contract.get("implementation") or {}).get("metrics") or []:
            for obs in metric.get("observations") or [None]:
                obs = obs or {}
                rating = obs.get("measureClassification") or {}
                obs_period = obs.get("period") or {}
                rows.append(
                    {
                        **shared,
                        "row_kind": "rating",
                        "kpi_id": metric.get("id"),
                        "kpi_title": metric.get("title"),
                        "observation_id": obs.get("id"),
                        "rating": rating.get("id"),
                        "rating_label": rating.get("description"),
                        "period_start": _day(obs_period.get("startDate")),
                        "period_end": _day(obs_period.get("endDate")),
                    }
                )
    if not rows:
        rows.append({**base, "row_kind": "process"})
    return rows


def compile_file(releases: list[tuple[int, dict]]) -> list[dict]:
    """All rows of a file's releases: grouped by ocid (first line of each process keeps its place),
    compiled, flattened. A release with no ocid cannot be merged with anything: it stands alone,
    and its rows carry no ocid, so the feed's suite quarantines them with the reason."""
    groups: dict[Any, list[tuple[int, dict]]] = {}
    for line, release in releases:
        ocid = release.get("ocid")
        key = ocid if isinstance(ocid, str) and ocid.strip() else ("no-ocid", line)
        groups.setdefault(key, []).append((line, release))
    rows: list[dict] = []
    for members in groups.values():
        compiled = compile_releases(r for _, r in members)
        rows += compiled_rows(compiled, members[0][0])
    return rows
