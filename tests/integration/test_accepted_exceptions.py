"""A genuine outlier accepted by name is loaded, counted and published with its record, while a
second large row in the same file stays quarantined with its £ published; `make run` and the
statement annex list both, and an exception that can never apply is said."""

import shutil
from decimal import Decimal

import duckdb
import pytest
import yaml

from orchestration import run_pipeline
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.slow

FILE = "stockport_spend_2020-06.csv"
LOAN = (
    "Corporate Directorate,Treasury,Long Term Debtors,15/06/2020,9000001,Manchester Airport Holdings Ltd,"
    'S999991,"£106,451,612.93"\r\n'
)
TYPO = (
    'Corporate Directorate,Treasury,Long Term Debtors,16/06/2020,9000002,Other Holdings Ltd,S999992,"60,000,000.00"\r\n'
)
EXCEPTIONS = {
    "version": "stockport-exceptions-1",
    "exceptions": [
        {
            "id": "SMBC-2020-001",
            "file": FILE,
            "transaction_ref": "9000001",
            "amount": "£106,451,612.93",
            "check": "amount_plausible",
            "reason": "Loan to Manchester Airport Holdings Ltd (Long Term Debtors)",
            "accepted_by": "A. Finance, Chief Finance Officer",
            "accepted_on": "2020-07-01",
        },
        {
            "id": "SMBC-2021-001",
            "file": "stockport_spend_2021-04.csv",
            "row": 2,
            "amount": 75000000,
            "check": "amount_plausible",
            "reason": "Second tranche",
            "accepted_by": "A. Finance",
            "accepted_on": "2020-07-01",
        },
    ],
}


@pytest.fixture
def landed(workspace, tmp_path, config_dir):
    """The sample landing zone with the loan and a typo appended to one Stockport month, and a
    config whose Stockport spend tolerates 1% of rows failing (so the typo is quarantined but the
    file, and the publication, go through) and accepts the loan."""
    shutil.copytree(SAMPLE_DIR / "landing", workspace.landing, dirs_exist_ok=True)
    path = workspace.landing / "stockport" / "spend" / FILE
    path.write_bytes(path.read_bytes().rstrip(b"\r\n") + b"\r\n" + (LOAN + TYPO).encode())
    config = tmp_path / "config"
    shutil.copytree(config_dir, config)
    registry = yaml.safe_load((config / "partners.yml").read_text(encoding="utf-8"))
    stockport = next(p for p in registry["partners"] if p["code"] == "stockport")
    stockport["feeds"]["spend"]["tolerance_pct"] = 1
    (config / "partners.yml").write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    (config / "exceptions" / "stockport.yml").write_text(yaml.safe_dump(EXCEPTIONS), encoding="utf-8")
    return workspace  # its config is workspace.root / "config" (tmp_path is the workspace's root)


def test_accepted_exception_and_quarantined_pounds_are_published_and_listed(landed, capsys):
    assert run_pipeline.run(quiet=True, settings=landed.settings(config_dir=landed.root / "config")) == 0
    out = capsys.readouterr().out

    # make run lists every partner's quarantined rows and £ by check, and every exception
    assert "Quarantined rows" in out and "Accepted exceptions" in out
    assert "spend amount_plausible: 1 row, £60,000,000.00" in out
    assert "£106,451,612.93  amount_plausible  applied" in out
    assert (
        "SMBC-2020-001: Loan to Manchester Airport Holdings Ltd (Long Term Debtors) "
        "(accepted by A. Finance, Chief Finance Officer on 2020-07-01; stockport-exceptions-1)" in out
    )
    assert "stockport_spend_2021-04.csv  £75,000,000.00  amount_plausible  NOT APPLIED: no current load" in out
    for partner in ("rochdale", "tameside", "trafford"):
        assert f"  {partner:<12}" in out

    with duckdb.connect(str(landed.published / "warehouse.duckdb"), read_only=True) as con:
        [exception] = con.execute(
            "select exception_id, status, financial_year, amount_gbp, accepted_by, accepted_on, source_file "
            "from dq_accepted_exceptions"
        ).fetchall()
        assert exception[:5] == (
            "SMBC-2020-001",
            "applied",
            "2020/21",
            Decimal("106451612.93"),
            "A. Finance, Chief Finance Officer",
        )
        assert str(exception[5]) == "2020-07-01" and exception[6] == f"stockport/spend/{FILE}"
        quarantined = con.execute(
            "select rows_quarantined, amount_gbp from dq_quarantine_summary "
            "where partner_code = 'stockport' and feed = 'spend' and financial_year = '2020/21' "
            "and checks = 'amount_plausible'"
        ).fetchall()
        assert quarantined == [(1, Decimal("60000000.00"))]
        # the loan counts in the figures; the typo does not
        assert con.execute("select count(*) from fct_spend where amount_gbp = 106451612.93").fetchone()[0] == 1
        assert con.execute("select count(*) from fct_spend where amount_gbp = 60000000").fetchone()[0] == 0
        in_scope = con.execute(
            "select in_scope_spend_gbp from kpi_local_spend where reporting_unit = 'stockport' "
            "and financial_year = '2020/21'"
        ).fetchone()[0]
        assert in_scope > 106451612.93
        notices = con.execute(
            "select \"check\", success from publication_checks where layer = 'feed' "
            "and \"check\" like 'accepted_exceptions%'"
        ).fetchall()
        assert notices == [("accepted_exceptions", True)]

    statement = (landed.published / "statements" / "stockport_2020-21_social_value_statement.html").read_text()
    annex = statement[statement.index("Rows kept out of the figures") :]
    assert "£60,000,000.00" in annex and "amount_plausible" in annex
    assert "SMBC-2020-001" in annex and "£106,451,612.93" in annex and "applied, counted" in annex
    assert "A. Finance, Chief Finance Officer, 2020-07-01" in annex
    other_year = (landed.published / "statements" / "stockport_2019-20_social_value_statement.html").read_text()
    other_annex = other_year[other_year.index("Rows kept out of the figures") :]
    # no spend row of 2019/20 was set aside (the sample's contract-notice lists, any year, are listed in
    # every year's annex: their planted bad notices are quarantined)
    assert "SMBC-2020-001" not in other_year and "0 row(s) of 2019/20, holding £0.00" in other_annex
    assert "amount_plausible" not in other_annex
