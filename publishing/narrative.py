"""The partner's own words in its Annual Social Value Statement: a Markdown file per partner and year,
config/narratives/<partner>/<yyyy-yy>.md, written by the partner's social value lead.

The warehouse fills the figures; the national template's narrative sections (approach, focus,
engagement, embedding, support, collaboration, next year's actions, contacts) and the sign-off are
the partner's. The file opens with a YAML block (between `---` lines) naming who signed the
statement off, when, and when it is next reviewed; then one `## ` heading per section (heading
words as in NARRATIVE_SECTIONS; the match ignores case and punctuation). A section the file does not
give (or a missing file) is printed as missing, never left out, so a gap is visible to whoever signs.

Markdown is rendered by markdown-it-py with raw HTML disabled: a partner's `<script>` prints as
text, and links are limited to http(s) and mailto.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

# (key, heading): the template's narrative sections, in the order the statement prints them.
NARRATIVE_SECTIONS = [
    ("approach", "Approach and intentions"),
    ("focus", "Key areas of focus"),
    ("engagement", "Internal engagement and management"),
    ("embedding", "How social value is embedded"),
    ("support", "Internal support"),
    ("collaboration", "Collaboration and external engagement"),
    ("actions", "Next year's actions"),
    ("contacts", "Resources and contacts"),
]
SIGN_OFF_KEYS = ("signed_off_by", "role", "signed_off_on", "review_on")


@dataclass
class Narrative:
    path: Path
    found: bool
    sections: list[dict] = field(default_factory=list)  # {"key", "title", "html" (None when missing)}
    sign_off: dict = field(default_factory=dict)  # signed_off_by, role, signed_off_on, review_on
    problems: list[str] = field(default_factory=list)  # headings not in the template, bad front matter

    @property
    def missing(self) -> list[str]:
        return [s["title"] for s in self.sections if s["html"] is None]


def narrative_path(narratives_dir: Path, partner: str, year: str) -> Path:
    """config/narratives/<partner>/<yyyy-yy>.md (the year's slash becomes a dash)."""
    return narratives_dir / partner / f"{year.replace('/', '-')}.md"


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = lambda url: bool(re.match(r"^(https?:|mailto:)", url.strip(), re.IGNORECASE))  # type: ignore[method-assign]
    return md


def _key(heading: str) -> str:
    return re.sub(r"[^a-z ]", "", heading.lower().replace("’", "'")).strip()


HEADING_KEYS = {_key(title): key for key, title in NARRATIVE_SECTIONS}


def _front_matter(text: str) -> tuple[dict, str, list[str]]:
    match = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not match:
        return {}, text, []
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        return {}, text[match.end() :], [f"the block between the --- lines is not YAML ({error})"]
    if not isinstance(meta, dict):
        return {}, text[match.end() :], ["the block between the --- lines is not a set of key: value lines"]
    return meta, text[match.end() :], []


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def load_narrative(narratives_dir: Path, partner: str, year: str) -> Narrative:
    """The partner-year's narrative sections and sign-off; every template section present, its html
    None where the partner has not written it."""
    path = narrative_path(narratives_dir, partner, year)
    given: dict[str, str] = {}
    sign_off: dict = {}
    problems: list[str] = []
    if path.exists():
        meta, body, problems = _front_matter(path.read_text(encoding="utf-8"))
        for name in SIGN_OFF_KEYS:
            value = meta.get(name)
            sign_off[name] = _as_date(value) if name.endswith("_on") else (str(value) if value else None)
            if name.endswith("_on") and value and sign_off[name] is None:
                problems.append(f"{name}: {value!r} is not a date (write YYYY-MM-DD)")
        chunks = re.split(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$", body, flags=re.MULTILINE)
        md = _markdown()
        for heading, text in zip(chunks[1::2], chunks[2::2]):
            key = HEADING_KEYS.get(_key(heading))
            if key is None:
                problems.append(
                    f"heading '## {heading}' is not a section of the template "
                    f"(use one of: {', '.join(t for _, t in NARRATIVE_SECTIONS)})"
                )
                continue
            if text.strip():
                given[key] = md.render(text.strip())
    sections = [{"key": k, "title": t, "html": given.get(k)} for k, t in NARRATIVE_SECTIONS]
    return Narrative(path, path.exists(), sections, sign_off, problems)
