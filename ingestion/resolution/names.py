"""Organisation names reduced to what identifies them, for matching across ledgers.

'FOSTER CARE ASSOCIATES LTD', 'Foster Care Associates Limited' and 'Foster Care Associates Ltd#2'
all become 'FOSTER CARE ASSOCIATES'. Legal-form words are removed only at the end of a name, so
'Limited Edition Prints' keeps its first word. Words that distinguish registered companies from
their relatives ('UK', 'Group', a region) are kept: 'KPMG LLP' and 'KPMG (UK) LLP', 'Royal Mail' and
'Royal Mail Group Ltd' are different companies at Companies House.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import JaroWinkler

from ingestion.missing import is_missing

LEGAL_SUFFIXES = (
    "LIMITED", "LTD", "PLC", "LLP", "LP", "CIC", "COMMUNITY INTEREST COMPANY", "CIO", "INC", "LLC",
    "CO", "COMPANY", "AND CO", "AND COMPANY", "THE", "T A",
)
_SUFFIX = re.compile(r"(?:\s+(?:" + "|".join(sorted((re.escape(s) for s in LEGAL_SUFFIXES), key=len,
                                                    reverse=True)) + r"))+$")


# Abbreviations finance systems use when a name field is short ('Capita Business Servs', 'Freight
# Transport Assoc Ltd'); only ones that stand for a single word in organisation names.
ABBREVIATIONS = {
    "ASSOC": "ASSOCIATION", "ASSN": "ASSOCIATION", "ASSOCS": "ASSOCIATES",
    "SERVS": "SERVICES", "SVS": "SERVICES", "SVCS": "SERVICES",
    "INTL": "INTERNATIONAL", "COMM": "COMMUNICATIONS", "COMMS": "COMMUNICATIONS", "FIN": "FINANCE",
    "MGMT": "MANAGEMENT", "DEVT": "DEVELOPMENT", "HSG": "HOUSING", "MCR": "MANCHESTER",
    "EDUC": "EDUCATION", "SOLS": "SOLUTIONS", "ENGG": "ENGINEERING", "CONSTR": "CONSTRUCTION",
    "NATL": "NATIONAL",
}


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
_TRADING_AS = re.compile(r"\s+(?:T/AS?|T\.A\.|TA|TRADING AS)\s+", re.IGNORECASE)
_DASH = re.compile(r"\s*-\s+|\s+-\s*|(?<=LIMITED)-|(?<=LTD)-", re.IGNORECASE)
_TRAILING_BRACKET = re.compile(r"\s*\(([^)]*)\)?\s*$")  # also '(Willowbank & Mayfai' cut at 35
# A trailing '(UK)', '(North West)' or '(Holdings)' is part of a registered name: 'Autism Initiatives
# (UK)' and 'Autism Initiatives' are different organisations.
_NAME_QUALIFIER = re.compile(
    r"^\s*(?:UK|U\.K\.|GB|GREAT BRITAIN|BRITAIN|ENGLAND|SCOTLAND|WALES|IRELAND|NORTHERN IRELAND|EUROPE|"
    r"INTERNATIONAL|HOLDINGS|GROUP|(?:NORTH|SOUTH)\s*(?:EAST|WEST)?|EAST|WEST|NORTHERN|SOUTHERN|EASTERN|"
    r"WESTERN|(?:EAST |WEST )?MIDLANDS)\s*$", re.IGNORECASE)
_PARENT_NOTE = re.compile(r"^\s*(?:(?:A\s+)?DIVISION OF|PART OF)\s+", re.IGNORECASE)


def _has_legal_form(text: str) -> bool:
    return bool(_LEGAL_FORM.search(text.upper()))


# Shorter aliases ('EE', 'HC ONE') are too often shared by unrelated organisations to link on.
MIN_ALIAS_LENGTH = 6


def _keys(names: list[str], own: str | None) -> list[str]:
    keys = {name_key(n) for n in names}
    return sorted(k for k in keys if k and k != own and len(k.replace(" ", "")) >= MIN_ALIAS_LENGTH)


def aliases(name: str | None) -> list[str]:
    """Other names an organisation is known by, shared with any record that has the same alias:
    the legal side of 'X t/a Y'; the company before or after a dash ('Kidzrus Nursery Ltd - Monton',
    'Moss Cottage - Care Worldwide Ltd'); the name without a trailing bracketed note."""
    if is_missing(name):
        return []
    base = str(name).split("#", 1)[0]
    found = []
    parts = _TRADING_AS.split(base)
    if len(parts) == 2:
        # 'Legal Ltd t/a Trade Name': the side carrying a legal form names the organisation (a trade
        # name can be shared by several companies of a group); with both or neither, the left side
        # by the convention of the phrase.
        legal = [p for p in parts if _has_legal_form(p)]
        found.append(legal[0] if len(legal) == 1 else parts[0])
    dashed = _DASH.split(base, maxsplit=1)
    if len(dashed) == 2:
        left_is_company = _has_legal_form(dashed[0]) or not _has_legal_form(dashed[1])
        found.append(dashed[0] if left_is_company else dashed[1])
    bracket = _TRAILING_BRACKET.search(base)
    if bracket and not _PARENT_NOTE.match(bracket.group(1)) and not _NAME_QUALIFIER.match(bracket.group(1)):
        found.append(base[:bracket.start()])  # 'Pontville School (Part of ...)' is not Pontville School Ltd
    return _keys(found, name_key(name))


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
    outer = base[:bracket.start()]
    if _PARENT_NOTE.match(bracket.group(1)) or not _has_legal_form(outer):
        return _keys([_PARENT_NOTE.sub("", bracket.group(1))], name_key(name))
    return []


_QUALIFIER_WORDS = {"UK", "GB", "GROUP", "HOLDINGS", "INTERNATIONAL", "NORTH", "SOUTH", "EAST", "WEST",
                    "NORTHERN", "SOUTHERN", "EASTERN", "WESTERN", "MIDLANDS", "NORTHWEST", "ENGLAND",
                    "SCOTLAND", "WALES", "IRELAND", "EUROPE"}


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


def names_could_match(a: str | None, b: str | None) -> bool:
    """Whether two name keys are near enough to be one organisation's when a shared VAT number says
    they might: the same without spaces ('FOSTERTALK' / 'FOSTER TALK') or near-identical as written
    (Jaro-Winkler >= 0.92). Group VAT registrations make anything looser wrong: on Trafford's real
    ledger one number covers 'Virgin Media Ltd' and 'Virgin Media Business', 'Reed Specialist
    Recruitment' and 'Reed Talent Solutions', a council and its schools."""
    if a is None or b is None or is_missing(a) or is_missing(b):
        return False
    return compact_key(a) == compact_key(b) or JaroWinkler.similarity(a, b) >= 0.92
