"""The postcode reference builder reads ONS directory layouts, shown on the real GM extracts."""

from ingestion.geography import read_postcode_directory


def test_trafford_extract_with_la_code_column(real_data):
    table = read_postcode_directory(real_data / "trafforddatalab_gm_postcodes" / "trafford_postcodes_2025-02.csv")
    assert len(table) > 11_000
    assert table["lad_code"].eq("E08000009").all()
    assert table["postcode"].str.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}").all()


def test_partial_gm_extract_with_area_code_column(real_data):
    table = read_postcode_directory(
        real_data / "trafforddatalab_gm_postcodes" / "gm_postcodes_2020-01_PARTIAL_1000_per_LA.csv"
    )
    assert table["lad_code"].nunique() == 10
    assert set(table["lad_code"]) == {f"E080000{n:02d}" for n in range(1, 11)}


def test_nspl_layout_sample_directory(tmp_path):
    path = tmp_path / "nspl.csv"
    path.write_text(
        "pcd,pcd2,pcds,dointr,doterm,laua\n"
        "SK1 3XE,SK1  3XE,SK1 3XE,198001,,E08000007\n"
        "M1  1AA,M1   1AA,M1 1AA,198001,200012,E08000003\n",
        encoding="utf-8",
    )
    table = read_postcode_directory(path)
    assert table.set_index("postcode")["lad_code"].to_dict() == {"M1 1AA": "E08000003", "SK1 3XE": "E08000007"}
    assert table.set_index("postcode")["is_terminated"].to_dict() == {"M1 1AA": True, "SK1 3XE": False}
