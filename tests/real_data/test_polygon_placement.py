"""The point-in-polygon route (a directory with postcode coordinates but no LSOA column) agrees with
the LSOA the ONS directory publishes for Trafford's postcodes (issue 16: at least 99%).

The known answer is Trafford Data Lab's Feb 2025 ONSPD extract (ward and LSOA 2021 per postcode);
the polygons are the ONS generalised LSOA 2021 boundaries for GM. The test feeds the directory
reader the coordinates only, as a user with postcode points would, so the figure is the route's,
not the directory's. No tuning: a point is given to the polygon containing it, nothing else.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ingestion.geography import read_postcode_directory

pytestmark = pytest.mark.real_data

MIN_AGREEMENT = 0.99


@pytest.fixture(scope="module")
def boundaries(real_data):
    return real_data / "gm_reference_2025" / "geography" / "gm_lsoa_generalised_2021.geojson"


@pytest.fixture(scope="module")
def trafford(real_data) -> pd.DataFrame:
    return pd.read_csv(real_data / "trafforddatalab_gm_postcodes" / "trafford_postcodes_2025-02.csv", dtype=str)


def test_polygon_route_agrees_with_onspd_lsoa_for_trafford(tmp_path, boundaries, trafford):
    points_only = tmp_path / "trafford_points.csv"
    trafford[["postcode", "la_code", "lon", "lat"]].to_csv(points_only, index=False)
    placed = read_postcode_directory(points_only, lsoa_boundaries=boundaries).set_index("postcode")
    truth = trafford.set_index("postcode")["lsoa_code"]
    got = placed["lsoa21_code"].reindex(truth.index)
    agreement = float((got == truth).mean())
    print(f"polygon route vs ONSPD LSOA 2021, Trafford Feb 2025: {agreement:.4%} of {len(truth)} postcodes")
    assert placed["lsoa_source"].eq("point_in_polygon").mean() > 0.999
    assert agreement >= MIN_AGREEMENT
