"""Trafford's voluntary-sector grant recipients all classify as VCSE, each flag with its source."""

import shutil

import duckdb
import pandas as pd
import pytest

from orchestration import run_pipeline
from tests.conftest import SAMPLE_DIR
from tests.real_data.helpers import deliver

pytestmark = [pytest.mark.real_data, pytest.mark.slow]


def test_grant_recipients_are_vcse_with_sources(workspace, real_data, config_dir):
    grants = real_data / "trafford" / "grants" / "trafford_council_voluntary_sector_grants.csv"
    shutil.copytree(SAMPLE_DIR / "landing", workspace.landing, dirs_exist_ok=True)
    deliver(grants, workspace.landing / "trafford" / "suppliers" / grants.name)
    assert run_pipeline.run(quiet=True, settings=workspace.settings()) == 0
    register = pd.read_csv(grants, dtype=str)

    with duckdb.connect(str(workspace.work / "warehouse.duckdb"), read_only=True) as con:
        flags = con.execute(
            """
            select r.supplier_ref, r.supplier_name, r.charity_number, d.is_vcse, d.vcse_source
            from stg_resolution__supplier_records r
            join stg_resolution__supplier_links l using (record_key)
            join dim_supplier d using (supplier_id)
            where r.partner_code = 'trafford' and r.supplier_ref in (select unnest(?))""",
            [sorted(set(register["Recipient Org:Identifier"].dropna()))],
        ).df()
    recipients = set(register["Recipient Org:Identifier"].dropna())
    assert set(flags["supplier_ref"]) == recipients
    assert flags["is_vcse"].all()
    by_source = flags["vcse_source"].str.split(":").str[0].value_counts().to_dict()
    assert by_source.get("registration", 0) > 50  # charity numbers, CICs
    assert by_source.get("partner_supplier_list", 0) > 50  # the programme's own word, lowest trust used
    with_charity = flags[flags["charity_number"].notna()]
    assert with_charity["vcse_source"].eq("registration:charity_number").all()
    cic = flags[
        flags["supplier_name"].str.contains(r"\bCIC\b|Community Interest Company", case=False)
        & flags["charity_number"].isna()
    ]
    # a CIC's organisation is a VCSE on registration evidence: its name, or a charity number that a
    # record of the same name carries ('Art with Heart CIC' and its charity record are one organisation)
    assert len(cic) > 5 and cic["vcse_source"].isin(["registration:cic_name", "registration:charity_number"]).all()
    assert cic["vcse_source"].eq("registration:cic_name").mean() > 0.8
