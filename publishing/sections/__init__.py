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


# Later capabilities append their Section here, in the order the statement prints them.
SECTIONS: list[Section] = []


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
