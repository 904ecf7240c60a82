from datetime import date

import pandas as pd
import pytest

from ingestion.normalise import normalise_postcodes, parse_amount_pence, parse_dates, redaction_flags
from ingestion.registry import load_rules


@pytest.mark.parametrize(
    "text, pence",
    [
        ("£1,234.56", 123456),
        (" 57,283.20 ", 5728320),
        ("-£51.46", -5146),
        ("(51.46)", -5146),
        ("51.46-", -5146),
        ("1787", 178700),
        ("0.29", 29),
        ("£-3.00", -300),
        ("12.5CR", -1250),
        ("\u00c2\u00a31,000.00", 100000),
    ],
)
def test_amounts_as_councils_publish_them(text, pence):
    assert parse_amount_pence(pd.Series([text]))[0] == pence


@pytest.mark.parametrize("text", ["abc", "", None, "inf", "1.2.3", "£", "12,3x4"])
def test_unreadable_amounts_become_missing_not_zero(text):
    assert pd.isna(parse_amount_pence(pd.Series([text]))[0])


def test_dates_follow_the_declared_format_only():
    parsed = parse_dates(pd.Series(["03-Apr-19", "2019-04-01", "43556", "04/03/2019", None]), "%d-%b-%y")
    assert parsed[0] == date(2019, 4, 3)
    assert parsed[1] == date(2019, 4, 1)  # ISO (Excel cells) is unambiguous
    assert parsed[2] == date(2019, 4, 1)  # Excel serial number
    assert pd.isna(parsed[3])  # another day/month order is never guessed
    assert pd.isna(parsed[4])


def test_day_month_order_is_the_partners_declaration():
    assert parse_dates(pd.Series(["04/03/2019"]), "%d/%m/%Y")[0] == date(2019, 3, 4)
    assert parse_dates(pd.Series(["04/03/2019"]), "%m/%d/%Y")[0] == date(2019, 4, 3)


@pytest.mark.parametrize(
    "given, expected",
    [
        ("sk13xe", "SK1 3XE"),
        ("  SK1   3XE ", "SK1 3XE"),
        ("M33 7OX", "M33 7OX"),
        ("M33 OAB", "M33 0AB"),
        ("SKI 3XE", "SK1 3XE"),
        ("WA14 2QX", "WA14 2QX"),
        ("N/A", None),
        ("UNKNOWN", None),
        (None, None),
        ("SW1A 1AA", "SW1A 1AA"),
    ],
)
def test_postcodes_normalised(given, expected):
    result = normalise_postcodes(pd.Series([given]))[0]
    assert (pd.isna(result) and expected is None) or result == expected


def test_redaction_markers_but_not_real_firms(config_dir):
    patterns = load_rules(config_dir).redaction_patterns
    names = pd.Series(
        [
            "Redacted",
            "*Redact - Personal Information",
            "REDACTED PERSONAL DATA",
            "Name withheld",
            "Redactive Publishing Ltd",
            "Redditch Cleaning",
            "Tesco",
            None,
        ]
    )
    assert redaction_flags(names, patterns).tolist() == [True, True, True, True, False, False, False, False]
