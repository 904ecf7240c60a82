"""Place postcode points in LSOAs by point-in-polygon, for a user who has postcode coordinates but
no LSOA column (an old directory extract, a geocoded list).

The polygons are the user's LSOA boundaries (GeoJSON, as the ONS Open Geography Portal serves
them: WGS84/CRS84 longitude-latitude or British National Grid). Points are lon/lat, or OS
eastings/northings converted here. Measured on Trafford's 11,264 postcodes of Feb 2025 against
the LSOA the ONS directory gives them: 99.65% agree with the generalised (20 m) 2021 boundaries
(tests/real_data/test_polygon_placement.py); the rest lie within metres of a boundary.

No pyproj: the machines this runs on cannot always install it, and the one conversion needed
(OSGB36 grid -> WGS84) is the Ordnance Survey's published formulae (A guide to coordinate systems
in Great Britain, annexes C and B) with the 7-parameter Helmert shift, good to about 5 m, which
is small beside the boundaries' own generalisation.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import shape

LSOA_CODE = re.compile(r"^[EW]01\d{6}$")

# Airy 1830 ellipsoid and the National Grid projection
_AIRY_A, _AIRY_B = 6377563.396, 6356256.909
_F0, _LAT0, _LON0 = 0.9996012717, math.radians(49.0), math.radians(-2.0)
_N0, _E0 = -100000.0, 400000.0
# GRS80 (WGS84) ellipsoid
_GRS_A, _GRS_B = 6378137.000, 6356752.3141
# OSGB36 -> WGS84 Helmert: translations (m), scale (ppm), rotations (arc seconds)
_TX, _TY, _TZ, _S = 446.448, -125.157, 542.060, -20.4894
_RX, _RY, _RZ = 0.1502, 0.2470, 0.8421


class BoundaryError(ValueError):
    pass


def _meridional_arc(phi: np.ndarray) -> np.ndarray:
    n = (_AIRY_A - _AIRY_B) / (_AIRY_A + _AIRY_B)
    d, s = phi - _LAT0, phi + _LAT0
    return (
        _AIRY_B
        * _F0
        * (
            (1 + n + 1.25 * n**2 + 1.25 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * np.sin(d) * np.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * np.sin(2 * d) * np.cos(2 * s)
            - 35 / 24 * n**3 * np.sin(3 * d) * np.cos(3 * s)
        )
    )


def grid_to_osgb36(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """National Grid eastings/northings -> OSGB36 latitude, longitude in degrees (OS annex C)."""
    e_arr, n_arr = np.asarray(easting, dtype=float), np.asarray(northing, dtype=float)
    a, b = _AIRY_A, _AIRY_B
    e2 = 1 - b**2 / a**2
    phi = (n_arr - _N0) / (a * _F0) + _LAT0
    for _ in range(20):
        gap = n_arr - _N0 - _meridional_arc(phi)
        if np.nanmax(np.abs(gap), initial=0.0) < 1e-5:
            break
        phi = phi + gap / (a * _F0)
    sin, tan, sec = np.sin(phi), np.tan(phi), 1 / np.cos(phi)
    nu = a * _F0 / np.sqrt(1 - e2 * sin**2)
    rho = a * _F0 * (1 - e2) / (1 - e2 * sin**2) ** 1.5
    eta2 = nu / rho - 1
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * tan**2 + eta2 - 9 * tan**2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * tan**2 + 45 * tan**4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * tan**2)
    xii = sec / (120 * nu**5) * (5 + 28 * tan**2 + 24 * tan**4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * tan**2 + 1320 * tan**4 + 720 * tan**6)
    de = e_arr - _E0
    lat = phi - vii * de**2 + viii * de**4 - ix * de**6
    lon = _LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return np.degrees(lat), np.degrees(lon)


def osgb36_to_wgs84(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OSGB36 -> WGS84 latitude, longitude in degrees by the OS 7-parameter Helmert shift (annex B)."""
    phi, lam = np.radians(lat), np.radians(lon)
    e2 = 1 - _AIRY_B**2 / _AIRY_A**2
    nu = _AIRY_A / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    x1, y1, z1 = nu * np.cos(phi) * np.cos(lam), nu * np.cos(phi) * np.sin(lam), (1 - e2) * nu * np.sin(phi)
    s = _S * 1e-6
    rx, ry, rz = (math.radians(v / 3600) for v in (_RX, _RY, _RZ))
    x2 = _TX + (1 + s) * x1 - rz * y1 + ry * z1
    y2 = _TY + rz * x1 + (1 + s) * y1 - rx * z1
    z2 = _TZ - ry * x1 + rx * y1 + (1 + s) * z1
    e2w = 1 - _GRS_B**2 / _GRS_A**2
    p = np.sqrt(x2**2 + y2**2)
    phi2 = np.arctan2(z2, p * (1 - e2w))
    for _ in range(10):
        nu2 = _GRS_A / np.sqrt(1 - e2w * np.sin(phi2) ** 2)
        phi2 = np.arctan2(z2 + e2w * nu2 * np.sin(phi2), p)
    return np.degrees(phi2), np.degrees(np.arctan2(y2, x2))


def grid_to_wgs84(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(latitude, longitude) in WGS84 degrees of National Grid points."""
    return osgb36_to_wgs84(*grid_to_osgb36(easting, northing))


def _feature_code(properties: dict, path: Path, position: int) -> str:
    for value in properties.values():
        if isinstance(value, str) and LSOA_CODE.match(value.strip()):
            return value.strip()
    raise BoundaryError(
        f"{path}: feature {position} has no LSOA code property (a value like E01004766; found "
        f"{sorted(properties)}); supply the ONS LSOA boundaries, whose LSOA21CD property carries it"
    )


def _is_grid(data: dict) -> bool:
    crs = json.dumps(data.get("crs") or {})
    return "27700" in crs


class LsoaPolygons:
    """LSOA boundaries in an STRtree, queried with WGS84 lon/lat points."""

    def __init__(self, path: Path):
        if not path.exists():
            raise BoundaryError(
                f"LSOA boundaries not found at {path}; set SVW_LSOA_BOUNDARIES to the ONS 'LSOA (Dec 2021) "
                "Boundaries' GeoJSON (any generalisation; BGC is enough for 99%+ agreement)"
            )
        data = json.loads(path.read_text(encoding="utf-8"))
        features = data.get("features") or []
        if not features:
            raise BoundaryError(f"{path}: no features; expected a GeoJSON FeatureCollection of LSOA polygons")
        geoms = [shape(f["geometry"]) for f in features]
        if _is_grid(data):  # British National Grid coordinates: convert the vertices to WGS84 once

            def to_lonlat(coords: np.ndarray) -> np.ndarray:
                lat, lon = grid_to_wgs84(coords[:, 0], coords[:, 1])
                return np.column_stack([lon, lat])

            geoms = [shapely.transform(g, to_lonlat) for g in geoms]
        self.codes = np.array([_feature_code(f.get("properties") or {}, path, i) for i, f in enumerate(features)])
        self.geoms = geoms
        self.tree = STRtree(geoms)

    def place(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The LSOA code containing each point (object array; None outside every polygon or no point).

        A point on a shared edge is given to the first polygon listed, so each point gets one code."""
        lon_arr, lat_arr = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        out = np.full(len(lon_arr), None, dtype=object)
        valid = np.isfinite(lon_arr) & np.isfinite(lat_arr)
        if not valid.any():
            return out
        positions = np.flatnonzero(valid)
        pts = shapely.points(lon_arr[valid], lat_arr[valid])
        point_i, geom_i = self.tree.query(pts, predicate="intersects")
        order = np.lexsort((geom_i, point_i))
        point_i, geom_i = point_i[order], geom_i[order]
        first = np.unique(point_i, return_index=True)[1]
        out[positions[point_i[first]]] = self.codes[geom_i[first]]
        return out
