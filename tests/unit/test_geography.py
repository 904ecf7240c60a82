"""Postcode directory layouts (LSOA, OA, ward columns over the years) and the point-in-polygon route."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ingestion.geo_points import BoundaryError, LsoaPolygons, grid_to_osgb36, osgb36_to_wgs84
from ingestion.geography import read_postcode_directory


def _square(code: str, lon0: float, lat0: float, size: float = 0.01) -> dict:
    ring = [[lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size], [lon0, lat0 + size], [lon0, lat0]]
    return {"type": "Feature", "properties": {"LSOA21CD": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


@pytest.fixture
def boundaries(tmp_path):
    path = tmp_path / "lsoa.geojson"
    features = [_square("E01000001", -2.30, 53.40), _square("E01000002", -2.29, 53.40)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_os_worked_example_grid_to_osgb36():
    """OS 'A guide to coordinate systems in Great Britain', annex C: E 651409.903, N 313177.270."""
    lat, lon = grid_to_osgb36(np.array([651409.903]), np.array([313177.270]))
    assert lat[0] == pytest.approx(52 + 39 / 60 + 27.2531 / 3600, abs=1e-7)
    assert lon[0] == pytest.approx(1 + 43 / 60 + 4.5177 / 3600, abs=1e-7)


def test_helmert_moves_greenwich_about_a_hundred_metres_west():
    """Airy's meridian (OSGB36 longitude 0) lies ~102 m east of the WGS84 prime meridian."""
    _, lon = osgb36_to_wgs84(np.array([51.4773]), np.array([0.0]))
    assert -0.0018 < lon[0] < -0.0013


def test_nspl_columns_for_lsoa_oa_and_ward(tmp_path):
    path = tmp_path / "nspl.csv"
    path.write_text(
        "pcds,doterm,laua,osward,oa21,lsoa11,lsoa21\n"
        "M32 0AA,,E08000009,E05015247,E00029001,E01006112,E01034001\n"
        "M32 0AB,,E08000009,,,,\n",
        encoding="utf-8",
    )
    table = read_postcode_directory(path).set_index("postcode")
    assert table.loc["M32 0AA", ["ward_code", "oa21_code", "lsoa11_code", "lsoa21_code", "lsoa_source"]].tolist() == [
        "E05015247",
        "E00029001",
        "E01006112",
        "E01034001",
        "directory",
    ]
    assert table.loc["M32 0AB", ["lsoa21_code", "lsoa_source"]].isna().all()


def test_onspd_2025_names(tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text("pcds,lad25cd,wd25cd,lsoa21cd,lsoa11cd\nSK1 3XE,E08000007,E05000800,E01005001,E01005000\n")
    row = read_postcode_directory(path).iloc[0]
    assert (row["lad_code"], row["ward_code"], row["lsoa21_code"], row["lsoa11_code"]) == (
        "E08000007",
        "E05000800",
        "E01005001",
        "E01005000",
    )


def test_points_only_are_placed_by_polygon(tmp_path, boundaries):
    path = tmp_path / "points.csv"
    path.write_text(
        "postcode,la_code,lat,long\n"
        "M1 1AA,E08000003,53.405,-2.295\n"  # in the first square
        "M1 1AB,E08000003,53.405,-2.285\n"  # in the second
        "M1 1AD,E08000003,99.999999,0.000000\n"  # ONSPD's 'no grid reference'
        "M1 1AE,E08000003,53.5,-2.0\n",  # outside every polygon
        encoding="utf-8",
    )
    table = read_postcode_directory(path, lsoa_boundaries=boundaries).set_index("postcode")
    assert table["lsoa21_code"].fillna("-").to_dict() == {
        "M1 1AA": "E01000001",
        "M1 1AB": "E01000002",
        "M1 1AD": "-",
        "M1 1AE": "-",
    }
    assert table["lsoa_source"].fillna("-").tolist() == ["point_in_polygon", "point_in_polygon", "-", "-"]


def test_directory_lsoa_wins_over_polygon(tmp_path, boundaries):
    path = tmp_path / "mixed.csv"
    path.write_text("pcds,laua,lsoa21,lat,long\nM1 1AA,E08000003,E01099999,53.405,-2.295\n", encoding="utf-8")
    row = read_postcode_directory(path, lsoa_boundaries=boundaries).iloc[0]
    assert (row["lsoa21_code"], row["lsoa_source"]) == ("E01099999", "directory")


def test_boundaries_without_lsoa_codes_name_the_fix(tmp_path):
    path = tmp_path / "bad.geojson"
    feature = _square("x", -2.3, 53.4)
    feature["properties"] = {"name": "somewhere"}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    with pytest.raises(BoundaryError, match="LSOA code"):
        LsoaPolygons(path)
