"""Build the small open-licence geography and deprivation extracts that ship in config/reference/.

Run once by a maintainer when ONS or MHCLG publish a new edition (the sources are the OGL files
named in config/reference/geography/README.md and config/reference/deprivation/README.md):

    python -m ingestion.geo_extracts --source ../shared/data/real/gm_reference_2025

It keeps only the columns the pipeline reads (codes, names for display, three deprivation deciles)
and simplifies the boundaries drawn on the map, so the repository stays small: the full ONSPD,
the LSOA polygons for the point-in-polygon route and England-wide boundaries are the user's to
supply (docs/geography-and-deprivation.md).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
from shapely.geometry import mapping, shape

CONFIG_REFERENCE = Path(__file__).resolve().parent.parent / "config" / "reference"

# Tolerance (degrees) for the map's boundaries: about 50 m at GM's latitude, invisible at the size
# a statement draws GM, and it takes the ward file from ~670 kB to well under 200 kB.
MAP_SIMPLIFY_DEGREES = 0.0005


def _simplified_geojson(source: Path, target: Path, keep: dict[str, str]) -> None:
    data = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        geometry = shape(feature["geometry"]).simplify(MAP_SIMPLIFY_DEGREES, preserve_topology=True)
        rounded = json.loads(json.dumps(mapping(geometry)), parse_float=lambda v: round(float(v), 5))
        props = {new: feature["properties"][old] for old, new in keep.items()}
        features.append({"type": "Feature", "properties": props, "geometry": rounded})
    target.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def build(source: Path, out: Path = CONFIG_REFERENCE) -> None:
    geo, dep = source / "geography", source / "deprivation"
    (out / "geography").mkdir(parents=True, exist_ok=True)
    (out / "deprivation").mkdir(parents=True, exist_ok=True)
    wards = pd.read_csv(geo / "lookup_lsoa21_ward24_ltla24_gm.csv", dtype=str)
    wards.rename(
        columns={
            "lsoa21_code": "lsoa21_code",
            "ward24_code": "ward_code",
            "ward24_name": "ward_name",
            "ltla24_code": "lad_code",
        }
    )[["lsoa21_code", "ward_code", "ward_name", "lad_code"]].sort_values("lsoa21_code").to_csv(
        out / "geography" / "lsoa21_ward24_gm.csv", index=False
    )
    changes = pd.read_csv(geo / "lookup_lsoa11_lsoa21_ltla22_gm.csv", dtype=str)
    changes[["lsoa11_code", "lsoa21_code", "change_code"]].sort_values(["lsoa11_code", "lsoa21_code"]).to_csv(
        out / "geography" / "lsoa11_lsoa21_gm.csv", index=False
    )
    oas = pd.read_csv(geo / "statistical_lookup_2021.csv", dtype=str)
    oas.rename(columns={"oa21cd": "oa21_code", "lsoa21cd": "lsoa21_code"})[["oa21_code", "lsoa21_code"]].sort_values(
        "oa21_code"
    ).to_csv(out / "geography" / "oa21_lsoa21_gm.csv.gz", index=False)
    _simplified_geojson(
        geo / "gm_local_authority_generalised_2023.geojson",
        out / "geography" / "gm_districts_2023.geojson",
        {"area_code": "lad_code", "area_name": "lad_name"},
    )
    _simplified_geojson(
        geo / "gm_ward_generalised_2023.geojson",
        out / "geography" / "gm_wards_2023.geojson",
        {"area_code": "ward_code", "area_name": "ward_name", "local_authority_area_code": "lad_code"},
    )
    for name, code_col, target in (
        ("imd2019_england_lsoa11.csv", "lsoa11_code", "imd2019_lsoa11.csv.gz"),
        ("imd2025_england_lsoa21.csv", "lsoa21_code", "iod2025_lsoa21.csv.gz"),
    ):
        frame = pd.read_csv(dep / name, dtype=str)
        frame.rename(
            columns={
                code_col: "lsoa_code",
                "IMD_decile": "imd_decile",
                "Income_decile": "income_decile",
                "Employment_decile": "employment_decile",
            }
        )[["lsoa_code", "imd_decile", "income_decile", "employment_decile"]].sort_values("lsoa_code").to_csv(
            out / "deprivation" / target, index=False
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, required=True, help="folder holding geography/ and deprivation/")
    parser.add_argument("--out", type=Path, default=CONFIG_REFERENCE)
    build(parser.parse_args().source, parser.parse_args().out)


if __name__ == "__main__":
    main()
