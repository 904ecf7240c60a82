"""The bundled samples are exactly what the seeded generator writes, and plant the STAR figures."""

import hashlib
import json

from ingestion.samples.__main__ import DEFAULT_SEED, generate
from tests.conftest import SAMPLE_DIR


def digests(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".xlsx"
    }


def test_committed_samples_are_reproducible_from_the_generator(tmp_path):
    answers = generate(tmp_path, DEFAULT_SEED)
    assert digests(tmp_path) == digests(SAMPLE_DIR)
    assert answers == json.loads((SAMPLE_DIR / "answers.json").read_text())
    # Excel files embed a timestamp; compare their cell values instead.
    import pandas as pd

    for xlsx in SAMPLE_DIR.rglob("*.xlsx"):
        again = tmp_path / xlsx.relative_to(SAMPLE_DIR)
        assert pd.read_excel(xlsx).equals(pd.read_excel(again))


def test_planted_star_local_spend_figures():
    answers = json.loads((SAMPLE_DIR / "answers.json").read_text())
    star = {r["financial_year"]: r for r in answers["kpi_local_spend"] if r["reporting_unit"] == "STAR"}
    assert abs(star["2018/19"]["home_share_pct"] - 42.0) < 0.1
    assert abs(star["2020/21"]["home_share_pct"] - 53.9) < 0.1
    assert all(abs(r["gm_share_pct"] - 77.0) < 1.0 for r in star.values())
    assert all(r["unknown_location_spend_gbp"] > 0 for r in star.values())


def test_sample_feeds_carry_the_real_world_quirks():
    landing = SAMPLE_DIR / "landing"
    stockport = (landing / "stockport" / "spend" / "stockport_spend_2019-07.csv").read_text(encoding="utf-8")
    assert "*Redact - Personal Information" in stockport and "£" in stockport and ",,,,,,," in stockport
    rochdale = (landing / "rochdale" / "spend" / "Rochdale Payments Apr 2019.csv").read_bytes()
    rochdale.decode("cp1252")
    assert b"-Apr-19" in rochdale
    trafford = (landing / "trafford" / "spend" / "trafford-supplier-spend-2019-04.csv").read_text()
    assert ",NA," in trafford and "Redacted" in trafford
    assert len(list((landing / "tameside" / "spend").glob("*_Q*.csv"))) == 12
