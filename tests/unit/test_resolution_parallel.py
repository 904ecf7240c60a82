"""The partner-local pass in several processes (issue 13's resolution rate) gives exactly the links
one process gives: partners are independent there, and their results are put back in partner order."""

import pandas as pd

from ingestion.resolution import resolve as resolve_module
from ingestion.resolution.resolve import Overrides, resolve

SETTINGS = {"fuzzy_threshold": 95.0, "use_aliases": True, "separate_bare_and_company": True}
NAMES = [
    "Tame Highways Ltd",
    "Tame Highways Limited",
    "Acorn Care",
    "Acorn Care Ltd",
    "Acorn Care Ltd t/a Oak House",
    "Oak House",
    "Heathcotes Ltd",
    "Heathcotes M Ltd",
    "Manchester Cares",
    "Manchester Cars",
    "St John's RC Primary School",
    "St John's CE Primary School",
    "Unique Specialist Services Group Lt",
    "Unique Specialist Services Group Ltd",
    "Greenhill Academy (The Harmony Trust)",
    "The Harmony Trust",
]


def _records() -> pd.DataFrame:
    rows = []
    for p, partner in enumerate(("bolton", "oldham", "stockport", "trafford")):
        for n, name in enumerate(NAMES[p % 3 :]):  # each partner holds a different selection
            rows.append(
                {
                    "record_key": f"{partner}:name:{name.upper()}",
                    "name": name,
                    "company_number": "01234567" if name.startswith("Tame") and p == 1 else None,
                    "charity_number": None,
                    "vat_number": "GB123456789" if name.startswith("Acorn") and n % 2 else None,
                    "postcode": "OL6 7SG" if n % 3 == 0 else None,
                }
            )
    return pd.DataFrame(rows)


def test_partner_local_pass_in_processes_gives_the_links_of_one(monkeypatch):
    one = resolve(_records(), Overrides(), workers=1, **SETTINGS)
    monkeypatch.setattr(resolve_module, "PARALLEL_FROM_RECORDS", 0)  # even this small a frame
    several = resolve(_records(), Overrides(), workers=2, **SETTINGS)
    pd.testing.assert_frame_equal(several, one)
    linked = one[one["link_method"] != "singleton"]
    assert linked["record_key"].str.split(":").str[0].nunique() == 4  # every partner's records linked
    assert one["supplier_id"].nunique() < len(one)


def test_partner_local_results_come_back_in_partner_order(monkeypatch):
    """The parent puts the partners' results together; a worker that answered out of order would
    change which record each link names first."""
    frame = resolve_module.prepare(_records())
    one = resolve_module._partner_local_clusters(frame, 95.0, True, True, workers=1)
    monkeypatch.setattr(resolve_module, "PARALLEL_FROM_RECORDS", 0)
    several = resolve_module._partner_local_clusters(frame, 95.0, True, True, workers=3)
    assert list(several[0].items()) == list(one[0].items())
    assert several[1] == one[1]
    assert one[1], "the partners' own name links are what this compares"
