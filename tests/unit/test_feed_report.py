"""The pieces of `svw validate-feed` that decide what is counted and which files are meant."""

import pytest

from ingestion.feed_report import TargetError, expand_targets
from ingestion.normalise import redaction_flags, redaction_pattern_per_name
from ingestion.registry import load_rules

NAMES = ["Redacted", "*Redact - Personal Information", "Payee details redacted", "PERSONAL DATA",
         "Name withheld", "Redactive Publishing", "Withheldon Farms Ltd", "Acme Ltd", None, ""]


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
