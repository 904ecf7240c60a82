import re
from datetime import date
from pathlib import Path

import pytest

from ingestion.landing import match_file, match_layout, read_name, scan_landing
from ingestion.periods import confusable_readings, financial_year, period_from_match
from ingestion.registry import FeedConfig, load_registry


@pytest.mark.parametrize(
    "partner, name, key, months",
    [
        ("stockport", "stockport_spend_2019-04.csv", "2019-04", 1),
        ("rochdale", "Rochdale Payments Apr 2019.csv", "2019-04", 1),
        ("tameside", "Tameside_Spend_2019-20_Q1.csv", "2019-04", 3),
        ("tameside", "Tameside_Spend_2019-20_Q4.csv", "2020-01", 3),
        ("trafford", "trafford-supplier-spend-2019-04.csv", "2019-04", 1),
        ("trafford", "trafford-supplier-spend-2024-25.zip", "2024-04", 12),
        ("trafford", "trafford-supplier-spend-2026-27_first2000rows.csv", "2026-04", 12),
    ],
)
def test_periods_from_partner_file_names(config_dir, partner, name, key, months):
    config = load_registry(config_dir).feed(partner, "spend")
    period = match_file(config, Path(name))
    assert (period.key, period.months) == (key, months)


def test_a_name_outside_the_pattern_is_not_matched(config_dir):
    config = load_registry(config_dir).feed("stockport", "spend")
    assert match_file(config, Path("stockport spend April.csv")) is None


def test_period_end_and_snapshot():
    period = period_from_match(re.match(r"(?P<fy>\d{4})", "2020"))
    assert period.start == date(2020, 4, 1) and period.end == date(2021, 4, 1)
    assert period_from_match(re.match("x", "x")).key == "current"


@pytest.mark.parametrize(
    "d, label", [(date(2020, 4, 1), "2020/21"), (date(2021, 3, 31), "2020/21"), (date(1999, 12, 1), "1999/00")]
)
def test_financial_year(d, label):
    assert financial_year(d) == label


# Financial-year and month readings of one name (YYYY-YY): decided by the name, never by the order
# in which a pattern's alternatives or a feed's layouts happen to be written.


def _layout(pattern: str, name: str = "default") -> FeedConfig:
    return FeedConfig(partner="x", feed="spend", file_pattern=pattern, columns={}, layout=name)


MONTH_FIRST = r"x-(?:(?P<year>\d{4})-(?P<month>\d{2})|(?P<fy>\d{4})-\d{2})\.csv"
FY_FIRST = r"x-(?:(?P<fy>\d{4})-\d{2}|(?P<year>\d{4})-(?P<month>\d{2}))\.csv"


@pytest.mark.parametrize("pattern", [MONTH_FIRST, FY_FIRST])
@pytest.mark.parametrize(
    "name, key, months",
    [
        ("x-2011-12.csv", "2011-04", 12),  # 12 follows 2011: the financial year 2011/12, not December
        ("x-2024-25.csv", "2024-04", 12),
        ("x-2026-27.csv", "2026-04", 12),
        ("x-2019-04.csv", "2019-04", 1),  # 04 does not follow 2019: April 2019, not FY 2019/20
        ("x-2019-12.csv", "2019-12", 1),
        ("x-2099-00.csv", "2099-04", 12),  # 2099/00 wraps the century
    ],
)
def test_financial_year_and_month_readings_are_not_confused(pattern, name, key, months):
    period = match_file(_layout(pattern), Path(name))
    assert (period.key, period.months) == (key, months)


@pytest.mark.parametrize(
    "name, key, months",
    [
        ("trafford-supplier-spend-2011-12.zip", "2011-04", 12),
        ("trafford-supplier-spend-2024-25.zip", "2024-04", 12),
        ("trafford-supplier-spend-2019-04.csv", "2019-04", 1),
        ("trafford-supplier-spend-2026-27.zip", "2026-04", 12),
        ("trafford-supplier-spend-2019-12.csv", "2019-12", 1),
    ],
)
def test_trafford_names(config_dir, name, key, months):
    config, period = match_layout(load_registry(config_dir).layouts("trafford", "spend"), Path(name))
    assert (period.key, period.months) == (key, months)


def test_an_ambiguous_name_says_how_it_was_read(config_dir):
    reading = read_name(
        load_registry(config_dir).layouts("trafford", "spend"), Path("trafford-supplier-spend-2011-12.zip")
    )
    assert "also reads as December 2011" in reading.note and "financial year 2011/12" in reading.note
    assert "rename" in reading.note
    assert (
        read_name(
            load_registry(config_dir).layouts("trafford", "spend"), Path("trafford-supplier-spend-2024-25.zip")
        ).note
        is None
    )


def test_the_real_trafford_file_names(config_dir, real_data):
    layouts = load_registry(config_dir).layouts("trafford", "spend")
    names = sorted(p.name for p in (real_data / "trafford" / "supplier_spend").iterdir())
    read = {name: match_layout(layouts, Path(name)) for name in names}
    assert {n: (m[1].key, m[1].months) for n, m in read.items() if m} == {
        "trafford-supplier-spend-2024-25.zip": ("2024-04", 12),
        "trafford-supplier-spend-2026-27.zip": ("2026-04", 12),
        "trafford-supplier-spend-2026-27_first2000rows.csv": ("2026-04", 12),
    }
    assert [n for n, m in read.items() if m is None] == ["csv-metadata.json"]


def test_layouts_are_weighed_together_not_first_come():
    monthly, yearly = (
        _layout(r"x-(?P<year>\d{4})-(?P<month>\d{2})\.csv", "monthly"),
        _layout(r"x-(?P<fy>\d{4})-\d{2}\.csv", "yearly"),
    )
    config, period = match_layout((monthly, yearly), Path("x-2011-12.csv"))
    assert (config.layout, period.key, period.months) == ("yearly", "2011-04", 12)
    config, period = match_layout((yearly, monthly), Path("x-2019-04.csv"))
    assert (config.layout, period.key) == ("monthly", "2019-04")


def test_a_month_only_pattern_keeps_its_months():
    """Without a financial-year reading on offer, 2011-12 can only be December 2011 (Salford)."""
    period = match_file(_layout(r"(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])\.csv"), Path("2011-12.csv"))
    assert (period.key, period.months) == ("2011-12", 1)


def test_an_impossible_month_falls_to_the_financial_year_and_otherwise_is_an_error():
    assert match_file(_layout(MONTH_FIRST), Path("x-2019-20.csv")).key == "2019-04"
    with pytest.raises(ValueError, match="month 20 is not 1-12"):
        match_file(_layout(r"x-(?P<year>\d{4})-(?P<month>\d{2})\.csv"), Path("x-2019-20.csv"))


def test_patterns_offering_both_readings_are_flagged(config_dir):
    registry = load_registry(config_dir)
    warning = confusable_readings([c.pattern for c in registry.layouts("trafford", "spend")])
    assert "2011-12 is read as the financial year 2011/12" in warning
    assert confusable_readings([c.pattern for c in registry.layouts("salford", "spend")]) is None
    assert confusable_readings([c.pattern for c in registry.layouts("tameside", "spend")]) is None


def test_the_landing_scan_refuses_a_month_inside_a_financial_year_file(config_dir, tmp_path):
    """Read as December 2011, the 2011-12 file would sit beside April 2011 unnoticed; read as the
    financial year it is, the overlap is found and the second source refused."""
    folder = tmp_path / "trafford" / "spend"
    folder.mkdir(parents=True)
    for name in ("trafford-supplier-spend-2011-04.csv", "trafford-supplier-spend-2011-12.zip"):
        (folder / name).write_bytes(b"")
    scan = scan_landing(tmp_path, load_registry(config_dir))
    assert [f.path.name for f in scan.files] == ["trafford-supplier-spend-2011-04.csv"]
    assert len(scan.problems) == 1 and "counted twice" in scan.problems[0].message
    assert "trafford-supplier-spend-2011-12.zip (2011-04, 12 months)" in scan.problems[0].message


def test_files_the_scan_would_not_read_are_reported_not_skipped(config_dir, tmp_path):
    (tmp_path / "bolton" / "spend" / "old").mkdir(parents=True)
    (tmp_path / "bolton_2019.csv").write_bytes(b"")
    (tmp_path / "bolton" / "bolton_2019.csv").write_bytes(b"")
    (tmp_path / "bolton" / "spend" / "old" / "bolton_2018.csv").write_bytes(b"")
    (tmp_path / "bolton" / "spend" / ".keep").write_bytes(b"")
    problems = {
        p.path.relative_to(tmp_path).as_posix(): p.message
        for p in scan_landing(tmp_path, load_registry(config_dir)).problems
    }
    assert set(problems) == {"bolton_2019.csv", "bolton/bolton_2019.csv", "bolton/spend/old"}
    assert "move it to data/landing/<partner>/<feed>/" in problems["bolton_2019.csv"]
    assert "move it to its feed's folder, e.g. bolton/spend/" in problems["bolton/bolton_2019.csv"]
    assert "is not read" in problems["bolton/spend/old"]
