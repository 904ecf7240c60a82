"""The pieces of `svw validate-feed` that decide what is counted and which files are meant."""

import pytest

from ingestion.feed_report import TargetError, absent_optional_columns, expand_targets, other_feed_hint
from ingestion.normalise import redaction_flags, redaction_pattern_per_name
from ingestion.registry import load_registry, load_rules

NAMES = [
    "Redacted",
    "*Redact - Personal Information",
    "Payee details redacted",
    "PERSONAL DATA",
    "Name withheld",
    "Redactive Publishing",
    "Withheldon Farms Ltd",
    "Acme Ltd",
    None,
    "",
]


def test_the_pattern_named_is_the_one_that_flags_the_row(config_dir):
    patterns = load_rules(config_dir).redaction_patterns
    which = redaction_pattern_per_name(NAMES, patterns)
    assert which.notna().tolist() == redaction_flags(NAMES, patterns).tolist()
    assert which.tolist()[:5] == [patterns[0], patterns[0], patterns[1], patterns[2], patterns[3]]
    assert which.isna().tolist()[5:] == [True] * 5


def test_targets_a_folder_its_files_only_in_order(tmp_path):
    for name in ("b.csv", "a.csv", ".hidden.csv"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.csv").write_text("x")
    assert [p.name for p in expand_targets([str(tmp_path)])] == ["a.csv", "b.csv"]
    assert [p.name for p in expand_targets([str(tmp_path / "*.csv"), str(tmp_path / "a.csv")])] == ["a.csv", "b.csv"]


def test_targets_that_find_nothing_say_so(tmp_path):
    with pytest.raises(TargetError, match="holds no files"):
        expand_targets([str(tmp_path)])
    with pytest.raises(TargetError, match="matches no file"):
        expand_targets([str(tmp_path / "20*.csv")])
    with pytest.raises(TargetError, match="no such file or folder"):
        expand_targets([str(tmp_path / "2019-04.csv")])


def test_a_mapped_column_missing_from_a_file_is_named(config_dir):
    """Salford's 2019-11 to 2020-03 headers cut 'G/L description.' to 'G/L descript': without this
    warning expense_type would load empty for five months with every check green."""
    config = load_registry(config_dir).feed("salford", "spend", "monthly")
    header = [
        "Authority Name",
        "Date of Payment",
        "SAP Document Number",
        "Gross",
        "VAT",
        "Net",
        "Supplier Name",
        "Directorate",
        "G/L descript",
    ]
    assert absent_optional_columns(config, header) == ["expense_type (looked for 'G/L description.', 'GL Description')"]
    assert absent_optional_columns(config, header[:-1] + ["GL Description"]) == []


def test_a_file_of_another_feed_is_named_as_such(config_dir):
    registry = load_registry(config_dir)
    register = ["Contract Reference", "Contract Title", "Supplier Company Name", "Start Date", "Annual Value"]
    hint = other_feed_hint(registry, "salford", "spend", register)
    assert "salford's 'contracts' feed" in hint and "--feed contracts" in hint
    assert other_feed_hint(registry, "salford", "spend", ["Date of Payment", "Vendor"]) is None


def test_a_file_overlapping_an_earlier_one_fails_as_the_landing_zone_would_refuse_it(config_dir):
    from pathlib import Path

    from ingestion.feed_report import FeedValidation, refuse_overlap
    from ingestion.landing import match_layout

    layouts = load_registry(config_dir).layouts("trafford", "spend")

    def report(name):
        config, period = match_layout(layouts, Path(name))
        return FeedValidation(
            path=Path(name),
            config=config,
            period=period,
            passed=True,
            lines=["Validating ...", "Result: PASS - the file can be submitted."],
        )

    year, month, other = (
        report("trafford-supplier-spend-2019-20.csv"),
        report("trafford-supplier-spend-2019-06.csv"),
        report("trafford-supplier-spend-2020-04.csv"),
    )
    refuse_overlap(month, [year])
    refuse_overlap(other, [year])
    assert not month.passed and "overlaps trafford-supplier-spend-2019-20.csv (2019-04)" in month.text()
    assert "counted twice" in month.text() and month.lines[-1].startswith("Result: FAIL")
    assert other.passed
