import re
from datetime import date
from pathlib import Path

import pytest

from ingestion.landing import match_file
from ingestion.periods import financial_year, period_from_match
from ingestion.registry import load_registry


@pytest.mark.parametrize("partner, name, key, months", [
    ("stockport", "stockport_spend_2019-04.csv", "2019-04", 1),
    ("rochdale", "Rochdale Payments Apr 2019.csv", "2019-04", 1),
    ("tameside", "Tameside_Spend_2019-20_Q1.csv", "2019-04", 3),
    ("tameside", "Tameside_Spend_2019-20_Q4.csv", "2020-01", 3),
    ("trafford", "trafford-supplier-spend-2019-04.csv", "2019-04", 1),
    ("trafford", "trafford-supplier-spend-2024-25.zip", "2024-04", 12),
    ("trafford", "trafford-supplier-spend-2026-27_first2000rows.csv", "2026-04", 12),
])
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


@pytest.mark.parametrize("d, label", [(date(2020, 4, 1), "2020/21"), (date(2021, 3, 31), "2020/21"),
                                      (date(1999, 12, 1), "1999/00")])
def test_financial_year(d, label):
    assert financial_year(d) == label
