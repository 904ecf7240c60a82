"""Read the English Indices of Deprivation editions (a versioned reference: each edition's file,
its LSOA vintage and its checksum travel with every row) and the GM geography lookups.

The default folder is the GM/England extract that ships in config/reference/deprivation/ (README
there); a user with another edition points SVW_DEPRIVATION_DIR at a folder of the same layout.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from ingestion.registry import DeprivationRule

DECILE_COLUMNS = ("imd_decile", "income_decile", "employment_decile")
EDITION_COLUMNS = ("edition", "title", "publisher", "published", "lsoa_vintage", "file")


class DeprivationReferenceError(ValueError):
    pass


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_editions(folder: Path, rule: DeprivationRule) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(editions, deciles): one row per edition the rule names, and every LSOA's three deciles per edition."""
    listing = folder / "editions.csv"
    if not listing.exists():
        raise DeprivationReferenceError(
            f"{listing} not found: the deprivation folder needs an editions.csv ({', '.join(EDITION_COLUMNS)}); "
            "see config/reference/deprivation/README.md"
        )
    editions = pd.read_csv(listing, dtype=str, keep_default_na=False)
    missing_cols = [c for c in EDITION_COLUMNS if c not in editions.columns]
    if missing_cols:
        raise DeprivationReferenceError(f"{listing}: missing column(s) {missing_cols}")
    unknown = [e for e in rule.editions if e not in set(editions["edition"])]
    if unknown:
        raise DeprivationReferenceError(
            f"config/rules.yml deprivation.editions names {unknown}, which {listing} does not list "
            f"(it lists {sorted(editions['edition'])}): add the edition's row and file, or correct the rule"
        )
    editions = editions[editions["edition"].isin(rule.editions)].copy()
    frames, hashes, counts = [], [], []
    for position, row in enumerate(editions.itertuples(index=False), start=2):
        path = folder / row.file
        if not path.exists():
            raise DeprivationReferenceError(f"{listing} row {position}: file {row.file} not found in {folder}")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        absent = [c for c in ("lsoa_code", *DECILE_COLUMNS) if c not in frame.columns]
        if absent:
            raise DeprivationReferenceError(f"{path}: missing column(s) {absent} (lsoa_code and the three deciles)")
        deciles = frame[list(DECILE_COLUMNS)].apply(pd.to_numeric, errors="coerce")
        bad = deciles.isna().any(axis=1) | ~deciles.isin(range(1, 11)).all(axis=1)
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2
            raise DeprivationReferenceError(f"{path} line {line}: a decile is not a whole number from 1 to 10")
        frames.append(
            pd.DataFrame(
                {
                    "edition": row.edition,
                    "lsoa_vintage": row.lsoa_vintage,
                    "lsoa_code": frame["lsoa_code"].str.strip(),
                    **{c: deciles[c].astype("int32") for c in DECILE_COLUMNS},
                }
            )
        )
        hashes.append(_sha256(path))
        counts.append(len(frame))
    editions["file_sha256"] = hashes
    editions["lsoa_count"] = pd.array(counts, dtype="int32")
    return editions.reset_index(drop=True), pd.concat(frames, ignore_index=True)


def read_geography_lookups(config_dir: Path) -> dict[str, pd.DataFrame]:
    """The shipped GM lookups (config/reference/geography/README.md): LSOA 2021 -> ward -> district,
    LSOA 2011 <-> 2021 changes and output area 2021 -> LSOA 2021."""
    folder = config_dir / "reference" / "geography"
    return {
        "lsoa_wards": pd.read_csv(folder / "lsoa21_ward24_gm.csv", dtype=str),
        "lsoa_changes": pd.read_csv(folder / "lsoa11_lsoa21_gm.csv", dtype=str),
        "output_areas": pd.read_csv(folder / "oa21_lsoa21_gm.csv.gz", dtype=str),
    }
