"""Link supplier records (partner supplier-list entries and ledger payees) into organisations.

Evidence, strongest first: a partner's override; a shared company, charity or VAT number; the same
name once legal-form words are removed; the same name without spaces; a shared alias ('X Ltd t/a Y',
'X Ltd - Site'); a parent organisation named in a note ('School (part of X Trust)'); a name cut at 35
characters (Trafford's and Salford's ledgers) that begins another; a near-identical name (RapidFuzz
ratio at or above the threshold, same digits). Names never join two organisations whose registration
numbers disagree.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ingestion.missing import text_or_none, values_or_none
from ingestion.registry import shipped_rules
from ingestion.resolution.identifiers import charity_number, company_number, vat_number
from ingestion.resolution.kept_local import KeptPartnerResults
from ingestion.resolution.names import (
    LEGAL_FORMS,
    SHARED,
    alias_kinds,
    clean,
    compact_key,
    denominations,
    forms_conflict,
    fuzzy_words_agree,
    legal_aliases,
    legal_forms,
    name_key,
    names_say_two,
    pairs_that_could_match,
    parent_names,
)

# Register evidence (ingestion/registers/evidence.py) ranks after the numbers and before the names: a
# site joined to its operator by the register itself, a record named as a register names an organisation.
METHOD_RANK = {
    "override_link": 0,
    "company_number": 1,
    "charity_number": 2,
    "vat_number": 3,
    "register_site": 4,
    "register_name": 5,
    "name_exact": 6,
    "name_compact": 7,
    "name_alias": 8,
    "name_parent": 9,
    "name_truncated_prefix": 10,
    "name_fuzzy": 11,
    "name_probabilistic": 12,
    "singleton": 13,
    "override_split": 14,
}
TRUNCATED_LENGTH = 35
# What resolve returns, one row per record
LINK_COLUMNS = (
    "record_key",
    "supplier_id",
    "link_method",
    "link_score",
    "linked_to",
    "identity_basis",
    "carries_identity_number",
)


@dataclass
class Overrides:
    """From config/overrides/suppliers.yml: record keys to link, and record keys to keep apart."""

    force_link: list[tuple[str, str]] = field(default_factory=list)
    force_split: list[str] = field(default_factory=list)


class _Clusters:
    def __init__(self, keys, companies, charities, local: dict[str, str] | None = None, names=None):
        # A record without a number has the empty set, whatever empty value pandas handed over: a
        # float NaN here once made every numbered record 'conflict' with every unnumbered one, so a
        # payee with a company number never met the same name in a ledger without numbers.
        # Frozen sets, replaced on each union rather than changed in place (a set each was about 1 GB
        # of resolution's memory at 1.3M records); and only for the roots that have some: most
        # records carry no number, form or denomination, and a root without an entry has none (an
        # entry each, even the one shared empty set, was four dicts of 1.3M at 10M ledger lines).
        self.parent = {k: k for k in keys}
        self.companies = _only_some(keys, (_number_set(c) for c in companies))
        self.charities = _only_some(keys, (_number_set(c) for c in charities))
        # The legal forms the cluster's names carry (names.legal_forms): like two registration
        # numbers, two forms that share nothing ('X LLP' / 'X Ltd' / 'X plc') are two legal persons.
        names = names or [None] * len(keys)
        self.forms = _only_some(keys, (legal_forms(n) if isinstance(n, str) else _NONE for n in names))
        # and the denominations a school's or church's names carry (names.denominations): 'St John's RC
        # Primary School' and 'St John's CE Primary School' are two schools (supplier-matching-v6)
        self.faiths = _only_some(keys, (denominations(n) if isinstance(n, str) else _NONE for n in names))
        # partner -> the partner-local organisations (see _partner_local_clusters) each cluster holds,
        # kept only for clusters that have joined another: a record on its own holds its own (a dict
        # and a set for each of 1.3M records was half a gigabyte at 10M ledger lines)
        self._local = local or {}
        self.locals: dict[str, dict[str, set[str]]] = {}

    def forget(self) -> None:
        """Drop every record's entries, once the roots are read: at 1.3M records they are most of
        what resolution holds while it writes the links."""
        for table in (self.parent, self.companies, self.charities, self.forms, self.faiths, self.locals):
            table.clear()

    def find(self, k):
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def conflict(self, a, b, forms: bool = True) -> bool:
        """Numbers that disagree; and, unless a register makes the link (`forms` false: a company
        re-registered from plc to Ltd keeps its number and its previous name), legal forms or
        denominations that do."""
        return self._roots_conflict(self.find(a), self.find(b), forms)

    def _roots_conflict(self, ra, rb, forms: bool) -> bool:
        return (
            _disagree(self.companies, ra, rb)
            or _disagree(self.charities, ra, rb)
            or (
                forms
                and (
                    forms_conflict(self.forms.get(ra, _NONE), self.forms.get(rb, _NONE))
                    or forms_conflict(self.faiths.get(ra, _NONE), self.faiths.get(rb, _NONE))
                )
            )
        )

    def _locals_of(self, root) -> dict[str, set[str]]:
        held = self.locals.get(root)
        if held is not None:
            return held
        own = self._local.get(root)
        return {_partner(root): {own}} if own is not None else {}

    def _roots_apart(self, ra, rb) -> bool:
        """Whether joining would merge two organisations one partner's own records keep apart."""
        la, lb = self._locals_of(ra), self._locals_of(rb)
        return any(partner in lb and not (ids & lb[partner]) for partner, ids in la.items())

    def union(self, a, b, by_name: bool, guarded: bool = False, forms: bool = True) -> bool:
        """Join a's and b's organisations unless the evidence is refused; whether they were joined now."""
        return self._join(a, b, by_name, guarded, forms) == _JOINED

    def together(self, a, b, by_name: bool, guarded: bool = False, forms: bool = True) -> bool:
        """As union; whether a and b are in one organisation afterwards (joined now or before)."""
        return self._join(a, b, by_name, guarded, forms) != _REFUSED

    def _join(self, a, b, by_name: bool, guarded: bool, forms: bool) -> int:
        # roots found once per link: finding them again in each check was a quarter of resolution's
        # union-find time at 50k scaled names; a record that is its own root without a call
        parent = self.parent
        ra = a if parent[a] == a else self.find(a)
        rb = b if parent[b] == b else self.find(b)
        if ra == rb:
            return _ALREADY
        if by_name and self._roots_conflict(ra, rb, forms):
            return _REFUSED
        if guarded and self._roots_apart(ra, rb):
            return _REFUSED
        self.parent[rb] = ra
        for held in (self.companies, self.charities, self.forms, self.faiths):
            joining = held.pop(rb, None)
            if joining:
                held[ra] = held.get(ra, _NONE) | joining
        if self._local:
            joined = self._locals_of(ra)
            for partner, ids in self._locals_of(rb).items():
                joined.setdefault(partner, set()).update(ids)
            self.locals[ra] = joined
            self.locals.pop(rb, None)
        return _JOINED


_REFUSED, _JOINED, _ALREADY = 0, 1, 2


def _only_some(keys, values) -> dict[str, frozenset[str]]:
    """key -> value, for the keys whose value is not empty."""
    return {k: v for k, v in zip(keys, values) if v}


def _disagree(held: dict[str, frozenset[str]], ra, rb) -> bool:
    """Both organisations hold numbers of this kind, and not the same ones."""
    a, b = held.get(ra), held.get(rb)
    return bool(a) and bool(b) and a != b


def _partner(record_key: str) -> str:
    # interned: a partner's name is held for each organisation that has joined another
    return sys.intern(record_key.split(":", 1)[0])


# Below this many records the partner-local pass runs in this process: a spawned worker costs about
# two seconds to start, more than the pass itself takes on a few partners' payees.
PARALLEL_FROM_RECORDS = 200_000


def _partner_local_clusters(
    frame: pd.DataFrame,
    fuzzy_threshold: float,
    use_aliases: bool,
    separate_bare_and_company: bool,
    workers: int = 1,
    kept_dir: Path | None = None,
) -> tuple[dict[str, str], list[tuple[str, str, str, float]]]:
    """Each partner's records resolved on their own (numbers and name rules, no other partner, no
    probabilistic stage): record -> its partner-local organisation. Another partner's records may join
    a partner's organisations to theirs, but never merge two of them that the partner's own records
    keep apart, so a partner's figures do not depend on who else shares the landing zone (issue 10).
    Also returns the name links each partner made, which the GM-wide pass applies before any other
    partner's names: since organisations carry legal forms (supplier-matching-v5), another partner's
    'X Ltd' joined to one of a partner's records first could otherwise refuse that partner's own link
    to its 'X plc' namesake, and split what the partner alone keeps together.

    Partners are independent of each other here, so with `workers` > 1 (and enough records to pay for
    the processes) they are resolved in that many spawned processes; the results are put together in
    partner order, exactly as one process would have made them."""
    partners = [own for _, own in frame.groupby(frame["record_key"].map(_partner), sort=True)]
    settings: dict[str, float | bool] = {
        "fuzzy_threshold": fuzzy_threshold,
        "use_aliases": use_aliases,
        "separate_bare_and_company": separate_bare_and_company,
    }
    job = functools.partial(
        _one_partner_local,
        fuzzy_threshold=fuzzy_threshold,
        use_aliases=use_aliases,
        separate_bare_and_company=separate_bare_and_company,
    )
    # With `kept_dir`, a partner whose records, the settings and the code are those of a kept result
    # is read back (ingestion/resolution/kept_local.py); only the others are resolved.
    kept = KeptPartnerResults(kept_dir, settings) if kept_dir is not None else None
    fingerprints = [kept.fingerprint(own) for own in partners] if kept else []
    results: list = [kept.get(f) for f in fingerprints] if kept else [None] * len(partners)
    todo = [i for i, result in enumerate(results) if result is None]
    for i, result in zip(todo, _resolve_partners([partners[i] for i in todo], job, workers), strict=True):
        results[i] = result
        if kept:
            kept.put(fingerprints[i], result)
    if kept:
        kept.forget_unused()
    local: dict[str, str] = {}
    made: list[tuple[str, str, str, float]] = []
    for keys, roots, links in results:
        local.update(zip(keys, roots))
        made.extend(links)
    return local, made


def _resolve_partners(partners: list[pd.DataFrame], job, workers: int) -> list:
    """`job` on each partner's records, in that many spawned processes when there are enough records
    to pay for them; the results in the order given."""
    if workers > 1 and len(partners) > 1 and sum(len(own) for own in partners) >= PARALLEL_FROM_RECORDS:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from ingestion.child_process import die_with_parent

        # spawn, not fork: a fork's child is counted with every page of this process's heap, and the
        # caller may hold DuckDB threads, which a fork copies mid-state
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(workers, len(partners)), mp_context=context, initializer=die_with_parent
        ) as pool:
            return list(pool.map(job, partners))
    return [job(own) for own in partners]


def _one_partner_local(
    own: pd.DataFrame, fuzzy_threshold: float, use_aliases: bool, separate_bare_and_company: bool
) -> tuple[list[str], list[str], list[tuple[str, str, str, float]]]:
    """One partner's records resolved on their own: their keys, each one's partner-local organisation
    (the key of its root record) and the name links made, in the order they were made."""
    clusters = _Clusters(
        own["record_key"].tolist(),
        own["company_number"].tolist(),
        own["charity_number"].tolist(),
        names=own["name"].tolist(),
    )
    steps = [
        (_edges_by_shared_value(own, "company_number", "company_number"), False),
        (_edges_by_shared_value(own, "charity_number", "charity_number"), False),
        (_vat_edges(own), True),
        (_name_edges(own, "key", "name_exact", separate_bare_and_company), True),
        (_name_edges(own, "compact", "name_compact", separate_bare_and_company), True),
        *([(_alias_edges(own), True)] if use_aliases else []),
        (_truncation_edges(own), True),
        (_fuzzy_edges(own, fuzzy_threshold), True),
    ]
    made: list[tuple[str, str, str, float]] = []
    for candidates, by_name in steps:
        for a, b, method, score in candidates:
            if clusters.union(a, b, by_name) and by_name:
                made.append((a, b, method, score))
    keys = own["record_key"].tolist()
    return keys, [clusters.find(key) for key in keys], made


_NONE: frozenset[str] = frozenset()


def _number_set(value) -> frozenset[str]:
    number = text_or_none(value)
    return frozenset((number,)) if number else _NONE


def prepare(records: pd.DataFrame, use_identifiers: bool = True) -> pd.DataFrame:
    """records: record_key, name, company_number, charity_number, vat_number (any may be missing)."""
    # Text as plain Python objects, missing as None: the rules below walk these columns record by
    # record, and iterating a string-dtype column builds each value on the way out (a tenth of
    # resolution's time at 260k records). Nothing here leaves resolve: the links it returns are built
    # from these values.
    out = pd.DataFrame(
        {
            "record_key": _objects((str(k) for k in values_or_none(records["record_key"])), records.index),
            "name": _objects(
                _shared(n if isinstance(n, str) else None for n in values_or_none(records["name"])), records.index
            ),
        }
    )
    for column, normalise in (
        ("company_number", company_number),
        ("charity_number", charity_number),
        ("vat_number", vat_number),
    ):
        values = values_or_none(records[column]) if (use_identifiers and column in records) else [None] * len(records)
        out[column] = pd.array(
            [normalise(v) if isinstance(v, str) else None for v in values], dtype=pd.StringDtype("python")
        )  # missing is pd.NA, never NaN
    # a postcode, where the record has one, is evidence for the probabilistic stage only
    out["postcode"] = pd.array(
        list(_shared(p if isinstance(p, str) else None for p in values_or_none(records["postcode"])))
        if "postcode" in records
        else [None] * len(records),
        dtype=pd.StringDtype("python"),
    )
    out["key"] = _objects((name_key(n) if isinstance(n, str) else None for n in out["name"]), out.index)
    out["compact"] = _objects((_compact_key(k) if isinstance(k, str) and k else None for k in out["key"]), out.index)
    # for truncation: the name as written, letters and digits only (no suffix rewriting)
    out["raw_compact"] = _objects((_raw_compact(n) if isinstance(n, str) else None for n in out["name"]), out.index)
    return out.drop_duplicates("record_key").reset_index(drop=True)


def _shared(values):
    """The values with equal strings as one object. A column read from Arrow gives a new string per
    record, and a payee paid by several partners is one name in several records (1.3M records for
    200k names at 10M ledger lines): one object per name is a few hundred megabytes less."""
    canonical: dict[str, str] = {}
    return (canonical.setdefault(v, v) if v is not None else None for v in values)


_compact_key = functools.lru_cache(maxsize=1 << 20)(compact_key)  # one object per distinct name key


def _objects(values, index: pd.Index) -> pd.Series:
    """Text kept as Python objects (missing as None), never inferred as a string dtype."""
    return pd.Series(list(values), index=index, dtype=object)


@functools.lru_cache(maxsize=1 << 20)
def _raw_compact(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper().split("#", 1)[0])


# The name rules read each distinct name once: a payee paid by several partners is one name in
# several records (1.3M records for 201k names at 10M ledger lines). Tuples, so no caller can change
# what the next one reads.
@functools.lru_cache(maxsize=1 << 20)
def _alias_kinds(name: str) -> tuple[tuple[str, str], ...]:
    return tuple(alias_kinds(name))


@functools.lru_cache(maxsize=1 << 20)
def _legal_aliases(name: str) -> tuple[str, ...]:
    return tuple(legal_aliases(name))


@functools.lru_cache(maxsize=1 << 20)
def _parent_names(name: str) -> tuple[str, ...]:
    return tuple(parent_names(name))


def _grouped(frame: pd.DataFrame, column: str) -> list[list[int]]:
    """Positions of the records that share each value of a column (missing values share nothing),
    groups in value order and records in frame order, as a sorted groupby gives them. One sort in
    numpy and plain lists out: a pandas groupby per value cost most of resolution's time at 50k
    names, and a dict of lists built value by value a tenth of it at 1.3M records."""
    values = [v if isinstance(v, str) else None for v in values_or_none(frame[column])]
    codes, _ = pd.factorize(np.array(values, dtype=object), sort=True)  # missing: -1
    order = np.argsort(codes, kind="stable")
    order = order[np.searchsorted(codes[order], 0) :]  # the missing ones sort first
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(codes[order])) + 1, [len(order)]))
    shared = np.flatnonzero(np.diff(bounds) > 1)  # groups of one share nothing
    # slices of one list: a numpy array per group (np.split) was a tenth of resolution's time
    positions = order.tolist()
    return [positions[start:end] for start, end in zip(bounds[shared].tolist(), bounds[shared + 1].tolist())]


def _edges_by_shared_value(frame: pd.DataFrame, column: str, method: str):
    keys = frame["record_key"].tolist()
    for positions in _grouped(frame, column):
        for other in positions[1:]:
            yield keys[positions[0]], keys[other], method, 100.0


@functools.lru_cache(maxsize=1 << 20)
def _incorporated(name) -> bool:
    """Whether a name says it is a company ('Ltd', 'Limited', 'PLC', 'LLP' anywhere in it)."""
    return isinstance(name, str) and bool(_COMPANY_FORM.search(clean(name)))


_COMPANY_FORM = re.compile(r"\b(?:LTD|PLC|LLP)\b")


def _name_edges(frame: pd.DataFrame, column: str, method: str, separate_bare_and_company: bool = True):
    """Records whose names reduce to one key. Within one partner, a bare name and the same name as a
    company ('King Scientific' and 'King Scientific Limited') are kept apart: a partner that holds
    both as separate payees is often paying a sole trader and the company that succeeded it, or a
    charity and its trading company, which are different legal persons (issue 11's honest benchmark
    found only such pairs among its wrong links). Across partners they may join; the partner-local
    guard then keeps a partner's two apart."""
    keys, names = frame["record_key"].tolist(), frame["name"].tolist()
    for positions in _grouped(frame, column):
        # Records are joined through one representative per side; the legal forms are part of the
        # side, so 'X plc' meets the other 'X plc' even when an 'X LLP' (which the forms keep apart,
        # _Clusters.conflict) came first.
        representatives: dict[tuple[str, bool, frozenset[str]], str] = {}
        for position in positions:
            key = keys[position]
            name = names[position]
            forms = legal_forms(name) if isinstance(name, str) else frozenset()
            side = (_partner(key), separate_bare_and_company and _incorporated(name), forms)
            if side in representatives:
                yield representatives[side], key, method, 100.0
            else:
                representatives[side] = key
        sides = list(representatives.items())
        for i, ((partner_a, form_a, _), a) in enumerate(sides):
            for (partner_b, form_b, _), b in sides[i + 1 :]:
                if partner_a != partner_b or form_a == form_b:
                    yield a, b, method, 100.0


def _vat_edges(frame: pd.DataFrame):
    """A shared VAT number links two records only when their names could be one organisation's: a
    VAT group registration covers several legal bodies under one number (Trafford's ledger shows
    Manchester City Council and a dozen schools on one), so the number alone says 'same group', not
    'same supplier'."""
    keys, name_keys = frame["record_key"].tolist(), frame["key"].tolist()
    for positions in _grouped(frame, "vat_number"):
        for i, j in pairs_that_could_match([name_keys[p] for p in positions]):
            yield keys[positions[i]], keys[positions[j]], "vat_number", 100.0


def _known_words(frame: pd.DataFrame) -> frozenset[str]:
    """Words two or more distinct names (distinct without spaces) use: words in their own right
    (names.another_word)."""
    distinct = frame.dropna(subset=["key"]).drop_duplicates("compact")
    used_by = Counter(word for key in distinct["key"] for word in set(key.split(" ")))
    return frozenset(word for word, names in used_by.items() if names >= 2)


def _unless_names_say_two(candidates, frame: pd.DataFrame, known_words: frozenset[str] | None = None):
    """The candidate links whose two names do not say they are two organisations (names.names_say_two):
    the same refusals the fuzzy rule applies, for a stage that scores names rather than reading them
    (the probabilistic one: a high score for 'X UK' / 'X', or for 'X 2' / 'X 3', is still two)."""
    keys = dict(zip(frame["record_key"], frame["key"]))
    known_words = _known_words(frame) if known_words is None else known_words
    verdicts: dict[tuple[str, str], bool] = {}  # one name pair scored under many postcodes is read once
    for a, b, method, score in candidates:
        key_a, key_b = keys.get(a), keys.get(b)
        if not (isinstance(key_a, str) and isinstance(key_b, str)):
            continue
        two = verdicts.get((key_a, key_b))
        if two is None:
            two = verdicts[(key_a, key_b)] = names_say_two(key_a, key_b, known_words)
        if not two:
            yield a, b, method, score


def _fuzzy_edges(frame: pd.DataFrame, threshold: float, known_words: frozenset[str] | None = None):
    """Near-identical names: 8+ characters, within blocks of names that begin alike, that do not say
    they are two (names.names_say_two: the same digits, not a qualifier apart, no word changed into
    another) and differ only by a slip (names.fuzzy_words_agree)."""
    distinct = frame.dropna(subset=["key"]).drop_duplicates("compact")
    if distinct.empty:
        return
    known_words = _known_words(frame) if known_words is None else known_words
    # Blocks share the first three letters, so a slip in the first word ('Haliwell Homes') still meets.
    blocks: dict[str, list[tuple[str, str, str]]] = {}
    for record_key, compact, key in zip(distinct["record_key"], distinct["compact"], distinct["key"]):
        if len(compact) >= 8:  # shorter names are never compared: not one of their pairs could link
            blocks.setdefault(compact[:3], []).append((record_key, compact, key))
    for block_name in sorted(blocks):
        block = blocks[block_name]
        if len(block) < 2:
            continue
        keys, names, spaced = (list(column) for column in zip(*block))
        # every core: the scores are the same whichever computes them
        scores = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=threshold, workers=-1)
        for i, j in zip(*scores.nonzero()):
            if (
                i < j
                and not names_say_two(spaced[i], spaced[j], known_words)
                and fuzzy_words_agree(spaced[i], spaced[j], known_words)
            ):
                yield keys[i], keys[j], "name_fuzzy", float(scores[i, j])


def _alias_edges(frame: pd.DataFrame):
    """Records sharing an alias ('X Ltd t/a Y' and 'X Ltd - Site' both give X), or whose alias or
    named parent organisation is another record's name."""
    by_key = frame.dropna(subset=["key"]).groupby("key")["record_key"].first().to_dict()
    # Only the few records whose names carry an alias or a parent are walked, in frame order: the
    # names are read once each, not once per record (1.3M records, a few thousand such names, at 10M
    # ledger lines).
    distinct = [n for n in pd.unique(frame["name"].dropna()) if isinstance(n, str)]
    legal_of = {n: aliases for n in distinct if (aliases := _legal_aliases(n))}
    others_of = {}
    for n in distinct:
        kinds, parents = _alias_kinds(n), _parent_names(n)
        if kinds or parents:
            others_of[n] = (kinds, parents)
    # a parent note names a registered organisation: a record of that name, or the legal side of
    # another record's 'X Ltd t/a Y' ('I Love MCR (I Love Media Ltd)' meets 'I Love Media Ltd T/A ...')
    legal_names = dict(by_key)
    for record_key, name in _records_named(frame, legal_of):
        for legal in legal_of[name]:
            legal_names.setdefault(legal, record_key)
    first_with_alias: dict[str, str] = {}
    for record_key, name in _records_named(frame, others_of):
        kinds, parents = others_of[name]
        for alias, kind in kinds:
            other = by_key.get(alias) or (first_with_alias.setdefault(alias, record_key) if kind == SHARED else None)
            if other and other != record_key:
                yield record_key, other, "name_alias", 100.0
        for parent in parents:
            other = legal_names.get(parent)
            if other and other != record_key:
                yield record_key, other, "name_parent", 100.0


def _records_named(frame: pd.DataFrame, names: Collection[str]) -> list[tuple[str, str]]:
    """(record_key, name) of the records whose name is one of these, in frame order."""
    chosen = frame[frame["name"].isin(list(names))]
    return list(zip(chosen["record_key"].tolist(), chosen["name"].tolist()))


def _only_legal_form_cut(cut: str, shorter: str) -> bool:
    """'Unique Specialist Services Group Lt' is not 'Unique Specialist Services': what the cut name
    adds to a shorter name must be the start of a legal form, unless the shorter name is a whole
    legal name with a note after it ('Ashtead Plant Hire Co Ltd No:2 Acco')."""
    rest = cut[len(shorter) :]
    return any(form.startswith(rest) for form in LEGAL_FORMS + ("COMMUNITYINTERESTCOMPANY",)) or shorter.endswith(
        LEGAL_FORMS
    )


def _truncation_edges(frame: pd.DataFrame):
    """Ledgers that cut payee names at 35 characters: a 35-character name and a name it begins,
    or a shorter name (15+ characters) that begins it, are the same payee."""
    lengths = frame["name"].map(lambda n: len(n.strip()) if isinstance(n, str) else 0)
    cut = frame[lengths == TRUNCATED_LENGTH].dropna(subset=["raw_compact"])
    if cut.empty:
        return
    full = frame.dropna(subset=["raw_compact"]).sort_values("raw_compact")
    compacts = full["raw_compact"].tolist()
    keys = full["record_key"].tolist()
    records_by_compact: dict[str, list[str]] = {}
    for compact, key in zip(compacts, keys):
        records_by_compact.setdefault(compact, []).append(key)
    for cut_key, cut_compact in zip(cut["record_key"], cut["raw_compact"]):
        start = bisect.bisect_left(compacts, cut_compact)  # longer names the cut name begins
        for index in range(start, len(compacts)):
            if not compacts[index].startswith(cut_compact):
                break
            if keys[index] != cut_key:
                yield cut_key, keys[index], "name_truncated_prefix", 100.0
        for length in range(15, len(cut_compact)):  # shorter names that begin the cut name
            shorter = cut_compact[:length]
            if shorter in records_by_compact and _only_legal_form_cut(cut_compact, shorter):
                for other in records_by_compact[shorter]:
                    if other != cut_key:
                        yield cut_key, other, "name_truncated_prefix", 100.0


def resolve(
    records: pd.DataFrame,
    overrides: Overrides | None = None,
    use_identifiers: bool = True,
    fuzzy_threshold: float | None = None,
    use_aliases: bool | None = None,
    separate_bare_and_company: bool | None = None,
    probabilistic: bool = True,
    probabilistic_threshold: float | None = None,
    model_dir: Path | None = None,
    register_edges: list[tuple[str, str, str, float]] | None = None,
    register_keys: set[str] | None = None,
    workers: int = 1,
    kept_dir: Path | None = None,
) -> pd.DataFrame:
    """One row per record: record_key, supplier_id, link_method, link_score, linked_to, identity_basis,
    carries_identity_number. `probabilistic`: after the name rules, link the pairs the saved Splink
    model (config/models/supplier_names.*) scores at or above its threshold (or the one given).
    `separate_bare_and_company`: within one partner, 'X' and 'X Ltd' stay two suppliers on names alone.
    The three matching settings not given are config/rules.yml's supplier_matching as shipped (the
    pipeline passes its own), so no value is written twice. `workers`: processes for the partner-local
    pass; the links are the same for any number. `kept_dir`: where each partner's partner-local result
    is kept for the next run (ingestion/resolution/kept_local.py); the links are the same without it."""
    shipped = shipped_rules().supplier_matching
    fuzzy_threshold = shipped.fuzzy_threshold if fuzzy_threshold is None else fuzzy_threshold
    use_aliases = shipped.use_trading_name_aliases if use_aliases is None else use_aliases
    if separate_bare_and_company is None:
        separate_bare_and_company = shipped.keep_bare_and_company_names_apart_within_partner
    overrides = overrides or Overrides()
    frame = prepare(records, use_identifiers)
    if frame.empty:
        return pd.DataFrame(columns=list(LINK_COLUMNS))
    split = set(overrides.force_split)
    # filtered only when there is something to leave out: each filter copies the 1.3M-record frame
    auto = frame[~frame["record_key"].isin(split)] if split else frame
    named = auto[~auto["record_key"].isin(register_keys)] if register_keys else auto
    local, local_links = _partner_local_clusters(
        named, fuzzy_threshold, use_aliases, separate_bare_and_company, workers, kept_dir
    )
    clusters = _Clusters(
        frame["record_key"].tolist(),
        frame["company_number"].tolist(),
        frame["charity_number"].tolist(),
        local,
        frame["name"].tolist(),
    )
    # Each record's strongest link (method, score, the record it links to), first of its rank in the
    # order links are made. Kept as the links are made, not from a list of them afterwards: organisations
    # only ever join, so a link that holds when made still holds at the end, and the list was ten
    # million tuples at 10M ledger lines.
    best: dict[str, tuple[str, float | None, str | None]] = {}

    def keep(a, b, method, score):
        # both ends, written out: called once per link (ten million at 10M ledger lines)
        rank = METHOD_RANK[method]
        current = best.get(a)
        if current is None or rank < METHOD_RANK[current[0]]:
            best[a] = (method, score, b)
        current = best.get(b)
        if current is None or rank < METHOD_RANK[current[0]]:
            best[b] = (method, score, a)

    parent = clusters.parent

    def apply(candidates, by_name, guarded=False, forms=True):
        for a, b, method, score in candidates:
            # Two records with one parent are in one organisation already: most candidate links are
            # (nine in ten at 10M ledger lines, 'X' met again under each rule), and this answers them
            # without the calls `together` makes. Its answer would be the same.
            if parent[a] == parent[b] or clusters.together(a, b, by_name, guarded, forms):
                keep(a, b, method, score)

    apply(_edges_by_shared_value(auto, "company_number", "company_number"), by_name=False)
    apply(_edges_by_shared_value(auto, "charity_number", "charity_number"), by_name=False)
    if register_edges:
        # Registers' links (a site to its operator, a record to a register's name for it), held to the
        # numbers like names are; register records then take no part in the name rules below.
        apply(
            ((a, b, m, v) for a, b, m, v in register_edges if a not in split and b not in split),
            by_name=True,
            forms=False,
        )
    if register_keys:
        auto = auto[~auto["record_key"].isin(register_keys)]
    # Names across partners: guarded, so they never merge two of one partner's own organisations.
    # Each partner's own name links first (see _partner_local_clusters), then names across partners.
    auto_keys = set(auto["record_key"])
    apply(((a, b, m, v) for a, b, m, v in local_links if a in auto_keys and b in auto_keys), by_name=True)
    apply(_vat_edges(auto), by_name=True, guarded=True)
    apply(_name_edges(auto, "key", "name_exact", separate_bare_and_company), by_name=True, guarded=True)
    apply(_name_edges(auto, "compact", "name_compact", separate_bare_and_company), by_name=True, guarded=True)
    if use_aliases:
        apply(_alias_edges(auto), by_name=True, guarded=True)
    apply(_truncation_edges(auto), by_name=True, guarded=True)
    known_words = _known_words(auto)  # the fuzzy rule's and the probabilistic stage's refusals read them
    apply(_fuzzy_edges(auto, fuzzy_threshold, known_words), by_name=True, guarded=True)
    if probabilistic:
        from ingestion.resolution.probabilistic import MODEL_DIR, probabilistic_edges

        scored = probabilistic_edges(auto, model_dir or MODEL_DIR, probabilistic_threshold, clusters.find)
        apply(_unless_names_say_two(scored, auto, known_words), by_name=True, guarded=True)
    known = set(frame["record_key"])
    for a, b in overrides.force_link:
        if a in known and b in known:
            clusters.union(a, b, by_name=False)
            keep(a, b, "override_link", 100.0)

    record_keys = frame["record_key"].tolist()
    roots = [clusters.find(k) for k in record_keys]
    clusters.forget()  # its dicts over every record are not needed to write the links, which peak here
    values = {column: frame[column].tolist() for column in ("company_number", "charity_number", "vat_number", "key")}
    members: dict[str, list[int]] = {}
    for position, root in enumerate(roots):
        members.setdefault(root, []).append(position)

    def present(column: str, positions: list[int]) -> list[str]:
        if len(positions) == 1:  # most organisations are one record
            value = values[column][positions[0]]
            return [value] if isinstance(value, str) else []
        return sorted({v for v in (values[column][p] for p in positions) if isinstance(v, str)})

    # A VAT number that several organisations share (a group registration) identifies none of them.
    roots_per_vat: dict[str, set[str]] = {}
    for vat, root in zip(values["vat_number"], roots):
        if isinstance(vat, str):
            roots_per_vat.setdefault(vat, set()).add(root)
    own_vat = {vat for vat, holders in roots_per_vat.items() if len(holders) == 1}
    # Organisations kept apart (numbers that disagree, a partner's own two payees) may share a first
    # name key; the basis then also names the organisation's first record, so each keeps its own id.
    first_names = Counter(next(iter(present("key", positions)), None) for positions in members.values())
    rows: dict[str, list] = {column: [] for column in LINK_COLUMNS}
    id_of_root: dict[str, str] = {}
    for root, positions in members.items():
        companies = present("company_number", positions)
        charities = present("charity_number", positions)
        vats = [v for v in present("vat_number", positions) if v in own_vat]
        names = present("key", positions)
        if len(positions) == 1 and record_keys[positions[0]] in split:
            basis = f"record:{record_keys[positions[0]]}"
        elif companies:
            basis = f"company:{companies[0]}"
        elif charities:
            basis = f"charity:{charities[0]}"
        elif vats:
            basis = f"vat:{vats[0]}"
        elif names and first_names[names[0]] > 1:
            basis = f"name:{names[0]}|record:{min(record_keys[p] for p in positions)}"
        elif names:
            basis = f"name:{names[0]}"
        else:
            basis = f"record:{root}"
        supplier_id = id_of_root[root] = "sup-" + hashlib.sha1(basis.encode()).hexdigest()[:12]
        kind, _, number = basis.partition(":")
        number_column = {"company": "company_number", "charity": "charity_number", "vat": "vat_number"}.get(kind)
        for position in positions:
            key = record_keys[position]
            method, link_score, linked = best.get(key, ("override_split" if key in split else "singleton", None, None))
            # whether this record itself gives the number the organisation is known by: an identity
            # check in dbt asks every other record to be related to one that does
            own_number = values[number_column][position] if number_column else None
            rows["record_key"].append(key)
            rows["supplier_id"].append(supplier_id)
            rows["link_method"].append(method)
            rows["link_score"].append(link_score)
            rows["linked_to"].append(linked)
            rows["identity_basis"].append(basis)
            rows["carries_identity_number"].append(number_column is not None and text_or_none(own_number) == number)
    _each_organisation_its_own_id(id_of_root)
    return pd.DataFrame(rows)


def _each_organisation_its_own_id(id_of_root: dict[str, str]) -> None:
    """Two organisations under one supplier id would pool their spend for the £25k rule and their
    classification, with every downstream check green: ids are made from an organisation's basis, so
    this is checked here, where the organisations (their roots) are still known."""
    seen: set[str] = set()
    shared: set[str] = set()
    for supplier_id in id_of_root.values():
        (shared if supplier_id in seen else seen).add(supplier_id)
    if shared:
        raise RuntimeError(
            f"supplier resolution gave one id to several organisations: {sorted(shared)[:5]}; "
            "this is a bug in ingestion/resolution/resolve.py (the identity basis must name one organisation)"
        )
