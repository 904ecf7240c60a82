"""Accepted exceptions: a named genuine outlier loads and counts, nothing else gets through with it,
a stale entry is reported, a mistaken exceptions file is refused with the fix."""

import dataclasses
import shutil

import pyarrow.parquet as pq
import pytest
import yaml

from ingestion import raw_store
from ingestion.exceptions import ExceptionsError
from ingestion.landing import scan_landing
from ingestion.load import load_file, read_and_validate
from ingestion.registry import ConfigError, load_registry, load_rules

NAME = "stockport_spend_2022-11.csv"
HEADER = "Department,Service Area,Expense Type,Date Paid,Transaction Number,Supplier Name,Supplier ID,Amount\n"
ROWS = [  # spreadsheet rows 2, 3, 4
    'Place,Economy,Grants,01/11/2022,5001,Acme Ltd,S1," 1,000.00 "\n',
    'Corporate,Treasury,Long Term Debtors,15/11/2022,5002,Manchester Airport Holdings Ltd,S9,"£106,451,612.93"\n',
    "Place,Economy,Fees,20/11/2022,5003,Beta Ltd,S2,£25.00\n",
]
SIXTY_MILLION = 'Corporate,Treasury,Long Term Debtors,21/11/2022,5004,Other Holdings Ltd,S8,"60,000,000.00"\n'
LOAN = {
    "id": "SMBC-2022-001",
    "file": NAME,
    "transaction_ref": "5002",
    "amount": "£106,451,612.93",
    "check": "amount_plausible",
    "reason": "Loan to Manchester Airport Holdings (Long Term Debtors)",
    "accepted_by": "A. Finance, Chief Finance Officer",
    "accepted_on": "2022-12-05",
}


@pytest.fixture
def config(tmp_path, config_dir):
    """A private copy of config/ whose exceptions a test may write."""
    copy = tmp_path / "config"
    shutil.copytree(config_dir, copy)
    return copy


def write_exceptions(config, entries, version="stockport-exceptions-1", partner="stockport"):
    folder = config / "exceptions"
    folder.mkdir(exist_ok=True)
    (folder / f"{partner}.yml").write_text(
        yaml.safe_dump({"version": version, "exceptions": entries}), encoding="utf-8"
    )


def land(workspace, rows, name=NAME):
    folder = workspace.landing / "stockport" / "spend"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(HEADER + "".join(rows), encoding="utf-8")
    return folder / name


def load(workspace, config, name=NAME):
    landed = next(f for f in scan_landing(workspace.landing, load_registry(config)).files if f.path.name == name)
    return load_file(landed, load_rules(config), workspace.raw)


def partition(workspace, table):
    return pq.read_table(raw_store.partition_dir(workspace.raw, "spend", "stockport", "2022-11") / table).to_pandas()


def manifest(workspace):
    found = raw_store.read_manifest(workspace.raw, "spend", "stockport", "2022-11")
    return None if found is None else dataclasses.asdict(found)


def check(report, name):
    return next(c for c in report.checks if c.check == name)


def test_without_an_exception_the_genuine_outlier_is_quarantined(workspace, config):
    land(workspace, ROWS)
    report = load(workspace, config)
    assert not report.passed
    assert check(report, "amount_plausible").example_rows == [3]
    assert partition(workspace, "quarantine.parquet")["amount_pence"].tolist() == [10645161293]


def test_accepted_row_loads_is_counted_and_marked(workspace, config):
    write_exceptions(config, [LOAN])
    land(workspace, ROWS)
    report = load(workspace, config)
    assert report.passed, report.summary()
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (3, 3, 0)
    assert report.loaded_amount_pence == 100000 + 10645161293 + 2500
    plausible = check(report, "amount_plausible")
    assert plausible.success and plausible.failing_rows == 0 and plausible.rows_checked == 2
    notice = check(report, "accepted_exceptions")
    assert notice.example_rows == [3] and "SMBC-2022-001" in notice.reason and "£106,451,612.93" in notice.reason
    rows = partition(workspace, "rows.parquet")
    assert rows.set_index("source_row_number")["accepted_exception"].fillna("").to_dict() == {
        2: "",
        3: "SMBC-2022-001",
        4: "",
    }
    m = manifest(workspace)
    assert m["exceptions_version"] == "stockport-exceptions-1"
    assert m["exceptions_file"] == "config/exceptions/stockport.yml"
    assert m["exceptions_applied"] == ["SMBC-2022-001"]
    [entry] = m["accepted_exceptions"]
    assert (entry["status"], entry["source_row_number"], entry["amount_pence"], entry["payment_date"]) == (
        "applied",
        3,
        10645161293,
        "2022-11-15",
    )
    assert entry["accepted_by"] == LOAN["accepted_by"] and entry["accepted_on"] == "2022-12-05"


def test_another_large_row_in_the_same_file_is_still_quarantined_and_fails_the_file(workspace, config):
    write_exceptions(config, [LOAN])
    land(workspace, ROWS + [SIXTY_MILLION])
    report = load(workspace, config)
    assert not report.passed
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (4, 3, 1)
    plausible = check(report, "amount_plausible")
    assert not plausible.success and plausible.example_rows == [5] and plausible.failing_rows == 1
    quarantine = partition(workspace, "quarantine.parquet")
    assert quarantine["source_row_number"].tolist() == [5]
    assert quarantine["amount_pence"].tolist() == [6000000000]
    assert str(quarantine["payment_date"].iloc[0]) == "2022-11-21"
    assert partition(workspace, "rows.parquet")["accepted_exception"].dropna().tolist() == ["SMBC-2022-001"]


def test_an_amount_a_penny_off_is_not_applied_and_reported_stale(workspace, config):
    write_exceptions(config, [{**LOAN, "amount": "106451612.92"}])
    land(workspace, ROWS)
    report = load(workspace, config)
    assert not report.passed
    assert report.rows_quarantined == 1 and check(report, "amount_plausible").example_rows == [3]
    stale = check(report, "accepted_exceptions_unused")
    assert stale.severity == "warning" and not stale.success
    assert "SMBC-2022-001" in stale.reason and "not with £106,451,612.92 (row 3 has £106,451,612.93)" in stale.reason
    assert stale.example_rows == [3]
    assert "WARN accepted_exceptions_unused" in report.summary()
    [entry] = manifest(workspace)["accepted_exceptions"]
    assert entry["status"] == "stale"
    assert manifest(workspace)["exceptions_applied"] == []


@pytest.mark.parametrize(
    "change, status, words",
    [
        ({"transaction_ref": "9999"}, "stale", "no row has transaction_ref 9999"),
        ({"file": "stockport_spend_2022-10.csv"}, None, None),  # another file's exception: not this file's business
        ({"amount": "25.00", "transaction_ref": "5003"}, "not_needed", "row 4 passes amount_plausible"),
    ],
)
def test_entries_that_do_not_apply_say_why(workspace, config, change, status, words):
    write_exceptions(config, [{**LOAN, **change}])
    land(workspace, ROWS)
    report = load(workspace, config)
    outcomes = manifest(workspace)["accepted_exceptions"]
    if status is None:
        assert outcomes == [] and not [c for c in report.checks if c.check.startswith("accepted_")]
        return
    assert [o["status"] for o in outcomes] == [status]
    assert words in check(report, "accepted_exceptions_unused").reason


def test_row_number_identifies_a_row_and_transaction_ref_wins_over_it(workspace, config):
    by_row = {k: v for k, v in LOAN.items() if k != "transaction_ref"} | {"row": 3}
    write_exceptions(config, [by_row])
    land(workspace, ROWS)
    assert load(workspace, config).passed

    # the file re-exported with a row inserted above: the row number moved, the transaction did not
    moved = [ROWS[0], "Place,Economy,Fees,01/11/2022,5000,Gamma Ltd,S3,£10.00\n", *ROWS[1:]]
    write_exceptions(config, [{**LOAN, "row": 3}], version="stockport-exceptions-2")
    land(workspace, moved)
    report = load(workspace, config)
    assert report.passed
    [entry] = manifest(workspace)["accepted_exceptions"]
    assert entry["source_row_number"] == 4 and "transaction_ref wins" in entry["detail"]


def test_a_row_failing_another_check_too_stays_quarantined(workspace, config):
    write_exceptions(config, [LOAN])
    land(workspace, [ROWS[0], ROWS[1].replace("Manchester Airport Holdings Ltd", ""), ROWS[2]])
    report = load(workspace, config)
    assert not report.passed and report.rows_quarantined == 1
    assert check(report, "supplier_named").example_rows == [3]
    [entry] = manifest(workspace)["accepted_exceptions"]
    assert entry["status"] == "other_checks_failed" and "supplier_named" in entry["detail"]


def test_adding_an_exception_reloads_the_file(workspace, config):
    land(workspace, ROWS)
    assert not load(workspace, config).passed
    assert load(workspace, config).status == "unchanged"
    write_exceptions(config, [LOAN])
    report = load(workspace, config)
    assert report.status == "loaded" and report.passed
    assert load(workspace, config).status == "unchanged"


def test_validate_feed_applies_the_same_exceptions(workspace, config):
    write_exceptions(config, [LOAN])
    path = land(workspace, ROWS)
    registry = load_registry(config)
    raw, prepared, results, bad_rows, _ = read_and_validate(
        path,
        registry.feed("stockport", "spend"),
        load_rules(config),
        scan_landing(workspace.landing, registry).files[0].period,
    )
    assert bad_rows == {} and len(raw) == 3
    assert prepared["accepted_exception"].fillna("").tolist() == ["", "SMBC-2022-001", ""]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"check": "amount_readable"}, "check 'amount_readable' cannot be accepted: a row whose amount cannot be read"),
        ({"check": "payment_date_readable"}, "cannot be accepted"),
        ({"check": "supplier_named"}, "cannot be accepted"),
        ({"check": "file_layout"}, "cannot be accepted"),
        ({"check": "amount_sensible"}, "not a check a row can be accepted for; acceptable: amount_plausible"),
        ({"amount": "106m"}, "'amount' '106m' is not an amount"),
        ({"amount": 106451612.935}, "not exact to the penny"),
        ({"accepted_by": ""}, "'accepted_by' is required"),
        ({"accepted_on": "05/12/2022"}, "'accepted_on' must be the date it was accepted, written YYYY-MM-DD"),
        ({"transaction_ref": 5002}, "quote the transaction_ref"),
        ({"file": "stockport-spend-nov.csv"}, "matches none of stockport's spend file patterns"),
        ({"file": "spend/" + NAME}, "the file's name only"),
        ({"transaction_ref": None}, "say which row: 'transaction_ref'"),
        ({"row": 0}, "'row' must be a whole row number"),
        ({"approved": "yes"}, "unknown key(s) ['approved']"),
    ],
)
def test_mistakes_in_the_exceptions_file_name_file_entry_and_fix(config, change, message):
    entry = {k: v for k, v in {**LOAN, **change}.items() if v is not None}
    write_exceptions(config, [{**LOAN, "id": "SMBC-2022-000", "transaction_ref": "1"}, entry])
    with pytest.raises(ConfigError) as info:
        load_registry(config)
    assert isinstance(info.value, ExceptionsError)
    text = str(info.value)
    assert text.startswith("config/exceptions/stockport.yml: entry 2 (id SMBC-2022-001)"), text
    assert message in text


def test_file_level_mistakes_are_named(config):
    write_exceptions(config, [LOAN, LOAN])
    with pytest.raises(ConfigError, match="entry 2: id 'SMBC-2022-001' is already used by entry 1"):
        load_registry(config)
    (config / "exceptions" / "stockport.yml").write_text("exceptions: []\n")
    with pytest.raises(ConfigError, match="config/exceptions/stockport.yml: 'version' is required"):
        load_registry(config)
    (config / "exceptions" / "stockport.yml").unlink()
    write_exceptions(config, [], partner="stokcport")
    with pytest.raises(ConfigError, match="config/exceptions/stokcport.yml: there is no partner 'stokcport'"):
        load_registry(config)


def test_the_shipped_example_is_valid_and_not_applied(config):
    assert all(
        c.exceptions is None
        for p in load_registry(config).partners.values()
        for layouts in p.feeds.values()
        for c in layouts
    )
    shutil.copy(config / "exceptions" / "stockport.yml.example", config / "exceptions" / "stockport.yml")
    [entry] = load_registry(config).feed("stockport", "spend").exceptions.entries
    assert (entry.amount_pence, entry.transaction_ref, entry.check) == (10645161293, "4102518", "amount_plausible")


def test_the_mapping_fingerprint_ignores_exceptions(config):
    before = load_registry(config).feed("stockport", "spend").fingerprint()
    write_exceptions(config, [LOAN])
    assert load_registry(config).feed("stockport", "spend").fingerprint() == before
