"""Build the postcode -> output area -> LSOA -> ward -> district lookup from a postcode directory.

Accepts the ONS Postcode Directory (ONSPD) and National Statistics Postcode Lookup (NSPL) CSV
layouts, whose columns have been renamed over the years (LAD: `laua`, `oslaua`, `lad<yy>cd`; ward:
`osward`, `wd<yy>cd`; LSOA 2021: `lsoa21`, `lsoa21cd`; LSOA 2011: `lsoa11`, `lsoa11cd`; output area:
`oa21`, `oa21cd`), and the smaller extracts that use `la_code`/`area_code`. The full directory has
~2.7 million rows, so only the needed columns are read.

A directory without an LSOA 2021 column but with postcode coordinates (lat/long, or OS grid
eastings/northings) gets its LSOA 2021 by point-in-polygon against the user's LSOA boundaries
(ingestion/geo_points.py), and `lsoa_source` says which route placed each postcode. The LSOA 2011
code, the ward and the district by current codes are derived in dbt through the shipped lookups
(int_postcode__neighbourhoods), so one set of lookups serves both routes.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ingestion.geo_points import LsoaPolygons, grid_to_wgs84
from ingestion.normalise import normalise_postcodes
from ingestion.readers import header_key

POSTCODE_COLUMNS = ("pcds", "pcd", "pcd2", "postcode")
LAD_COLUMNS = ("laua", "oslaua", "la_code", "area_code", "lad_code", "ladcd")
TERMINATED_COLUMNS = ("doterm",)
WARD_COLUMNS = ("osward", "ward", "ward_code")
LSOA21_COLUMNS = ("lsoa21", "lsoa21cd", "lsoa21_code")
LSOA11_COLUMNS = ("lsoa11", "lsoa11cd", "lsoa11_code")
OA21_COLUMNS = ("oa21", "oa21cd", "oa21_code")
LAT_COLUMNS = ("lat", "latitude")
LONG_COLUMNS = ("long", "lon", "lng", "longitude")
EASTING_COLUMNS = ("oseast1m", "east1m", "easting", "oseast100m")
NORTHING_COLUMNS = ("osnrth1m", "north1m", "northing", "osnrth100m")


class PostcodeDirectoryError(ValueError):
    pass


def _pick(columns: list[str], candidates: tuple[str, ...], pattern: str | None = None) -> str | None:
    keyed = {header_key(c): c for c in columns}
    for candidate in candidates:
        if header_key(candidate) in keyed:
            return keyed[header_key(candidate)]
    if pattern:
        matches = sorted((c for c in columns if re.fullmatch(pattern, c.lower())), reverse=True)
        return matches[0] if matches else None
    return None


def _codes(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(None, index=frame.index, dtype="string")
    return frame[column].str.strip().replace("", None).astype("string")


def _numbers(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column].str.strip(), errors="coerce").to_numpy(dtype=float)


def _points(frame: pd.DataFrame, header: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """(lon, lat) of each postcode in WGS84, or None when the directory gives no coordinates.

    ONSPD writes lat 99.999999 / long 0 for a postcode without a grid reference: not a point."""
    lat_col, long_col = _pick(header, LAT_COLUMNS), _pick(header, LONG_COLUMNS)
    if lat_col and long_col:
        lat, lon = _numbers(frame, lat_col), _numbers(frame, long_col)
        bad = ~((lat > 49) & (lat < 61) & (lon > -9) & (lon < 3))
    else:
        east_col, north_col = _pick(header, EASTING_COLUMNS), _pick(header, NORTHING_COLUMNS)
        if not (east_col and north_col):
            return None
        east, north = _numbers(frame, east_col), _numbers(frame, north_col)
        lat, lon = grid_to_wgs84(east, north)
        bad = ~((east > 0) & (east < 700000) & (north > 0) & (north < 1300000))
    lat, lon = lat.copy(), lon.copy()
    lat[bad], lon[bad] = np.nan, np.nan
    return lon, lat


def read_postcode_directory(path: Path, lsoa_boundaries: Path | None = None) -> pd.DataFrame:
    """Columns: postcode (normalised 'SK1 3XE'), lad_code, is_terminated, ward_code, oa21_code,
    lsoa21_code, lsoa11_code (each where the directory gives it) and lsoa_source (directory,
    point_in_polygon or null).

    lsoa_boundaries: LSOA 2021 polygons, used only for postcodes whose LSOA 2021 the directory does
    not give but whose coordinates it does."""
    if not path.exists():
        raise PostcodeDirectoryError(
            f"postcode directory not found at {path}; set SVW_POSTCODE_DIRECTORY to an ONSPD or NSPL "
            "CSV (ONS Open Geography Portal) or use the bundled sample"
        )
    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()
    postcode_col = _pick(header, POSTCODE_COLUMNS)
    lad_col = _pick(header, LAD_COLUMNS, pattern=r"lad\d{2}cd")
    if postcode_col is None or lad_col is None:
        raise PostcodeDirectoryError(
            f"{path}: expected a postcode column ({', '.join(POSTCODE_COLUMNS)}) and a local authority "
            f"column ({', '.join(LAD_COLUMNS)} or ladYYcd); found: {', '.join(header)}"
        )
    terminated_col = _pick(header, TERMINATED_COLUMNS)
    ward_col = _pick(header, WARD_COLUMNS, pattern=r"wd\d{2}cd")
    lsoa21_col, lsoa11_col = _pick(header, LSOA21_COLUMNS), _pick(header, LSOA11_COLUMNS)
    oa21_col = _pick(header, OA21_COLUMNS)
    coordinate_cols = [_pick(header, names) for names in (LAT_COLUMNS, LONG_COLUMNS, EASTING_COLUMNS, NORTHING_COLUMNS)]
    wanted = (postcode_col, lad_col, terminated_col, ward_col, lsoa21_col, lsoa11_col, oa21_col, *coordinate_cols)
    usecols = list(dict.fromkeys(c for c in wanted if c))
    frame = pd.read_csv(path, usecols=usecols, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    lsoa21 = _codes(frame, lsoa21_col)
    source = pd.Series(None, index=frame.index, dtype="string")
    source[lsoa21.notna()] = "directory"
    missing = lsoa21.isna().to_numpy()
    points = _points(frame, header) if lsoa_boundaries is not None and missing.any() else None
    if points is not None and lsoa_boundaries is not None:
        lon, lat = points
        placed = LsoaPolygons(lsoa_boundaries).place(lon[missing], lat[missing])
        lsoa21.loc[missing] = pd.array(placed, dtype="string")
        newly = missing.copy()
        newly[missing] = pd.notna(placed)
        source[newly] = "point_in_polygon"
    out = pd.DataFrame(
        {
            "postcode": normalise_postcodes(frame[postcode_col]),
            "lad_code": _codes(frame, lad_col),
            "is_terminated": (frame[terminated_col].str.strip() != "")
            if terminated_col
            else pd.Series(False, index=frame.index),
            "ward_code": _codes(frame, ward_col),
            "oa21_code": _codes(frame, oa21_col),
            "lsoa21_code": lsoa21,
            "lsoa11_code": _codes(frame, lsoa11_col),
            "lsoa_source": source.astype("string"),
        }
    )
    out = out.dropna(subset=["postcode", "lad_code"])
    # A live record wins over a terminated one for the same postcode.
    out = out.sort_values(["postcode", "is_terminated"]).drop_duplicates("postcode", keep="first")
    return out.reset_index(drop=True)
