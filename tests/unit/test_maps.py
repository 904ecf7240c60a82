"""The GM spend map: ward or district level by how much spend is placed, a text alternative inside
the SVG and beside it, and the table behind it (publishing/maps.py)."""

from __future__ import annotations

import pandas as pd

from publishing.maps import dashboard_maps, spend_map


def _rows(ward_placed_gbp: float, ward_unknown_gbp: float) -> pd.DataFrame:
    base = {"reporting_unit": "STAR", "reporting_unit_type": "group", "financial_year": "2019/20"}
    total = ward_placed_gbp + ward_unknown_gbp + 300_000.0
    rows = [
        ("district", "E08000007", "Stockport", True, ward_placed_gbp + ward_unknown_gbp, 5),
        ("district", "outside_gm", "Outside Greater Manchester", False, 200_000.0, 2),
        ("district", "unknown", "Location not known", False, 100_000.0, 1),
        ("ward", "E05011471", "Bramhall North", True, ward_placed_gbp, 4),
        ("ward", "gm_ward_unknown", "In Greater Manchester, ward not known", False, ward_unknown_gbp, 1),
        ("ward", "outside_gm", "Outside Greater Manchester", False, 200_000.0, 2),
        ("ward", "unknown", "Location not known", False, 100_000.0, 1),
    ]
    return pd.DataFrame(
        [
            {
                **base,
                "area_level": level,
                "area_code": code,
                "area_name": name,
                "is_area": is_area,
                "in_scope_spend_gbp": spend,
                "share_of_in_scope_pct": round(100 * spend / total, 2),
                "suppliers": suppliers,
                "area_vintage": "test",
            }
            for level, code, name, is_area, spend, suppliers in rows
        ]
    )


def test_ward_map_with_text_alternative_and_table():
    figure = spend_map(_rows(900_000.0, 100_000.0), "STAR", "2019/20")
    assert figure.level == "ward"
    assert figure.svg.lstrip().startswith("<svg") and "<title>Map of Greater Manchester" in figure.svg
    assert 'role="img"' in figure.svg
    assert "£1.0m (76.9%) went to suppliers in Greater Manchester" in figure.alt_text
    assert "Stockport" in figure.alt_text
    assert [r["area_code"] for r in figure.table] == ["E08000007", "outside_gm", "unknown"]


def test_district_map_when_few_suppliers_are_placed_in_a_ward():
    assert spend_map(_rows(100_000.0, 900_000.0), "STAR", "2019/20").level == "district"


def test_dashboard_maps_keyed_by_unit_and_year(tmp_path):
    assert dashboard_maps(tmp_path) == {}
    _rows(900_000.0, 100_000.0).to_parquet(tmp_path / "kpi_spend_by_area.parquet")
    maps = dashboard_maps(tmp_path)
    assert list(maps) == ["STAR"] and list(maps["STAR"]) == ["2019/20"]
    assert "<svg" in maps["STAR"]["2019/20"]
