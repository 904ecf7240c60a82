"""Organisation names reduced to what identifies them, for matching across ledgers.

'FOSTER CARE ASSOCIATES LTD', 'Foster Care Associates Limited' and 'Foster Care Associates Ltd#2'
all become 'FOSTER CARE ASSOCIATES'. Legal-form words are removed only at the end of a name, so
'Limited Edition Prints' keeps its first word.
"""

from __future__ import annotations

import re

LEGAL_SUFFIXES = (
    "LIMITED", "LTD", "PLC", "LLP", "LP", "CIC", "COMMUNITY INTEREST COMPANY", "CIO", "INC", "LLC",
    "CO", "COMPANY", "AND CO", "GROUP", "UK", "THE", "T A",
)
_SUFFIX = re.compile(r"(?:\s+(?:" + "|".join(sorted((re.escape(s) for s in LEGAL_SUFFIXES), key=len,
                                                    reverse=True)) + r"))+$")


def clean(name: str) -> str:
    text = name.upper().strip()
    text = text.split("#", 1)[0] if not text.startswith("#") else text  # 'EMO OIL LTD#WAS SHELL OIL'
    text = text.replace("&", " AND ").replace("+", " AND ")
    text = re.sub(r"\bC\.?\s?I\.?\s?C\.?(?=\W|$)", " CIC", text)
    text = re.sub(r"[^A-Z0-9 ]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^THE ", "", text)
    text = re.sub(r"\bLIMITED\b", "LTD", text)
    return text


def name_key(name: str | None) -> str | None:
    """Name without legal-form words at the end, e.g. 'SAVILLS'. None for empty names."""
    if not name or not str(name).strip():
        return None
    text = clean(str(name))
    stripped = _SUFFIX.sub("", text).strip()
    return stripped or text


_LEGAL_FORM = re.compile(r"\b(LTD|LIMITED|PLC|LLP|CIC)\b\.?\s*$")
_TRADING_AS = re.compile(r"\s+(?:T/A|T\.A\.|TA|TRADING AS)\s+", re.IGNORECASE)


def aliases(name: str | None) -> list[str]:
    """Other keys an organisation is known by: each side of 'X t/a Y', and the name without a
    trailing bracketed note ('FOSTER CARE ASSOCIATES LTD (FCA)')."""
    if not name:
        return []
    base = str(name).split("#", 1)[0]
    found = []
    parts = _TRADING_AS.split(base)
    if len(parts) == 2:
        # 'Legal Ltd t/a Trade Name': only the side carrying a legal form names the organisation;
        # a trade name can be shared by several companies of a group (care homes, franchises).
        found += [p for p in parts if _LEGAL_FORM.search(p.upper())]
    dashed = re.split(r"\s*-\s+|\s+-\s*|(?<=LIMITED)-|(?<=LTD)-", base, maxsplit=1, flags=re.IGNORECASE)
    if len(dashed) == 2 and _LEGAL_FORM.search(dashed[0].upper()):
        found.append(dashed[0])  # 'Max Potential UK Limited-Glen Avenue': a branch of the company
    unbracketed = re.sub(r"\s*\([^)]*\)\s*$", "", base)
    if unbracketed != base:
        found.append(unbracketed)
    keys = [name_key(p) for p in found]
    own = name_key(name)
    return sorted({k for k in keys if k and k != own and len(k.replace(" ", "")) >= 6})


def compact_key(key: str) -> str:
    """Spaces removed: 'M R M STREET FURNITURE' and 'MRM STREET FURNITURE' meet."""
    return key.replace(" ", "")


def digits(key: str) -> str:
    return "".join(re.findall(r"\d+", key))
