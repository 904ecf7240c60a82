"""Organisation names reduced to what identifies them, for matching across ledgers.

'FOSTER CARE ASSOCIATES LTD', 'Foster Care Associates Limited' and 'Foster Care Associates Ltd#2'
all become 'FOSTER CARE ASSOCIATES'. Legal-form words are removed only at the end of a name, so
'Limited Edition Prints' keeps its first word. Words that distinguish registered companies from
their relatives ('UK', 'Group', a region) are kept: 'KPMG LLP' and 'KPMG (UK) LLP', 'Royal Mail' and
'Royal Mail Group Ltd' are different companies at Companies House.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Iterator

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from ingestion.missing import is_missing

LEGAL_SUFFIXES = (
    "LIMITED",
    "LTD",
    "PLC",
    "LLP",
    "LP",
    "CIC",
    "COMMUNITY INTEREST COMPANY",
    "CIO",
    "INC",
    "LLC",
    "CO",
    "COMPANY",
    "AND CO",
    "AND COMPANY",
    "THE",
    "T A",
)
_SUFFIX = re.compile(
    r"(?:\s+(?:" + "|".join(sorted((re.escape(s) for s in LEGAL_SUFFIXES), key=len, reverse=True)) + r"))+$"
)


# Abbreviations finance systems use when a name field is short ('Capita Business Servs', 'Freight
# Transport Assoc Ltd'); only ones that stand for a single word in organisation names.
ABBREVIATIONS = {
    "ASSOC": "ASSOCIATION",
    "ASSN": "ASSOCIATION",
    "ASSOCS": "ASSOCIATES",
    "SERVS": "SERVICES",
    "SVS": "SERVICES",
    "SVCS": "SERVICES",
    "INTL": "INTERNATIONAL",
    "COMM": "COMMUNICATIONS",
    "COMMS": "COMMUNICATIONS",
    "FIN": "FINANCE",
    "MGMT": "MANAGEMENT",
    "DEVT": "DEVELOPMENT",
    "HSG": "HOUSING",
    "MCR": "MANCHESTER",
    "EDUC": "EDUCATION",
    "SOLS": "SOLUTIONS",
    "ENGG": "ENGINEERING",
    "CONSTR": "CONSTRUCTION",
    "NATL": "NATIONAL",
}


# Pure functions of a name, called for every rule on every record: cached, since one name passes
# through the partner-local and the GM-wide rules and many names repeat across partners.
@functools.lru_cache(maxsize=1 << 20)
def clean(name: str) -> str:
    text = name.upper().strip()
    text = text.split("#", 1)[0] if not text.startswith("#") else text  # 'EMO OIL LTD#WAS SHELL OIL'
    text = re.sub(r"^(?:T/AS?|T\.A\.|TRADING AS)\s+", "", text)  # 'T/A Office Furniture Online'
    text = text.replace("&", " AND ").replace("+", " AND ")
    text = re.sub(r"\bC\.?\s?I\.?\s?C\.?(?=\W|$)", " CIC", text)
    text = re.sub(r"[^A-Z0-9 ]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^THE ", "", text)
    text = re.sub(r"\bLIMITED\b", "LTD", text)
    text = re.sub(r"\bM CR\b", "MANCHESTER", text)  # 'M/Cr'
    text = " ".join(ABBREVIATIONS.get(token, token) for token in text.split(" "))
    text = re.sub(r"\b(?:LIMTED|LIMITIED|LMITED)$", "LTD", text)  # misspelt legal forms seen in ledgers
    return text


@functools.lru_cache(maxsize=1 << 20)
def name_key(name: str | None) -> str | None:
    """Name without legal-form words at the end, e.g. 'SAVILLS'. None for empty names."""
    if is_missing(name):
        return None
    text = clean(str(name))
    stripped = _SUFFIX.sub("", text).strip()
    return stripped or text


# The forms that say "this side of the name is the registered organisation".
LEGAL_FORMS = ("LIMITED", "LTD", "PLC", "LLP", "CIC")
_LEGAL_FORM = re.compile(r"\b(" + "|".join(LEGAL_FORMS) + r")\b\.?\s*$")
# 'X Ltd T/A Y', and 'X Ltd T/AThe Y' as ledgers squeeze it (the phrase then runs into a capital)
_TRADING_AS = re.compile(r"\s+(?:(?:T/AS?|T\.A\.|TA|TRADING AS)\s+|T/A(?=[A-Z][a-z]))", re.IGNORECASE)
_DASH = re.compile(r"\s*-\s+|\s+-\s*|(?<=LIMITED)-|(?<=LTD)-", re.IGNORECASE)
_TRAILING_BRACKET = re.compile(r"\s*\(([^)]*)\)?\s*$")  # also '(Willowbank & Mayfai' cut at 35
# A trailing '(UK)', '(North West)' or '(Holdings)' is part of a registered name: 'Autism Initiatives
# (UK)' and 'Autism Initiatives' are different organisations.
_NAME_QUALIFIER = re.compile(
    r"^\s*(?:UK|U\.K\.|GB|GREAT BRITAIN|BRITAIN|ENGLAND|SCOTLAND|WALES|IRELAND|NORTHERN IRELAND|EUROPE|"
    r"INTERNATIONAL|HOLDINGS|GROUP|(?:NORTH|SOUTH)\s*(?:EAST|WEST)?|EAST|WEST|NORTHERN|SOUTHERN|EASTERN|"
    r"WESTERN|(?:EAST |WEST )?MIDLANDS)\s*$",
    re.IGNORECASE,
)
_PARENT_NOTE = re.compile(r"^\s*(?:(?:A\s+)?DIVISION OF|PART OF)\s+", re.IGNORECASE)


def _has_legal_form(text: str) -> bool:
    return bool(_LEGAL_FORM.search(text.upper()))


# Shorter aliases ('EE', 'HC ONE') are too often shared by unrelated organisations to link on.
MIN_ALIAS_LENGTH = 6


def _keys(names: list[str], own: str | None) -> list[str]:
    keys = {name_key(n) for n in names}
    return sorted(k for k in keys if k and k != own and len(k.replace(" ", "")) >= MIN_ALIAS_LENGTH)


# 'Aspris Childrens Svcs Ltd Oliver Hs', 'Kier Construction Ltd Northern': a company's legal name with a
# site or department after it. The prefix must be two words or more ('X Ltd Site' is too short to trust).
_LEGAL_PREFIX = re.compile(
    r"^(\S+(?:\s+\S+)+?\s+(?:LIMITED|LTD|PLC|LLP))\.?\s+(?!(?:T/AS?|TA|T\.A\.|TRADING)\b)"
    r"(?=\S)",
    re.IGNORECASE,
)

# Kinds of alias. A 'shared' alias links every record that has it; a 'named' one links a record only to
# a record whose name it is. The name without a trailing bracket is shared when the rest carries a legal
# form ('HC-One Ltd (Callands)', 'HC-One Ltd (Acorn Hollow)': one company's sites); otherwise the bracket
# may be a place that tells two organisations apart ('Friends of Park Road School (Sale)' and
# '... (Timperley)' are two charities), so it only meets the bare name itself.
SHARED, NAMED = "shared", "named"


def alias_kinds(name: str | None) -> list[tuple[str, str]]:
    """(alias key, SHARED or NAMED) for each other name the organisation is known by: the legal side
    of 'X t/a Y'; the company before or after a dash ('Kidzrus Nursery Ltd - Monton', 'Moss Cottage -
    Care Worldwide Ltd'); a legal name followed by a site ('Aspris Childrens Svcs Ltd Oliver Hs'); the
    name without a trailing bracketed note."""
    if is_missing(name):
        return []
    base = str(name).split("#", 1)[0]
    found: list[tuple[str, str]] = []
    parts = _TRADING_AS.split(base)
    if len(parts) == 2:
        # 'Legal Ltd t/a Trade Name': the side carrying a legal form names the organisation (a trade
        # name can be shared by several companies of a group); with both or neither, the left side
        # by the convention of the phrase.
        legal = [p for p in parts if _has_legal_form(p)]
        found.append((legal[0] if len(legal) == 1 else parts[0], SHARED))
    dashed = _DASH.split(base, maxsplit=1)
    if len(dashed) == 2:
        left_is_company = _has_legal_form(dashed[0]) or not _has_legal_form(dashed[1])
        found.append((dashed[0] if left_is_company else dashed[1], SHARED))
    bracket = _TRAILING_BRACKET.search(base)
    if bracket and not _PARENT_NOTE.match(bracket.group(1)) and not _NAME_QUALIFIER.match(bracket.group(1)):
        outer = base[: bracket.start()]  # 'Pontville School (Part of ...)' is not Pontville School Ltd
        found.append((outer, SHARED if _has_legal_form(outer) else NAMED))
    elif len(parts) == 1 and len(dashed) == 1 and not bracket:
        prefix = _LEGAL_PREFIX.match(base)
        if prefix:
            found.append((prefix.group(1), SHARED))
    own = name_key(name)
    out: dict[str, str] = {}
    for alias, kind in found:
        for key in _keys([alias], own):
            out[key] = SHARED if SHARED in (kind, out.get(key)) else NAMED
    return sorted(out.items())


def aliases(name: str | None) -> list[str]:
    """Other names an organisation is known by (see alias_kinds)."""
    return [alias for alias, _ in alias_kinds(name)]


def legal_aliases(name: str | None) -> list[str]:
    """The legal side of 'X Ltd t/a Y': a name that *is* a registered organisation's, which a parent
    note ('Site (X Ltd)') may name."""
    if is_missing(name):
        return []
    parts = _TRADING_AS.split(str(name).split("#", 1)[0])
    if len(parts) != 2:
        return []
    legal = [p for p in parts if _has_legal_form(p)]
    return _keys([legal[0]], name_key(name)) if len(legal) == 1 else []


def parent_names(name: str | None) -> list[str]:
    """Organisations a record names as its owner in a trailing note: 'Cedar House School (division of
    Witherslack Group)', 'Greenhill Academy (The Harmony Trust)'. Such a key links the record only to
    a record that *is* that organisation, never to other records naming the same note, because a
    note can be a place ('(Manchester)') or a department ('(Sales)')."""
    if is_missing(name):
        return []
    base = str(name).split("#", 1)[0]
    bracket = _TRAILING_BRACKET.search(base)
    if not bracket or _NAME_QUALIFIER.match(bracket.group(1)):
        return []
    outer = base[: bracket.start()]
    if _PARENT_NOTE.match(bracket.group(1)) or not _has_legal_form(outer):
        return _keys([_PARENT_NOTE.sub("", bracket.group(1))], name_key(name))
    return []


_QUALIFIER_WORDS = {
    "UK",
    "GB",
    "GROUP",
    "HOLDINGS",
    "INTERNATIONAL",
    "NORTH",
    "SOUTH",
    "EAST",
    "WEST",
    "NORTHERN",
    "SOUTHERN",
    "EASTERN",
    "WESTERN",
    "MIDLANDS",
    "NORTHWEST",
    "ENGLAND",
    "SCOTLAND",
    "WALES",
    "IRELAND",
    "EUROPE",
}


def differ_by_qualifier(words_a: set[str], words_b: set[str]) -> bool:
    """'ADVANCED SECURITY SYSTEMS UK' and 'ADVANCED SECURITY SYSTEMS' are near-identical strings but
    name two registered companies: the only difference is a qualifier word."""
    difference = words_a ^ words_b
    return bool(difference) and difference <= _QUALIFIER_WORDS


def compact_key(key: str) -> str:
    """Spaces removed: 'M R M STREET FURNITURE' and 'MRM STREET FURNITURE' meet."""
    return key.replace(" ", "")


def digits(key: str) -> str:
    return "".join(re.findall(r"\d+", key))


# names_could_match's Jaro-Winkler bar, shared by the pairwise and the vectorised forms
NEAR_IDENTICAL = 0.92
_FLOAT_SLACK = 1e-9


def names_could_match(a: str | None, b: str | None) -> bool:
    """Whether two name keys are near enough to be one organisation's when a shared VAT number says
    they might: the same without spaces ('FOSTERTALK' / 'FOSTER TALK') or near-identical as written
    (Jaro-Winkler >= 0.92). Group VAT registrations make anything looser wrong: on Trafford's real
    ledger one number covers 'Virgin Media Ltd' and 'Virgin Media Business', 'Reed Specialist
    Recruitment' and 'Reed Talent Solutions', a council and its schools."""
    if a is None or b is None or is_missing(a) or is_missing(b):
        return False
    return compact_key(a) == compact_key(b) or JaroWinkler.similarity(a, b) >= NEAR_IDENTICAL


def pairs_that_could_match(keys: list[str | None]) -> Iterator[tuple[int, int]]:
    """Every pair (i < j, in row order) of these name keys for which names_could_match holds.

    The same answer as calling names_could_match on every pair, computed over the distinct keys with
    RapidFuzz's cdist in C: a VAT number shared by thousands of names (a council's own number against
    its schools, a group's companies) costs a matrix, not millions of Python calls. The matrix is
    scored a block of rows at a time and only the near-identical pairs are kept, so memory grows with
    the pairs found, not with the square of the names (50,000 names under one number would be a
    2.5 GB matrix)."""
    present = [i for i, key in enumerate(keys) if key is not None and not is_missing(key)]
    if len(present) < 2:
        return
    slots: dict[str, int] = {}
    for i in present:
        slots.setdefault(str(keys[i]), len(slots))
    distinct = list(slots)
    neighbours = _near_identical_slots(distinct)
    slot_of = {i: slots[str(keys[i])] for i in present}
    positions: list[list[int]] = [[] for _ in distinct]
    for i in present:
        positions[slot_of[i]].append(i)  # in row order
    for first in present:
        later: list[int] = []
        for slot in neighbours[slot_of[first]]:
            held = positions[slot]
            later.extend(held[bisect.bisect_right(held, first) :])
        yield from ((first, j) for j in sorted(later))


def _near_identical_slots(distinct: list[str]) -> list[set[int]]:
    """For each distinct key, the keys (itself among them) names_could_match pairs it with."""
    neighbours: list[set[int]] = [{slot} for slot in range(len(distinct))]
    by_compact: dict[str, list[int]] = {}
    for slot, key in enumerate(distinct):
        by_compact.setdefault(compact_key(key), []).append(slot)
    for group in by_compact.values():
        for slot in group if len(group) > 1 else ():
            neighbours[slot].update(group)
    if len(distinct) < 2:
        return neighbours  # one key: nothing to score (most VAT numbers: one name in several ledgers)
    # threads pay for themselves only on a large matrix; starting them for a handful of names cost
    # more than the scores (17,739 small calls took 6.5 s at 12k scaled names)
    workers = -1 if len(distinct) ** 2 >= _THREADED_CELLS else 1
    for start in range(0, len(distinct), _CDIST_ROWS):
        block = process.cdist(
            distinct[start : start + _CDIST_ROWS],
            distinct,
            scorer=JaroWinkler.similarity,
            dtype=np.float64,
            # below the bar, and the scores near it decided by the scalar call: with a cutoff, cdist's
            # arithmetic drops pairs at the bar ('PITNEY BOWES' / 'PITNEY BOWES FINANCE' is exactly 0.92
            # and is dropped at a cutoff of 0.92 - 1e-9)
            score_cutoff=NEAR_IDENTICAL - _CUTOFF_MARGIN,
            workers=workers,
        )
        for row, column in zip(*np.nonzero(block)):
            left, right = start + int(row), int(column)
            score = float(block[row, column])
            if score >= NEAR_IDENTICAL + _CUTOFF_MARGIN or (
                JaroWinkler.similarity(distinct[left], distinct[right]) >= NEAR_IDENTICAL
            ):
                neighbours[left].add(right)
    return neighbours


# rows of the similarity matrix scored at once: 256 rows against 200,000 names is 400 MB of float64
_CDIST_ROWS = 256
_THREADED_CELLS = 250_000
_CUTOFF_MARGIN = 1e-3


# A slip of the keyboard changes a long word, not a short one: 'CARES' and 'CARS' are two words
# ('Manchester Cares' the charity, 'Manchester Cars' the taxi firm), 'HALIWELL' and 'HALLIWELL' one.
MIN_FUZZY_WORD_LENGTH = 6


def fuzzy_words_agree(a: str, b: str, known_words: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether two near-identical name keys differ only by a typing slip, word by word: a name that
    adds a word or an initial to the other is another organisation ('HEATHCOTES' / 'HEATHCOTES M',
    a group's companies), and a changed word must be a long one ('MANCHESTER CARES' / 'MANCHESTER
    CARS' are not one) unless it only gains an S ('ST JOHN BUILDINGS' / 'ST JOHNS BUILDINGS'); and
    a changed word and its replacement must not both be words in their own right. Without a
    dictionary, `known_words` stands for one: the words that two or more of the names being resolved
    use. A slip of the keyboard makes a string nobody else writes ('HALIWELL'); a one-letter edit
    that lands on another word other names use ('BRIDGEWATER' / 'BRIDGWATER', 'CARING' / 'CARLING')
    is as likely to be another organisation as the same one. Names whose spacing differs
    ('FOSTERCARE ASSOCIATES') are left to the score. The changed-word checks are another_word's,
    which every link between two different names passes (names_say_two); the added word is this
    rule's own, since a slip adds no word, while the probabilistic stage weighs one with its other
    evidence ('QUILLBROOK HOUSING' / 'QUILLBROOK HOUSING TRUST' at one postcode)."""
    words_a, words_b = a.split(" "), b.split(" ")
    if len(words_a) != len(words_b):
        shorter, longer = sorted((words_a, words_b), key=len)
        remaining = iter(longer)
        return not all(word in remaining for word in shorter)  # not the same words plus some
    return not any(another_word(word_a, word_b, known_words) for word_a, word_b in zip(words_a, words_b))


def another_word(word_a: str, word_b: str, known_words: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a word of one name, written differently in the other, is another word rather than a
    slip: a changed short word ('CARES' / 'CARS'), or two words that other names use in their own
    right ('CARING' / 'CARLING'). A word that only gains an S is the same word ('KING' / 'KINGS')."""
    short_word, long_word = sorted((word_a, word_b), key=len)
    if word_a == word_b or long_word == short_word + "S":  # 'JOHN' / 'JOHNS': one word, written two ways
        return False
    return len(short_word) < MIN_FUZZY_WORD_LENGTH or (word_a in known_words and word_b in known_words)


def names_say_two(a: str, b: str, known_words: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether two different name keys say they are two organisations, whichever rule or score
    proposes joining them: their digits differ ('17TH SALE SCOUTS' / '18TH SALE SCOUTS'); the only
    difference is a qualifier word ('ADVANCED SECURITY SYSTEMS UK' / 'ADVANCED SECURITY SYSTEMS',
    differ_by_qualifier); or one word is changed into another word (another_word: 'MANCHESTER CARES' /
    'MANCHESTER CARS', 'CARING HOMES' / 'CARLING HOMES'). Names the same but for their spacing say
    nothing of the kind ('ADOPTION MATTERS NORTHWEST' / '... NORTH WEST'). The links that compare two
    different names are held to it: the fuzzy rule and the probabilistic stage (supplier-matching-v7);
    the other name rules join names that are the same once reduced, or an alias to its name.
    Conflicting legal forms and denominations are refused per organisation (resolve._Clusters)."""
    if compact_key(a) == compact_key(b):
        return False
    if digits(a) != digits(b):
        return True
    words_a, words_b = a.split(" "), b.split(" ")
    if differ_by_qualifier(set(words_a), set(words_b)):
        return True
    only_a, only_b = Counter(words_a) - Counter(words_b), Counter(words_b) - Counter(words_a)
    if only_a.total() == 1 == only_b.total():  # one word changed, wherever it stands
        return another_word(next(iter(only_a)), next(iter(only_b)), known_words)
    return False


# Legal forms that make a name a different legal person, in the canonical spelling each is compared
# by. 'Ltd' and 'Limited' are one form (Companies House ignores the difference when it compares
# names: 'X Ltd' and 'X Limited' cannot both be registered), so are 'plc' and 'public limited
# company', 'CIC' and 'community interest company'. Two different forms on one name are two legal
# persons: 'Tame Highways LLP', 'Tame Highways Limited' and 'Tame Highways plc' are three firms (a
# partnership, a private and a public company), and a charity's 'X CIO' is not its trading 'X Ltd'.
_FORM_SPELLINGS = (
    (r"PUBLIC LTD COMPANY|PUBLIC LIMITED COMPANY|PLC", "PLC"),
    (r"LIMITED LIABILITY PARTNERSHIP|LLP", "LLP"),
    (r"COMMUNITY INTEREST COMPANY|CIC", "CIC"),
    (r"CHARITABLE INCORPORATED ORGANI[SZ]ATION|CIO", "CIO"),
    (r"LTD|LIMITED", "LTD"),
)
_FORM_WORD = re.compile(r"(?<=\S )\b(" + "|".join(pattern for pattern, _ in _FORM_SPELLINGS) + r")\b")
# A limited partnership is 'LP' only at the very end of a name ('LP Gas Supplies' is not one).
_LIMITED_PARTNERSHIP = re.compile(r"\S \bLP$")


@functools.lru_cache(maxsize=1 << 20)
def legal_forms(name: str | None) -> frozenset[str]:
    """The legal forms a name carries after its first word, canonical: 'Tame Highways Limited' ->
    {'LTD'}, 'X Public Limited Company' -> {'PLC'}, 'Y Ltd t/a Z LLP' -> {'LTD', 'LLP'}, 'Limited
    Edition Prints' -> {} (a first word is never a legal form)."""
    if is_missing(name):
        return frozenset()
    text = clean(str(name))
    forms: set[str] = set()
    for match in _FORM_WORD.finditer(text):
        word = match.group(1)
        forms.update(form for pattern, form in _FORM_SPELLINGS if re.fullmatch(pattern, word))
    if _LIMITED_PARTNERSHIP.search(text):
        forms.add("LP")
    return frozenset(forms)


def forms_conflict(forms_a: frozenset[str] | set[str], forms_b: frozenset[str] | set[str]) -> bool:
    """Whether two names (or two organisations' names) say they are different legal persons: each
    carries a legal form and they share none ('X LLP' / 'X Ltd'). A bare name conflicts with nothing."""
    return bool(forms_a) and bool(forms_b) and not (forms_a & forms_b)


# Faith schools and churches carry their denomination in their name, and one dedication serves
# several: 'St John's RC Primary School' and 'St John's CE Primary School' are two schools (a
# Catholic and a Church of England one), often in one town, whose names differ by two letters. Like
# two legal forms, two denominations that share none are two organisations; a name without one
# conflicts with nothing. Only in the name of a school or church, and never as its first word ('RC
# Models Ltd', 'CE Marking Services').
_DENOMINATION_SPELLINGS = (
    (r"R C|RC|ROMAN CATHOLIC|CATHOLIC", "RC"),
    (r"C OF E|COFE|C E|CE|CHURCH OF ENGLAND", "CE"),
    (r"METHODIST", "METHODIST"),
)
_DENOMINATION_WORD = re.compile(r"(?<=\S )\b(" + "|".join(p for p, _ in _DENOMINATION_SPELLINGS) + r")\b")
_FAITH_INSTITUTION = re.compile(
    r"\b(?:SCHOOLS?|ACADEMY|PRIMARY|INFANTS?|JUNIORS?|HIGH|COLLEGE|NURSERY|CHURCH|PARISH|CHAPEL|CATHEDRAL)\b"
)


@functools.lru_cache(maxsize=1 << 20)
def denominations(name: str | None) -> frozenset[str]:
    """The denominations a school's or church's name carries, canonical: "St John's R.C. Primary
    School" -> {'RC'}, 'St Marys C of E Primary' -> {'CE'}, 'St Peter's CE/Methodist Primary' ->
    {'CE', 'METHODIST'}; a name that is not a school's or church's -> {}."""
    if is_missing(name):
        return frozenset()
    text = clean(str(name))
    if not _FAITH_INSTITUTION.search(text.replace("CHURCH OF ENGLAND", "")):
        return frozenset()
    found: set[str] = set()
    for match in _DENOMINATION_WORD.finditer(text):
        found.update(form for pattern, form in _DENOMINATION_SPELLINGS if re.fullmatch(pattern, match.group(1)))
    return frozenset(found)
