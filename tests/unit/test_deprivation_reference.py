"""The deprivation rule (which edition measures which year) and the editions reference it names."""

from __future__ import annotations

import shutil

import pytest
import yaml

from ingestion.deprivation import DeprivationReferenceError, read_editions
from ingestion.registry import ConfigError, load_rules, parse_rules


def _raw(config_dir) -> dict:
    return yaml.safe_load((config_dir / "rules.yml").read_text())


@pytest.mark.parametrize(
    "editions_from, message",
    [
        (["2019/20"], "one year per edition"),
        (["2025/26", "2019/20"], "strictly increasing"),
        (["2019/21", "2025/26"], "one financial year per edition"),
    ],
)
def test_edition_years_must_match_the_editions(config_dir, editions_from, message):
    raw = _raw(config_dir)
    raw["deprivation"]["editions_from"] = editions_from
    with pytest.raises(ConfigError, match=message):
        parse_rules(raw)


def test_shipped_editions_are_england_wide_with_their_checksums(config_dir):
    rule = load_rules(config_dir).deprivation
    editions, deciles = read_editions(config_dir / "reference" / "deprivation", rule)
    assert list(editions["edition"]) == ["imd2019", "iod2025"]
    assert dict(zip(editions["edition"], editions["lsoa_vintage"])) == {"imd2019": "2011", "iod2025": "2021"}
    assert editions["file_sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    counts = deciles.groupby("edition").size().to_dict()
    assert counts == {"imd2019": 32_844, "iod2025": 33_755}
    # a tenth of England's LSOAs are in each decile
    share = deciles[deciles["edition"] == "iod2025"]["imd_decile"].eq(1).mean()
    assert 0.099 < share < 0.101


def test_an_edition_the_rule_names_but_the_folder_lacks_is_refused(config_dir):
    rule = load_rules(config_dir).deprivation
    raw = _raw(config_dir)
    raw["deprivation"]["editions"] = ["imd2019", "iod2030"]
    rule = parse_rules(raw).deprivation
    with pytest.raises(DeprivationReferenceError, match=r"names \['iod2030'\]"):
        read_editions(config_dir / "reference" / "deprivation", rule)


def test_a_bad_decile_names_the_file_and_line(config_dir, tmp_path):
    folder = tmp_path / "deprivation"
    shutil.copytree(config_dir / "reference" / "deprivation", folder)
    (folder / "imd2019_lsoa11.csv.gz").unlink()
    (folder / "editions.csv").write_text(
        (folder / "editions.csv").read_text().replace("imd2019_lsoa11.csv.gz", "imd2019.csv")
    )
    (folder / "imd2019.csv").write_text(
        "lsoa_code,imd_decile,income_decile,employment_decile\nE01000001,1,2,3\nE01000002,11,2,3\n"
    )
    with pytest.raises(DeprivationReferenceError, match=r"imd2019.csv line 3"):
        read_editions(folder, load_rules(config_dir).deprivation)
