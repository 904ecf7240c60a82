"""Build the supplier tables dbt reads: records, payee->record keys, record->organisation links.

    data/raw/resolution/payee_records.parquet    (partner, supplier_ref, supplier_name) -> record_key
    data/raw/resolution/supplier_records.parquet one row per record: names, numbers, addresses, flags
    data/raw/resolution/supplier_links.parquet   record_key -> supplier_id, and how it was linked
    data/raw/resolution/flag_overrides.parquet   partners' SME/VCSE decisions

All name logic lives here (Python), so dbt only joins on keys.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import yaml

from ingestion.missing import query_frame, text_or_none, values_or_none
from ingestion.normalise import normalise_postcodes, postcode_districts
from ingestion.raw_store import write_tables
from ingestion.registers import RegisterTables
from ingestion.registers.evidence import register_evidence, registers_reached
from ingestion.registry import SupplierClassificationRule, SupplierMatchingRule, load_rules
from ingestion.resolution.attributes import attribute_links
from ingestion.resolution.classify import name_evidence, registration_evidence
from ingestion.resolution.identifiers import charity_number, company_number
from ingestion.resolution.kept import RESOLVE_COLUMNS, KeptResolution, resolve_kept
from ingestion.resolution.names import legal_forms, name_key
from ingestion.resolution.resolve import Overrides

RESOLUTION_TABLES = (
    "payee_records",
    "party_records",
    "supplier_records",
    "supplier_links",
    "flag_overrides",
    "attribute_links",  # supplier_attributes facts -> organisations (ingestion/resolution/attributes.py)
)


class OverridesError(ValueError):
    pass


@dataclass
class OverridesFile:
    version: str
    overrides: Overrides
    flags: pd.DataFrame
    unmatched: list[str] = field(default_factory=list)


def record_key(partner: str, supplier_ref: str | None, name: str | None) -> str:
    """A partner's vendor ID keys its record; without one (None, NA, NaN or blank, all alike: see
    ingestion/missing.py) the payee's name does: its name key and the legal forms it carries, in
    their canonical spelling ('Tame Highways Limited' -> 'partner:name:TAME HIGHWAYS LTD'). The form
    is kept since supplier-matching-v5: 'Tame Highways LLP', '... Limited' and '... plc' bidding in one
    partner's tenders are three legal persons, and one record for the three would pool their bids
    and declarations before any matching rule could keep them apart ('Ltd' and 'Limited' are one form)."""
    ref = text_or_none(supplier_ref)
    if ref is not None:
        return f"{partner}:ref:{ref}"
    text = text_or_none(name)
    if not text:
        return f"{partner}:name:"
    forms = " ".join(sorted(legal_forms(text)))
    return f"{partner}:name:{name_key(text) or text.upper()}" + (f" {forms}" if forms else "")


def _record_keys(frame: pd.DataFrame) -> list[str]:
    """record_key for each row of a frame with partner_code, supplier_ref and supplier_name."""
    columns = (values_or_none(frame[c]) for c in ("partner_code", "supplier_ref", "supplier_name"))
    return [record_key(p, r, n) for p, r, n in zip(*columns)]


def _key_of(entry: dict, where: str) -> str:
    if not isinstance(entry, dict) or "partner" not in entry or not ({"supplier_ref", "name"} & set(entry)):
        raise OverridesError(
            f"{where}: name a record as {{partner: ..., supplier_ref: ...}} or "
            f"{{partner: ..., name: ...}}; got {entry!r}"
        )
    return record_key(entry["partner"], entry.get("supplier_ref"), entry.get("name"))


def load_overrides(path: Path) -> OverridesFile:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    raw = raw or {}
    links = []
    for i, pair in enumerate(raw.get("force_link") or []):
        if not isinstance(pair, list) or len(pair) != 2:
            raise OverridesError(f"{path}: force_link entry {i + 1} must be a list of two records")
        links.append((_key_of(pair[0], f"{path}: force_link {i + 1}"), _key_of(pair[1], f"{path}: force_link {i + 1}")))
    splits = [_key_of(e, f"{path}: force_split {i + 1}") for i, e in enumerate(raw.get("force_split") or [])]
    flags = []
    for i, entry in enumerate(raw.get("classification") or []):
        where = f"{path}: classification {i + 1}"
        if "reason" not in entry:
            raise OverridesError(f"{where}: give a 'reason' for the decision")
        flags.append(
            {
                "record_key": _key_of(entry, where),
                "is_sme": entry.get("is_sme"),
                "is_vcse": entry.get("is_vcse"),
                "reason": entry["reason"],
                "decided_on": str(entry.get("decided_on", "")),
            }
        )
    flag_frame = pd.DataFrame(flags, columns=["record_key", "is_sme", "is_vcse", "reason", "decided_on"])
    return OverridesFile(
        version=str(raw.get("version", "unversioned")),
        overrides=Overrides(links, splits),
        flags=flag_frame.astype({"is_sme": "boolean", "is_vcse": "boolean"}),
    )


def _read(con, raw_dir: Path, feed: str, sql: str) -> pd.DataFrame:
    pattern = str(raw_dir / feed / "partner=*" / "period=*" / "rows.parquet")
    return query_frame(con, sql.replace("{rows}", "read_parquet(?, union_by_name = true)"), [pattern])


# Where the other feeds name a supplier: (feed, name column, postcode column, numbers, declared flags).
PARTY_SOURCES = {
    "contracts": ("supplier_name", "supplier_postcode", "company_number", None, None, None),
    "tenders": ("bidder_name", "bidder_postcode", None, None, "is_sme_declared", "is_vcse_declared"),
    "supply_chain": ("subcontractor_name", "subcontractor_postcode", "company_number", "charity_number", None, None),
}
ORIGIN_PRIORITY = {"supplier_list": 0, "ledger": 1, "contracts": 2, "supply_chain": 3, "tenders": 4}
RECORD_COLUMNS = [
    "record_key",
    "origin",
    "partner_code",
    "supplier_ref",
    "supplier_name",
    "postcode",
    "postcode_district",
    "address_type",
    "company_number",
    "charity_number",
    "vat_number",
    "is_sme",
    "is_vcse",
    "is_sme_declared",
    "is_vcse_declared",
    "evidence_date",
]


def _party_records(con, raw_dir: Path) -> pd.DataFrame:
    """Suppliers named in contracts, bids and supply-chain returns (one row per feed, partner, name)."""
    frames = []
    for feed, (name, postcode, company, charity, sme, vcse) in PARTY_SOURCES.items():

        def col(column, kind="varchar"):
            return f"min({column})" if column else f"cast(null as {kind})"  # min: the same every run

        frame = _read(
            con,
            raw_dir,
            feed,
            f"""
            select '{feed}' as feed, partner_code, {name} as supplier_name, {col(postcode)} as postcode,
                   {col(company)} as company_number, {col(charity)} as charity_number,
                   {"bool_or(" + sme + ")" if sme else "cast(null as boolean)"} as is_sme_declared,
                   {"bool_or(" + vcse + ")" if vcse else "cast(null as boolean)"} as is_vcse_declared,
                   max(cast(loaded_at as date)) as evidence_date
            from {{rows}}
            where {name} is not null
            group by all""",
        )
        frames.append(frame)
    parties = pd.concat(frames, ignore_index=True)
    return parties.sort_values(["feed", "partner_code", "supplier_name"], kind="stable", ignore_index=True)


def _attribute_facts(con, raw_dir: Path) -> pd.DataFrame:
    """The supplier_attributes facts loaded (none: an empty frame, whether or not the feed has a folder)."""
    columns = ["partner_code", "source_file_hash", "source_row_number", "organisation_name"]
    columns += ["company_number", "charity_number"]
    if not any((raw_dir / "supplier_attributes").glob("partner=*/period=*/rows.parquet")):
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    return _read(con, raw_dir, "supplier_attributes", f"select {', '.join(columns)} from {{rows}}")


def _declared_anywhere(candidates: pd.DataFrame, flags: list[str]) -> pd.DataFrame:
    """Per record key and flag: True when any of its sources declares it, False when some declare
    and none says True, missing (pd.NA) when none declares. Vectorised: a Python function per key
    cost a quarter of resolution's time at a million ledger lines."""
    keys = candidates["record_key"]
    values = candidates[flags].astype("boolean")
    declared = values.notna().groupby(keys).any()
    any_true = values.fillna(False).groupby(keys).any()
    return any_true.astype("boolean").where(declared, pd.NA)


class _SetAside:
    """Frames that wait in a private temporary file while resolution runs, so its heap has their
    memory; read back as they were. Pickle, not Parquet: it gives back each column's exact dtype
    (Parquet reads Python-backed text as Arrow-backed), and the file is this process's own, written
    and read by it alone. Until `to_disk` is called they stay in memory (links kept from the last
    run: nothing to make room for). The file goes under `folder` (the raw layer's _staging/, which
    readers skip), not the system's temporary folder, which may be memory itself (tmpfs)."""

    def __init__(self, folder: Path, **frames: pd.DataFrame):
        self._within = folder
        self._frames: dict[str, pd.DataFrame] = frames
        self._folder: tempfile.TemporaryDirectory | None = None

    def _path(self) -> Path:
        assert self._folder is not None
        return Path(self._folder.name) / "frames.pickle"

    def to_disk(self) -> None:
        """Write the frames and let them go; if they cannot be written (no space, no folder), they
        stay in memory and resolution goes on with a higher peak and the same links."""
        try:
            self._within.mkdir(parents=True, exist_ok=True)
            _remove_abandoned_asides(self._within)
            self._folder = tempfile.TemporaryDirectory(prefix=_aside_prefix(os.getpid()), dir=self._within)
            with self._path().open("wb") as out:
                pickle.dump(self._frames, out, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as error:
            if self._folder is not None:
                self._folder.cleanup()
                self._folder = None
            logging.getLogger(__name__).warning(
                "could not set the supplier records aside in %s while resolution runs (%s): they stay in "
                "memory, so its peak is higher. Free space there, or make the folder writable.",
                self._within,
                error,
            )
            return
        self._frames = {}
        pa.default_memory_pool().release_unused()  # Arrow's pool keeps what was freed unless told

    def take_back(self, *names: str) -> tuple[pd.DataFrame, ...]:
        if self._folder is not None:
            with self._path().open("rb") as kept:
                self._frames = pickle.load(kept)
            self._folder.cleanup()
            self._folder = None
        frames, self._frames = self._frames, {}
        return tuple(frames[name] for name in names)


def _aside_prefix(pid: int) -> str:
    # the machine and the process that own the folder: another machine's processes are never judged
    return f"resolution_aside_{socket.gethostname()}_{pid}_"


def _remove_abandoned_asides(folder: Path) -> None:
    """Remove the folders that resolutions killed outright (SIGKILL, out of memory) left behind: a
    process that dies that way never cleans up, and each folder holds the records of one run (about
    400 MB at 10M ledger lines). A folder is abandoned only when its process, on this machine, no
    longer exists; a live run's folder, or another machine's, is left alone."""
    own = f"resolution_aside_{socket.gethostname()}_"
    for path in folder.glob(f"{own}*"):
        pid_text = path.name[len(own) :].split("_", 1)[0]
        if not (path.is_dir() and pid_text.isdigit()) or _process_alive(int(pid_text)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        logging.getLogger(__name__).info("removed %s, left by a resolution that was killed", path)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def build_supplier_tables(
    raw_dir: Path,
    overrides: OverridesFile,
    classification_rules: SupplierClassificationRule,
    matching_rules: SupplierMatchingRule,
    registers: RegisterTables | None = None,
    kept_dir: Path | None = None,
    on_resolved: Callable[[KeptResolution], None] | None = None,
    workers: int = 1,
) -> dict[str, pd.DataFrame]:
    """`registers`: the reference registers (ingestion/registers); by default those the `registers`
    assets wrote to <raw_dir>/registers/ (none supplied: no register records, no register links).
    `kept_dir`: where the last run's links are kept, reused when resolve's inputs are unchanged
    (ingestion/resolution/kept.py); `on_resolved` is told whether they were. `workers`: processes for
    resolution's partner-local pass (the links do not depend on it)."""
    con = duckdb.connect()
    listed = _read(
        con,
        raw_dir,
        "suppliers",
        """
        select partner_code, supplier_ref, supplier_name, postcode, postcode_district, address_type,
               company_number, charity_number, vat_number, is_sme, is_vcse,
               cast(loaded_at as date) as evidence_date
        from {rows}
        order by partner_code, period, source_file, source_row_number""",
    )
    # Names and vendor IDs trimmed, and empty text read as missing, exactly as stg_raw__spend does:
    # the payee keys written here are joined back to the ledger lines on these two columns.
    payees = _read(
        con,
        raw_dir,
        "spend",
        """
        select partner_code, nullif(trim(supplier_ref), '') as supplier_ref,
               nullif(trim(supplier_name), '') as supplier_name,
               min(company_number) as company_number, min(charity_number) as charity_number,
               min(vat_number) as vat_number, count(*) as payments,
               max(cast(loaded_at as date)) as evidence_date
        from {rows}
        where not is_redacted and nullif(trim(supplier_name), '') is not null
        group by all""",
    )
    parties = _party_records(con, raw_dir)
    facts = _attribute_facts(con, raw_dir)
    con.close()

    payees["record_key"] = _record_keys(payees)
    listed["record_key"] = _record_keys(listed)
    # A party with a registration number is keyed by it, so two firms whose names read alike in one
    # partner's contracts and returns are never fused into one record.
    parties["record_key"] = [
        f"{p}:company:{company_number(c)}"
        if company_number(c)
        else (f"{p}:charity:{charity_number(h)}" if charity_number(h) else record_key(p, None, n))
        for p, n, c, h in zip(
            *(values_or_none(parties[c]) for c in ("partner_code", "supplier_name", "company_number", "charity_number"))
        )
    ]
    listed["origin"] = "supplier_list"
    # A record's name is the one its partner paid most often, ties broken by the name itself: never
    # by row order, which depends on what other partners sent (a partner's figures must not).
    ledger = payees.sort_values(["payments", "supplier_name"], ascending=[False, True], kind="stable").assign(
        origin="ledger"
    )
    # Their addresses are typed by where they came from, so the address rule can rank them.
    others = parties.assign(origin=parties["feed"], address_type=parties["feed"])
    candidates = pd.concat([listed, ledger, others], ignore_index=True)
    candidates["priority"] = candidates["origin"].map(ORIGIN_PRIORITY)
    candidates = candidates.sort_values(["record_key", "priority"], kind="stable")
    # One record per key: each attribute from the most trusted source that gives it.
    records = candidates.groupby("record_key", as_index=False, sort=True).first()
    declared = _declared_anywhere(candidates, ["is_sme_declared", "is_vcse_declared"])
    records = records.drop(columns=["is_sme_declared", "is_vcse_declared"]).merge(
        declared.reset_index(), on="record_key", how="left"
    )
    # Resolution's heap is what sets the pipeline's peak memory (1.3M records at 10M ledger lines):
    # the copies that made the records go before it starts, and the payees keep only what is written.
    del candidates, ledger, listed, others, declared
    payees = payees[["partner_code", "supplier_ref", "supplier_name", "record_key", "payments"]]
    # Register records the partner records reach (a site, its operator, a company by a previous name)
    # and the links the registers make (ingestion/registers/evidence.py).
    evidence = register_evidence(
        records, registers if registers is not None else registers_reached(raw_dir / "registers", records)
    )
    records = evidence.with_records(records)
    for column in ("postcode", "postcode_district", "address_type"):
        records[column] = records[column].astype("string")
    # A bare postcode given by contracts or returns: derive its district too.
    given = records["postcode"]
    records["postcode"] = normalise_postcodes(given)
    records["postcode_district"] = records["postcode_district"].fillna(postcode_districts(given, records["postcode"]))
    records["address_type"] = records["address_type"].fillna("supplier_list")
    records["registration_vcse_evidence"] = registration_evidence(records, classification_rules)
    records["name_vcse_evidence"] = name_evidence(records, classification_rules)
    # resolve reads six of the records' columns: the rest of them, and the payees, wait on disk
    # (600-700 MB at 10M ledger lines, which resolution's own heap needed more).
    resolver_input = records.rename(columns={"supplier_name": "name"})[list(RESOLVE_COLUMNS)]
    aside = _SetAside(raw_dir / "_staging", records=records, payees=payees)
    del records, payees
    resolution = resolve_kept(
        resolver_input,
        kept_dir,
        overrides.overrides,
        register_edges=evidence.edges,
        register_keys=evidence.record_keys,
        fuzzy_threshold=matching_rules.fuzzy_threshold,
        use_aliases=matching_rules.use_trading_name_aliases,
        separate_bare_and_company=matching_rules.keep_bare_and_company_names_apart_within_partner,
        before_resolving=aside.to_disk,
        workers=workers,
    )
    del resolver_input
    records, payees = aside.take_back("records", "payees")
    if on_resolved is not None:
        on_resolved(resolution)
    links = evidence.stamp(resolution.links, records)
    known = set(records["record_key"])
    named = (
        {k for pair in overrides.overrides.force_link for k in pair}
        | set(overrides.overrides.force_split)
        | set(overrides.flags["record_key"])
    )
    overrides.unmatched = sorted(named - known)
    # The name key travels with each name, so dbt's identity checks (tests/assert_*identity*) can
    # ask whether the names a record or an organisation joins share a word.
    payees["name_key"] = [name_key(n) for n in values_or_none(payees["supplier_name"])]
    records["name_key"] = [name_key(n) for n in values_or_none(records["supplier_name"])]
    return {
        "payee_records": payees[
            ["partner_code", "supplier_ref", "supplier_name", "record_key", "name_key", "payments"]
        ],
        "party_records": parties[["feed", "partner_code", "supplier_name", "record_key"]],
        "supplier_records": records[
            RECORD_COLUMNS
            + ["registration_vcse_evidence", "name_vcse_evidence", "name_key", "register", "register_version"]
        ],
        # the identity of every organisation depends on the matching rules: their version travels with it
        "supplier_links": links.assign(matching_rule_version=matching_rules.version),
        "flag_overrides": overrides.flags.assign(overrides_version=overrides.version),
        # matched to the organisations above, never resolved into organisations of their own
        "attribute_links": attribute_links(facts, records, links),
    }


@dataclass(frozen=True)
class ResolutionWritten:
    """What a resolution wrote, small enough to return from its own process (ingestion/child_process.py)."""

    rows: dict[str, int]
    organisations: int
    links_by_method: dict[str, int]
    overrides_not_matched: list[str]
    links_kept: bool


def write_supplier_tables(
    raw_dir: Path, config_dir: Path, kept_dir: Path | None, workers: int = 1
) -> ResolutionWritten:
    """Resolve every record with the rules and overrides in `config_dir` and write the tables to
    <raw_dir>/resolution/. The pipeline runs it in a process of its own, which ends with it, so the
    steps after it do not run beside resolution's heap (ingestion/child_process.py); `workers` more
    may resolve partners' own records side by side (resolve._partner_local_clusters)."""
    overrides = load_overrides(config_dir / "overrides" / "suppliers.yml")
    rules = load_rules(config_dir)
    kept: list[bool] = []
    tables = build_supplier_tables(
        raw_dir,
        overrides,
        rules.supplier_classification,
        rules.supplier_matching,
        kept_dir=kept_dir,
        on_resolved=lambda resolution: kept.append(resolution.kept),
        workers=workers,
    )
    rows = write_tables(tables, raw_dir / "resolution")
    links = tables["supplier_links"]
    return ResolutionWritten(
        rows=rows,
        organisations=int(links["supplier_id"].nunique()),
        links_by_method={str(k): int(v) for k, v in links["link_method"].value_counts().items()},
        overrides_not_matched=list(overrides.unmatched),
        links_kept=bool(kept and kept[0]),
    )
