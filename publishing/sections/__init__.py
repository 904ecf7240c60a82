"""The statement's optional sections, one module each, so a new capability adds a section without
editing the statement's core (publishing/statements.py and templates/statement.html.j2).

A section is a Jinja partial under publishing/templates/sections/ and a function that fetches its
figures from the published warehouse. The function returns None when the partner has nothing to show
for the year (no such feed sent): the statement then prints the section's heading with a line saying
the figures are not available, so a missing section is visible rather than silently absent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

SectionContext = Callable[[duckdb.DuckDBPyConnection, str, str], dict | None]


@dataclass(frozen=True)
class Section:
    key: str  # the anchor and the partial's file name: templates/sections/<key>.html.j2
    title: str
    context: SectionContext
    missing_text: str = "No figures were published for this section for the year."

    @property
    def template(self) -> str:
        return f"sections/{self.key}.html.j2"


# Imported here, below Section: a section module may build on this one.
from publishing.sections.good_employers import good_employers_context  # noqa: E402
from publishing.sections.neighbourhoods import neighbourhoods_context  # noqa: E402

# Later capabilities append their Section here, in the order the statement prints them.
SECTIONS: list[Section] = [
    # issue 16: deprivation of the neighbourhoods spend reaches, the borough/ward table and the map
    Section(
        "neighbourhoods",
        "Where the money lands",
        neighbourhoods_context,
        missing_text="No neighbourhood figures were published for this year (no in-scope spend).",
    ),
    # issue 16: spend and contract value with good employers, as at the payment or award date
    Section(
        "good_employers",
        "Good employers: the Good Employment Charter, the Real Living Wage and carbon plans",
        good_employers_context,
        missing_text="No dated supplier facts (supplier_attributes) were published for this year.",
    ),
]


def _register_procurement_act_sections() -> None:
    """Issue 17: payment performance, SVMi and the local multiplier (publishing/sections/procurement_act.py)."""
    from publishing.sections import procurement_act as pa

    SECTIONS.extend(
        [
            Section(
                "payment_performance",
                "Paying suppliers promptly",
                pa.payment_performance,
                "No payment performance figures (invoice records or a regulation 113 summary) were published for the year.",
            ),
            Section(
                "svmi", "Social Value Maturity Index", pa.svmi, "No SVMi self-assessment was published for the year."
            ),
            Section(
                "local_multiplier",
                "Local multiplier (LM3 estimate)",
                pa.local_multiplier,
                "No local multiplier estimate: no supply-chain returns were published for the year.",
            ),
        ]
    )


_register_procurement_act_sections()


def section_contexts(con: duckdb.DuckDBPyConnection, partner: str, year: str) -> list[dict]:
    """Each registered section with its figures for one partner and year (figures None when absent)."""
    return [
        {
            "key": s.key,
            "title": s.title,
            "template": s.template,
            "missing_text": s.missing_text,
            "figures": s.context(con, partner, year),
        }
        for s in SECTIONS
    ]


def _register() -> None:
    """The sections shipped with the warehouse, imported here (after Section exists) in print order."""
    from publishing.sections.contract_performance import SECTION as contract_performance

    SECTIONS.append(contract_performance)


_register()
