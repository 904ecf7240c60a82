"""The partner's narrative file (publishing/narrative.py) and the human labels for coded values."""

from datetime import date

from publishing import labels
from publishing.narrative import NARRATIVE_SECTIONS, load_narrative, narrative_path
from tests.conftest import PROJECT_ROOT

NARRATIVES = PROJECT_ROOT / "config" / "narratives"


def test_the_shipped_example_fills_every_section_and_the_sign_off():
    narrative = load_narrative(NARRATIVES, "stockport", "2020/21")
    assert narrative.found and narrative.problems == []
    assert [s["key"] for s in narrative.sections] == [k for k, _ in NARRATIVE_SECTIONS]
    assert narrative.missing == []
    assert narrative.sign_off["signed_off_by"] == "Jane Example"
    assert narrative.sign_off["signed_off_on"] == date(2021, 7, 15)
    assert narrative.sign_off["review_on"] == date(2022, 7, 15)
    actions = next(s for s in narrative.sections if s["key"] == "actions")
    assert "<ol>" in actions["html"] and "recovery plan" in actions["html"]


def test_a_missing_file_marks_every_section_missing(tmp_path):
    narrative = load_narrative(tmp_path, "bury", "2019/20")
    assert not narrative.found
    assert narrative.missing == [t for _, t in NARRATIVE_SECTIONS]
    assert narrative.path == tmp_path / "bury" / "2019-20.md"


def test_html_in_a_narrative_is_escaped_and_unsafe_links_dropped(tmp_path):
    path = narrative_path(tmp_path, "bury", "2019/20")
    path.parent.mkdir(parents=True)
    path.write_text(
        "## Approach and intentions\n\n<script>alert(1)</script> <b>bold</b>\n\n"
        "[click](javascript:alert(1)) [site](https://example.org)\n\n"
        "## key areas of FOCUS\n\nLocal jobs.\n\n## Our favourite colours\n\nBlue.\n",
        encoding="utf-8",
    )
    narrative = load_narrative(tmp_path, "bury", "2019/20")
    approach = narrative.sections[0]["html"]
    assert "<script>" not in approach and "&lt;script&gt;" in approach and "<b>" not in approach
    assert 'href="javascript' not in approach and 'href="https://example.org"' in approach
    assert narrative.sections[1]["html"] == "<p>Local jobs.</p>\n"  # heading matched ignoring case
    assert any("Our favourite colours" in p for p in narrative.problems)  # named, not silently dropped
    assert "Next year's actions" in narrative.missing


def test_a_bad_sign_off_date_is_reported(tmp_path):
    path = narrative_path(tmp_path, "bury", "2019/20")
    path.parent.mkdir(parents=True)
    path.write_text("---\nsigned_off_by: A N Other\nsigned_off_on: last Tuesday\n---\n", encoding="utf-8")
    narrative = load_narrative(tmp_path, "bury", "2019/20")
    assert narrative.sign_off["signed_off_on"] is None
    assert any("signed_off_on" in p and "YYYY-MM-DD" in p for p in narrative.problems)


def test_coded_values_have_human_labels():
    assert labels.rag("not_started") == "Not started" and labels.rag("red") == "Red"
    assert labels.feed("sv_commitments") == "Social value commitments"
    assert labels.rule("local_spend") == "Local spend"
    assert labels.layer("mart") == "Published tables (Great Expectations)"
    assert labels.words("some_new_code") == "Some new code"  # an unknown code still reads as words
