import copy

import pytest
import yaml

from ingestion.registry import ConfigError, load_registry, load_rules, parse_registry


@pytest.fixture
def raw_registry(config_dir):
    return yaml.safe_load((config_dir / "partners.yml").read_text())


def test_shipped_registry_and_rules_load(config_dir):
    registry = load_registry(config_dir)
    assert {"stockport", "trafford", "rochdale", "tameside"} <= set(registry.partners)
    assert registry.groups["STAR"].members == ("stockport", "trafford", "rochdale", "tameside")
    assert set(registry.groups["STAR"].home_lad_codes) == {"E08000005", "E08000007", "E08000008", "E08000009"}
    assert len(registry.groups["GM"].home_lad_codes) == 10
    assert set(load_rules(config_dir).versions()) == {
        "local_spend",
        "coverage",
        "redaction",
        "feed_validation",
        "supplier_classification",
        "social_value",
        "supplier_matching",
        "identity_checks",
    }


def test_a_new_partner_is_configuration_only(raw_registry):
    new = copy.deepcopy(raw_registry["partners"][0])
    new.update(code="wigan", name="Wigan Council", home_lad_codes=["E08000010"], groups=["GM"])
    raw_registry["partners"].append(new)
    registry = parse_registry(raw_registry)
    assert "wigan" in registry.partners
    assert "wigan" in registry.groups["GM"].members and "wigan" not in registry.groups["STAR"].members


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda p: p["feeds"]["spend"].pop("date_format"), "date_format' is required"),
        (lambda p: p["feeds"]["spend"]["columns"].update(amount=["X"]), "unknown canonical column"),
        (lambda p: p["feeds"]["spend"]["columns"].pop("amount_gbp"), "must name a source column"),
        (lambda p: p.update(groups=["NOPE"]), "group 'NOPE'"),
        (lambda p: p.update(type="bank"), "type 'bank'"),
        (lambda p: p["feeds"]["spend"].update(file_pattern="(unclosed"), "not a valid regular expression"),
        (
            lambda p: p["feeds"]["spend"].update(buyers=["Stockport"]),
            "'buyers' applies only to feeds with a buyer_name",
        ),
    ],
)
def test_config_mistakes_name_partner_feed_and_key(raw_registry, mutate, message):
    mutate(raw_registry["partners"][0])
    with pytest.raises(ConfigError, match=message) as info:
        parse_registry(raw_registry)
    assert "stockport" in str(info.value) or "NOPE" in str(info.value)


@pytest.mark.parametrize(
    "section, key, value, message",
    [
        ("coverage", "min_located_spend_pct", 140, "coverage.min_located_spend_pct must be a percentage"),
        ("coverage", "min_recent_return_pct", "most", "coverage.min_recent_return_pct must be a percentage"),
        ("coverage", "delivery_return_window_months", 0, "delivery_return_window_months must be a whole number"),
        ("identity_checks", "max_unrelated_names_per_record", -1, "max_unrelated_names_per_record must be a whole"),
        ("identity_checks", "max_unrelated_names_per_record", 2.5, "max_unrelated_names_per_record must be a whole"),
        ("identity_checks", "max_in_scope_gap_pct", 250, "max_in_scope_gap_pct must be a percentage"),
    ],
)
def test_rule_mistakes_are_named(config_dir, tmp_path, section, key, value, message):
    import shutil

    import yaml

    shutil.copytree(config_dir, tmp_path / "config")
    path = tmp_path / "config" / "rules.yml"
    raw = yaml.safe_load(path.read_text())
    raw[section][key] = value
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=message):
        load_rules(tmp_path / "config")


@pytest.mark.parametrize("value", ["pro-rata", None, "monthly"])
def test_part_year_threshold_must_say_how_a_short_year_is_treated(config_dir, tmp_path, value):
    import shutil

    shutil.copytree(config_dir, tmp_path / "config")
    path = tmp_path / "config" / "rules.yml"
    raw = yaml.safe_load(path.read_text())
    if value is None:
        raw["local_spend"].pop("part_year_threshold")
    else:
        raw["local_spend"]["part_year_threshold"] = value
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=r"local_spend.part_year_threshold must be full .* or pro_rata"):
        load_rules(tmp_path / "config")
    raw["local_spend"]["part_year_threshold"] = "pro_rata"
    path.write_text(yaml.safe_dump(raw))
    assert load_rules(tmp_path / "config").local_spend["part_year_threshold"] == "pro_rata"
