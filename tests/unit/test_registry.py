import copy
from dataclasses import dataclass, fields
from pathlib import Path
from typing import get_type_hints

import duckdb
import jinja2
import pytest
import yaml

from ingestion.raw_store import write_tables
from ingestion.reference import REFERENCE_TABLES, rule_table, rule_tables
from ingestion.registry import (
    RULE_SECTIONS,
    ConfigError,
    CoverageRule,
    load_registry,
    load_rules,
    parse_registry,
    parse_rule_section,
    parse_rules,
    rule,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


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
        "contract_performance",
        "deprivation",
        "payment_performance",
        "svmi",
        "local_multiplier",
        "supplier_attributes",
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


def _shipped_rules_raw(config_dir) -> dict:
    return yaml.safe_load((config_dir / "rules.yml").read_text())


def _typo(key: str) -> str:
    """The key with one letter dropped from its middle (fuzzy_threshold -> fuzzy_thresold)."""
    middle = len(key) // 2
    return key[:middle] + key[middle + 1 :]


SECTION_KEYS = [(cls, f.name) for cls in RULE_SECTIONS for f in fields(cls) if f.name != "version"]


@pytest.mark.parametrize("cls", RULE_SECTIONS, ids=lambda c: c.SECTION)
def test_a_typo_in_a_rule_key_is_named_with_the_key_it_meant(config_dir, cls):
    raw = _shipped_rules_raw(config_dir)
    key = next(f.name for f in fields(cls) if f.name != "version")
    section = raw[cls.SECTION]
    section[_typo(key)] = section.pop(key)
    with pytest.raises(ConfigError) as info:
        parse_rules(raw, "config/rules.yml")
    message = str(info.value)
    assert f"config/rules.yml: {cls.SECTION}.{_typo(key)} is not a key" in message
    assert f"did you mean '{key}'?" in message


def _wrong_type(kind) -> object:
    """A value YAML could hold that is not of the field's type."""
    if kind is bool:
        return "yes"
    if kind in (int, float):
        return "high"
    if kind is str:
        return 12
    return "not a list"  # tuple[str, ...]


@pytest.mark.parametrize("cls, key", SECTION_KEYS, ids=lambda v: getattr(v, "SECTION", v))
def test_a_wrongly_typed_rule_value_is_named_with_what_it_must_be(config_dir, cls, key):
    raw = _shipped_rules_raw(config_dir)
    raw[cls.SECTION][key] = _wrong_type(get_type_hints(cls)[key])
    with pytest.raises(ConfigError, match=rf"^config/rules.yml: {cls.SECTION}\.{key} must be .+, not "):
        parse_rules(raw, "config/rules.yml")


@pytest.mark.parametrize("cls, key", SECTION_KEYS, ids=lambda v: getattr(v, "SECTION", v))
def test_a_missing_rule_key_is_named_and_the_fix_given(config_dir, cls, key):
    raw = _shipped_rules_raw(config_dir)
    raw[cls.SECTION].pop(key)
    with pytest.raises(ConfigError, match=rf"{cls.SECTION}\.{key} must be .+; it is missing: add '{key}:'"):
        parse_rules(raw, "config/rules.yml")


def test_whole_numbers_and_booleans_are_not_confused(config_dir):
    """YAML's `true` is an int to Python: a flag where a count belongs is a mistake, not 1."""
    raw = _shipped_rules_raw(config_dir)
    raw["identity_checks"]["max_unrelated_names_per_record"] = True
    with pytest.raises(ConfigError, match="max_unrelated_names_per_record must be a whole number"):
        parse_rules(raw)
    raw = _shipped_rules_raw(config_dir)
    raw["supplier_matching"]["use_trading_name_aliases"] = 1
    with pytest.raises(ConfigError, match="use_trading_name_aliases must be true or false, not 1"):
        parse_rules(raw)


def test_an_unquoted_no_in_a_list_is_explained(config_dir):
    """YAML 1.1 reads a bare NO as false: the company prefix 'NO' once silently never matched."""
    raw = _shipped_rules_raw(config_dir)
    raw["supplier_classification"]["vcse_company_prefixes"] = yaml.safe_load("[IP, NO]")
    with pytest.raises(ConfigError, match=r"not \['IP', False\] \(YAML reads an unquoted NO"):
        parse_rules(raw)
    assert "NO" in load_rules(config_dir).supplier_classification.vcse_company_prefixes


def test_an_unknown_rules_section_is_refused(config_dir):
    raw = _shipped_rules_raw(config_dir)
    raw["coverge"] = {"version": "x"}
    with pytest.raises(ConfigError, match=r"unknown section\(s\) \['coverge'\]"):
        parse_rules(raw)


def test_rules_are_typed_values_not_the_yaml(config_dir):
    rules = load_rules(config_dir)
    assert isinstance(rules.local_spend.threshold_gbp, float)  # 25000 in the file
    assert isinstance(rules.coverage.delivery_return_window_months, int)
    assert isinstance(rules.local_spend.address_preference, tuple)
    with pytest.raises(KeyError, match="has no key 'fuzzy_treshold'"):
        rules.supplier_matching["fuzzy_treshold"]


def _render_staging_model(table: str, reference_dir) -> str:
    """The staging model's SQL with its one source read from the reference Parquet, as dbt does."""
    sql = (PROJECT_ROOT / "dbt_project" / "models" / "staging" / f"stg_reference__{table}.sql").read_text()
    return jinja2.Template(sql).render(
        source=lambda _source, name: f"read_parquet('{reference_dir / f'{name}.parquet'}')"
    )


@pytest.mark.parametrize("cls", RULE_SECTIONS, ids=lambda c: c.SECTION)
def test_every_rule_field_reaches_dbt(config_dir, tmp_path, cls):
    """A new field in a section's dataclass is a column of stg_reference__<table>, with its value,
    with no other edit: the reference table is generated from the fields and the staging model
    passes it whole. The source is declared and its Dagster asset listed."""
    rules = load_rules(config_dir)
    write_tables(rule_tables(rules), tmp_path)
    section = getattr(rules, cls.SECTION)
    row = duckdb.sql(_render_staging_model(cls.TABLE, tmp_path)).df()
    assert len(row) == 1
    for spec in fields(cls):
        column = "rule_version" if spec.name == "version" else spec.name
        value = getattr(section, spec.name)
        got = row.iloc[0][column]
        if isinstance(value, tuple):
            assert tuple(got) == value, column
        elif column == "address_rule":
            assert got == f"{value}:" + ">".join(section.address_preference)
        else:
            assert got == value, column
    sources = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "models" / "staging" / "_raw__sources.yml").read_text())
    reference = next(s for s in sources["sources"] if s["name"] == "reference")
    assert cls.TABLE in {t["name"] for t in reference["tables"]}
    assert cls.TABLE in REFERENCE_TABLES


def test_a_new_rule_field_becomes_a_typed_column(config_dir, tmp_path):
    """The route is generic: a field the dataclass gains arrives in dbt with its SQL type."""

    @dataclass(frozen=True)
    class WithNewField(CoverageRule):
        min_widgets: int = rule("a whole number", lambda v: v >= 0)
        strict: bool = rule("true or false")

    raw = _shipped_rules_raw(config_dir)["coverage"] | {"min_widgets": 3, "strict": False}
    write_tables({"coverage_rule": rule_table(parse_rule_section(WithNewField, raw, "rules.yml"))}, tmp_path)
    described = duckdb.sql(f"describe {_render_staging_model('coverage_rule', tmp_path)}").fetchall()
    types = {name: kind for name, kind, *_ in described}
    assert types["min_widgets"] == "INTEGER" and types["strict"] == "BOOLEAN"
    assert types["min_located_spend_pct"] == "DOUBLE" and types["rule_version"] == "VARCHAR"
