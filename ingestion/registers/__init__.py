"""Reference registers as reference feeds: Companies House, the Charity Commission, CQC and DfE's
Get Information About Schools (docs/registers.md).

Each register has a loader module with the same interface:

    REGISTER       its name in every table and link ('companies_house', 'charity_commission', 'cqc', 'gias')
    SETTING        the environment variable that names its file or folder (unset: not supplied; read
                   by ingestion/settings.py, Settings.register_paths)
    load(path)     -> RegisterTables (ingestion/registers/common.py), every row stamped with the version

`load_registers` reads every register whose setting is given; the tables are written to
data/raw/registers/ by the `registers` assets and read by supplier resolution
(ingestion/resolution/build.py), which turns them into links (ingestion/registers/evidence.py).
No register supplied: empty tables, and resolution is exactly what it is without them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ingestion.missing import query_frame
from ingestion.registers import charity_commission, companies_house, cqc, gias
from ingestion.registers.common import (
    ENTITY_COLUMNS,
    NAME_COLUMNS,
    REGISTER_TABLES,
    SITE_COLUMNS,
    VERSION_COLUMNS,
    RegisterError,
    RegisterTables,
    _typed,
)

LOADERS = {module.REGISTER: module for module in (companies_house, charity_commission, cqc, gias)}
SETTINGS = {module.SETTING: name for name, module in LOADERS.items()}


def load_registers(paths: dict[str, Path]) -> RegisterTables:
    """Every register supplied (register name -> its file or folder), read into one set of tables."""
    unknown = set(paths) - set(LOADERS)
    if unknown:
        raise RegisterError(f"unknown registers {sorted(unknown)}; known: {sorted(LOADERS)}")
    return RegisterTables.combine(LOADERS[name].load(Path(path)) for name, path in sorted(paths.items()))


def registers_supplied(folder: Path) -> bool:
    """Whether the `registers` assets wrote their tables to `folder` (some register was supplied)."""
    return all((folder / f"{name}.parquet").exists() for name in REGISTER_TABLES)


def read_register_tables(folder: Path, keys=None, companies=None, charities=None) -> RegisterTables:
    """The register tables the `registers` assets wrote; empty when none were (no register supplied).

    With `keys` (name keys), `companies` and `charities` (numbers) only the rows partner records can
    reach are read: sites and names with those keys, and the entities they name or that carry those
    numbers, followed through the numbers those entities carry (a charity's company number, a trust's).
    The national files stay on disk; the filter runs in DuckDB over the Parquet."""
    if not registers_supplied(folder):
        return RegisterTables()
    paths = {name: folder / f"{name}.parquet" for name in REGISTER_TABLES}
    columns = {
        "register_entities": ENTITY_COLUMNS,
        "register_names": NAME_COLUMNS,
        "register_sites": SITE_COLUMNS,
        "register_versions": VERSION_COLUMNS,
    }
    if keys is None:
        frames = {name: _typed(pd.read_parquet(path), columns[name]) for name, path in paths.items()}
    else:
        frames = _reachable(paths, set(keys), set(companies or ()), set(charities or ()))
        frames = {name: _typed(frame, columns[name]) for name, frame in frames.items()}
    return RegisterTables(
        entities=frames["register_entities"],
        names=frames["register_names"],
        sites=frames["register_sites"],
        versions=frames["register_versions"],
    )


def _reachable(paths: dict[str, Path], keys: set, companies: set, charities: set) -> dict[str, pd.DataFrame]:
    con = duckdb.connect()
    try:
        # (an empty list still needs a typed column: one empty string, which no key or number equals)
        con.register(
            "wanted_keys", pd.DataFrame({"k": sorted(k for k in keys if isinstance(k, str)) or [""]}, dtype=object)
        )

        def read(name, where):
            return query_frame(con, f"select * from read_parquet(?) where {where}", [str(paths[name])])

        sites = read("register_sites", "name_key in (select k from wanted_keys)")
        names = read("register_names", "name_key in (select k from wanted_keys)")
        ids = set(zip(names["register"], names["entity_id"]))
        ids |= {(r, o) for r, o in zip(sites["register"], sites["operator_id"]) if isinstance(o, str)}
        entities = read("register_entities", "name_key in (select k from wanted_keys)")
        for _ in range(4):  # numbers lead to entities, whose numbers lead to others: a few steps suffice
            companies |= set(entities["company_number"].dropna())
            charities |= set(entities["charity_number"].dropna())
            con.register(
                "wanted_ids",
                pd.DataFrame({"r": [i[0] for i in ids] or [""], "e": [i[1] for i in ids] or [""]}, dtype=object),
            )
            con.register("wanted_companies", pd.DataFrame({"n": sorted(companies) or [""]}, dtype=object))
            con.register("wanted_charities", pd.DataFrame({"n": sorted(charities) or [""]}, dtype=object))
            found = read(
                "register_entities",
                """name_key in (select k from wanted_keys)
                or (register, entity_id) in (select (r, e) from wanted_ids)
                or company_number in (select n from wanted_companies)
                or charity_number in (select n from wanted_charities)""",
            )
            grown = len(found) > len(entities)
            entities = found
            if not grown:
                break
        versions = query_frame(con, "select * from read_parquet(?)", [str(paths["register_versions"])])
    finally:
        con.close()
    return {
        "register_entities": entities,
        "register_names": names,
        "register_sites": sites,
        "register_versions": versions,
    }


__all__ = [
    "LOADERS",
    "SETTINGS",
    "RegisterError",
    "RegisterTables",
    "load_registers",
    "read_register_tables",
    "REGISTER_TABLES",
]
