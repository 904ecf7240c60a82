"""The probabilistic stage: where the deterministic name rules run out, a Fellegi-Sunter model (Splink,
on DuckDB) scores pairs of names that the rules left apart, with term-frequency adjusted names and,
where both records have one, the postcode.

    config/models/supplier_names.json   the trained Splink model (comparisons, m and u probabilities)
    config/models/supplier_names.yml    its version, the match-probability threshold and how it was trained

A pair scoring at or above the threshold is linked as `name_probabilistic`, after every deterministic
rule and before overrides; as for every name link, never across conflicting registration numbers,
legal forms or denominations, nor (since supplier-matching-v7) when the two names say they are two
organisations as the fuzzy rule reads them (names.names_say_two: digits, a qualifier word, a word
changed into another; resolve._unless_names_say_two). The model compares each record's whole name
key as a bag of words: 'X Ltd t/a Y' is not split into its halves (its legal side is an alias).

What the model compares (one row per distinct name key and postcode):

* the name key: the same (weighted by how common that exact name is), Jaro-Winkler >= 0.95, or the
  same first word with one name's words inside the other's ('TURNING POINT' / 'TURNING POINT
  SERVICES'), with two or more words shared, or with nothing more in common. The first-word levels are
  weighted by how common the first word is, so a rare one ('ASPRIS', 'GROUNDWORK') counts for much
  more than 'MANCHESTER' or 'NORTH';
* the postcode: the same, the same district, different (no evidence either way when one is missing).

Training (`train`, run by benchmarks/train_supplier_name_model.py) is unsupervised: u probabilities
from random pairs, m probabilities by expectation maximisation on pairs that share their first four
letters, on payee names that no benchmark scores. The postcode levels cannot be trained on names-only
ledgers: their m and u are stated priors, recorded in the .yml.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from ingestion.normalise import normalise_postcodes
from ingestion.settings import PROJECT_ROOT

MODEL_DIR = PROJECT_ROOT / "config" / "models"
MODEL_NAME = "supplier_names"
# Words that never start or make a name on their own
_STOP_WORDS = {"AND", "OF", "THE", "FOR", "IN", "AT", "TO", "A"}
_LEGAL_WORDS = {"LTD", "LIMITED", "PLC", "LLP", "CIC", "CO", "COMPANY", "T", "TA"}
# Stated priors for the postcode comparison (names-only ledgers cannot train them): a supplier's
# records carry the same postcode in about 7 of 10 pairs, one district in 1.5 of 10; two random
# suppliers share a postcode about once in 2,000 pairs and a district once in 100.
POSTCODE_PRIORS = {"exact": (0.70, 0.0005), "district": (0.15, 0.01), "else": (0.15, 0.9895)}


@functools.lru_cache(maxsize=1 << 20)
def _tokens(key: str) -> tuple[str, ...]:
    """A name key's words the model compares; read once per distinct key (a name paid by several
    partners is several rows). A tuple, so no caller can change what the next one reads."""
    return tuple(t for t in key.split(" ") if t and t not in _STOP_WORDS and t not in _LEGAL_WORDS)


def _words(tokens: list[tuple[str, ...]]) -> dict[str, list | pd.api.extensions.ExtensionArray]:
    """The word columns the model compares, from each name key's tokens: the first word, the others
    as a list, and the others as one sorted key (for term frequencies and exact agreement)."""
    return {
        "first_token": [t[0] for t in tokens],
        "rest": [list(t[1:]) for t in tokens],
        "rest_key": pd.array([" ".join(sorted(set(t[1:]))) or None for t in tokens], dtype=pd.StringDtype("python")),
    }


def features(frame: pd.DataFrame, distinct: bool = True) -> pd.DataFrame:
    """frame: record_key, key (name key), optional postcode -> one row per distinct (key, postcode),
    unique_id the first record key (one row per record when not distinct, for training: the same
    supplier written alike by several ledgers is what teaches the model how matches look)."""
    postcodes = frame["postcode"] if "postcode" in frame else pd.Series([None] * len(frame), index=frame.index)
    rows = pd.DataFrame(
        {
            "record_key": frame["record_key"].astype(str),
            "name_key": frame["key"],
            "postcode": normalise_postcodes(postcodes.astype("string")),
        }
    )
    rows = rows[rows["name_key"].map(lambda k: isinstance(k, str) and bool(_tokens(k)))]
    rows = (
        rows.drop_duplicates(["name_key", "postcode"]) if distinct else rows.drop_duplicates("record_key")
    ).reset_index(drop=True)
    tokens = [_tokens(k) for k in rows["name_key"]]
    postcodes = [p if isinstance(p, str) and p else None for p in rows["postcode"]]  # never a float NaN
    out = pd.DataFrame(
        {
            "unique_id": rows["record_key"],
            "name_key": rows["name_key"],
            **_words(tokens),
            "postcode": pd.array(postcodes, dtype=pd.StringDtype("python")),
            "postcode_district": pd.array(
                [p.split(" ")[0] if p else None for p in postcodes], dtype=pd.StringDtype("python")
            ),
        }
    )
    return out


def _first_word_comparison() -> dict:
    return {
        "output_column_name": "first_word",
        "comparison_description": "first word of the name key: the same (weighted by how common), a slip, other",
        "comparison_levels": [
            {
                "sql_condition": "first_token_l IS NULL OR first_token_r IS NULL",
                "label_for_charts": "null",
                "is_null_level": True,
            },
            {
                "sql_condition": "first_token_l = first_token_r",
                "label_for_charts": "exact",
                "tf_adjustment_column": "first_token",
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": "length(first_token_l) >= 6 AND length(first_token_r) >= 6 AND "
                "jaro_winkler_similarity(first_token_l, first_token_r) >= 0.9",
                "label_for_charts": "Jaro-Winkler >= 0.9, 6+ letters",
            },
            {"sql_condition": "ELSE", "label_for_charts": "all other"},
        ],
    }


def _other_words_comparison() -> dict:
    shared = "len(list_intersect(rest_l, rest_r))"
    own_l = "array_to_string(list_sort(list_filter(rest_l, lambda w: NOT list_contains(rest_r, w))), ' ')"
    own_r = "array_to_string(list_sort(list_filter(rest_r, lambda w: NOT list_contains(rest_l, w))), ' ')"
    return {
        "output_column_name": "other_words",
        "comparison_description": "the name's other words: the same, one set inside the other, differing by "
        "a slip, each with words of its own (siblings: '1ST SALE SCOUTS' / '1ST "
        "HALE SCOUTS'), none shared",
        "comparison_levels": [
            {
                "sql_condition": "rest_key_l IS NULL AND rest_key_r IS NULL",
                "label_for_charts": "both one word",
                "is_null_level": True,
            },
            {
                "sql_condition": "rest_key_l = rest_key_r",
                "label_for_charts": "the same",
                "tf_adjustment_column": "rest_key",
                "tf_adjustment_weight": 1.0,
            },
            {"sql_condition": "rest_key_l IS NULL OR rest_key_r IS NULL", "label_for_charts": "one name is one word"},
            {
                "sql_condition": "list_has_all(rest_l, rest_r) OR list_has_all(rest_r, rest_l)",
                "label_for_charts": "one name's other words inside the other's",
            },
            {
                "sql_condition": f"jaro_winkler_similarity({own_l}, {own_r}) >= 0.9",
                "label_for_charts": "words of their own, alike (a slip or an abbreviation)",
            },
            {"sql_condition": f"{shared} >= 1", "label_for_charts": "some shared, each with words of its own"},
            {"sql_condition": "ELSE", "label_for_charts": "none shared"},
        ],
    }


def _postcode_comparison() -> dict:
    levels: list[dict[str, object]] = [
        {
            "sql_condition": "postcode_l IS NULL OR postcode_r IS NULL",
            "label_for_charts": "null",
            "is_null_level": True,
        },
        {"sql_condition": "postcode_l = postcode_r", "label_for_charts": "exact"},
        {"sql_condition": "postcode_district_l = postcode_district_r", "label_for_charts": "district"},
        {"sql_condition": "ELSE", "label_for_charts": "all other"},
    ]
    for level, (m, u) in zip(levels[1:], POSTCODE_PRIORS.values()):
        level["m_probability"], level["u_probability"] = m, u
    return {
        "output_column_name": "postcode",
        "comparison_description": "postcode: exact, district, other",
        "comparison_levels": levels,
    }


def settings() -> dict:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": [_first_word_comparison(), _other_words_comparison(), _postcode_comparison()],
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": "l.first_token = r.first_token"},
            {"blocking_rule": "l.postcode = r.postcode"},
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
    }


# Candidate pairs are the pairs within a block, so a block of n rows costs n² / 2 pairs: 38,617
# scaled names sharing a first word (10M-row benchmark) made 750 million and ran the machine out of
# memory; blocks of 2,000 still made too many. A first word shared by more rows than this blocks on the first two words, then three;
# a postcode shared by more than this (a PO box, a council's own building) blocks nothing. No
# block in the benchmarks or the real ledgers comes near it, so their links are the saved blocking
# rules' (l.first_token = r.first_token, l.postcode = r.postcode).
MAX_BLOCK_ROWS = 200
SPLINK_MEMORY_LIMIT = "512MB"
CAPPED_BLOCKING_RULES = [
    {"blocking_rule": "l.name_block = r.name_block"},
    {"blocking_rule": "l.postcode_block = r.postcode_block"},
]


def with_capped_blocks(table: pd.DataFrame, max_rows: int = MAX_BLOCK_ROWS) -> pd.DataFrame:
    """The table with name_block (the first one, two or three words, the fewest that make a block of
    at most `max_rows`; missing when three are not enough) and postcode_block (the postcode, missing
    when more than `max_rows` share it). Missing never joins a block."""
    return table.assign(
        name_block=name_blocks(table["first_token"], table["rest"], max_rows=max_rows),
        postcode_block=postcode_blocks(table["postcode"], max_rows),
    )


def name_blocks(
    first_tokens: pd.Series, rests: pd.Series, rows: pd.Series | None = None, max_rows: int = MAX_BLOCK_ROWS
):
    """Each name's block (see with_capped_blocks). `rows`: how many rows each name stands for, so a
    table of distinct names blocks as the table of its rows would (every row of a name has its words)."""
    words = [[first, *rest] for first, rest in zip(first_tokens, rests)]
    weights = [1] * len(words) if rows is None else [int(n) for n in rows]
    block: list[str | None] = [None] * len(words)
    open_rows = list(range(len(words)))
    for size in (1, 2, 3):
        prefixes = {i: " ".join(words[i][:size]) for i in open_rows if len(words[i]) >= size}
        counts: Counter[str] = Counter()
        for i, prefix in prefixes.items():
            counts[prefix] += weights[i]
        for i, prefix in prefixes.items():
            if counts[prefix] <= max_rows:
                block[i] = prefix
        open_rows = [i for i in prefixes if block[i] is None]
    return pd.array(block, dtype=pd.StringDtype("python"))


def postcode_blocks(postcodes: pd.Series, max_rows: int = MAX_BLOCK_ROWS) -> pd.Series:
    """Each row's postcode, missing where more than `max_rows` rows share it."""
    shared = postcodes.map(postcodes.value_counts())
    return postcodes.where(shared <= max_rows, None)


def _connection():
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    # candidate pairs beyond this spill to disk rather than take the machine's memory
    con.execute("SET memory_limit = ?", [SPLINK_MEMORY_LIMIT])
    con.execute("SET temp_directory = ?", [str(Path(tempfile.gettempdir()) / "svw_splink")])
    return con


def _linker(table: pd.DataFrame | list[pd.DataFrame], model: dict | Path, con=None, tf_tables: dict | None = None):
    """A Splink linker over one table (or two, for link_only). `tf_tables`: term frequencies (column ->
    a frame of Splink's tf table) to use instead of counting them in this linker's own input."""
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=con if con is not None else _connection())
    tables = table if isinstance(table, list) else [table]
    registered = [db_api.register(t) for t in tables]
    linker = Linker(
        registered if len(registered) > 1 else registered[0],
        model if isinstance(model, dict) else str(model),
        log_level=logging.WARNING,
    )
    for column, frame in (tf_tables or {}).items():
        linker.table_management.register_term_frequency_lookup(db_api.register(frame), column)
    return linker


def train(
    names: pd.DataFrame,
    labelled: pd.DataFrame,
    labels: list[tuple[str, str]],
    out_dir: Path = MODEL_DIR,
    version: str = "",
    trained_on: str = "",
    threshold: float = 0.99,
    seed: int = 11,
) -> dict:
    """names: record_key, key (name key) of unlabelled payees, for u probabilities (random pairs)
    and the prior; labelled, labels: records and the pairs of them known to be one organisation,
    for m probabilities. Writes the model and its metadata. On names alone, expectation maximisation
    has nothing to tell matches from siblings with (tried: it learnt that '17TH SALE SCOUT GROUP' and
    '17TH STRETFORD SCOUT GROUP' match), so m comes from labelled pairs."""
    table = features(names, distinct=False)
    linker = _linker(table, settings())
    linker.training.estimate_probability_two_random_records_match(
        ["l.first_token = r.first_token AND l.rest_key IS NOT DISTINCT FROM r.rest_key"], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    trained = linker.misc.save_model_to_json(None)
    labelled_table = features(labelled, distinct=False)
    labelled_linker = _linker(labelled_table, trained)
    label_frame = pd.DataFrame([tuple(sorted(p)) for p in labels], columns=["unique_id_l", "unique_id_r"])
    labelled_linker.table_management.register_table(label_frame, "labels", overwrite=True)
    labelled_linker.training.estimate_m_from_pairwise_labels("labels")
    linker = labelled_linker
    out_dir.mkdir(parents=True, exist_ok=True)
    model = linker.misc.save_model_to_json(str(out_dir / f"{MODEL_NAME}.json"), overwrite=True)
    # the postcode levels keep their stated priors whatever training did to them
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] == "postcode":
            for level, (m, u) in zip(
                [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")], POSTCODE_PRIORS.values()
            ):
                level["m_probability"], level["u_probability"] = m, u

    (out_dir / f"{MODEL_NAME}.json").write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    meta = {
        "version": version,
        "threshold": threshold,
        "trained_on": trained_on,
        "records": int(len(table)),
        "postcode_priors": {k: {"m": m, "u": u} for k, (m, u) in POSTCODE_PRIORS.items()},
    }
    write_meta(meta, out_dir)
    return model


def write_meta(meta: dict, out_dir: Path = MODEL_DIR) -> None:
    (out_dir / f"{MODEL_NAME}.yml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")


def load_meta(model_dir: Path = MODEL_DIR) -> dict:
    return yaml.safe_load((model_dir / f"{MODEL_NAME}.yml").read_text(encoding="utf-8"))


TF_COLUMNS = ("first_token", "rest_key")
SCORED_COLUMNS = ["record_key_l", "record_key_r", "match_probability"]


def score_pairs(
    frame: pd.DataFrame,
    model_dir: Path = MODEL_DIR,
    threshold: float | None = None,
    organisation_of: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Scored candidate pairs: record_key_l, record_key_r, match_probability (>= threshold, default
    the saved one), for the pairs of rows (distinct name key and postcode) that share a capped block.
    `organisation_of` (record key -> the organisation it is in so far): pairs already in one
    organisation are never made.

    The scores are the saved model's, computed in two parts. A name paid by several partners is
    several rows (one per postcode), and every pair of rows of two names in one name block was
    compared word by word: 16.6 million comparisons at 50k scaled names, more than half of
    resolution's time. The name comparisons depend on the names alone, so Splink scores each pair of
    distinct names once (`_name_pairs`), and the postcode's weight, one of three stated levels, is
    added to it per pair of rows in DuckDB (`_with_postcodes`), only where the sum can reach the
    threshold. Pairs that share only a postcode block are scored by Splink row by row as before. Term
    frequencies and block sizes are counted on the rows, as before, so every score is the one the
    row-by-row scoring gave (tests/unit/test_probabilistic_by_names.py compares the two).

    The words are held once per distinct name, not per row (`_rows_and_names`): at 10M ledger lines
    1.3M rows share 200k names, and a word list per row was most of this stage's memory."""
    rows, names = _rows_and_names(frame, organisation_of)
    if len(rows) < 2:
        return pd.DataFrame(columns=SCORED_COLUMNS)
    if threshold is None:
        threshold = float(load_meta(model_dir)["threshold"])
    model = json.loads((model_dir / f"{MODEL_NAME}.json").read_text(encoding="utf-8"))
    tf_tables = term_frequencies(names, rows=names["rows"])
    threshold_weight = math.log2(threshold / (1 - threshold))  # splink's prob_to_match_weight
    postcode_weights = _postcode_level_weights(model)
    # a connection for each part, closed after it: Splink's tables of names go before the pairs of
    # rows are made (a gigabyte at 10M ledger lines)
    with closing(_connection()) as con:
        name_pairs = _name_pairs(names, model, threshold_weight - max(0.0, *postcode_weights.values()), con, tf_tables)
    with closing(_connection()) as con:
        by_names = _with_postcodes(name_pairs, rows, threshold_weight, postcode_weights, con)
    with closing(_connection()) as con:
        by_postcodes = _postcode_block_pairs(rows, names, model, threshold, con, tf_tables)
    return pd.concat([by_names, by_postcodes], ignore_index=True)


def _districts(postcodes: pd.Series) -> pd.Series:
    """Each postcode's outward code ('M33 7XX' -> 'M33'), missing where it is missing. Split once per
    distinct postcode: splitting each row's was seconds at 10M ledger lines, for a few thousand values."""
    codes, uniques = pd.factorize(postcodes)  # missing: -1
    outward = np.array([value.split(" ")[0] for value in uniques] + [None], dtype=object)
    return pd.Series(outward[codes], index=postcodes.index, dtype=object)


def _rows_and_names(
    frame: pd.DataFrame, organisation_of: Callable[[str], str] | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows `features` makes (one per distinct name key and postcode, unique_id the first record
    key), without their words: unique_id, name_key, postcode, postcode_district, organisation,
    postcode_block, in Arrow-backed text. And the names: one per distinct name key of the rows, in
    the order they first appear, with the words the model compares (first_token, rest, rest_key),
    how many rows each stands for (rows), and its name_block."""
    keys = frame["key"]
    modelled = keys.isin([k for k in pd.unique(keys.dropna()) if isinstance(k, str) and _tokens(k)])
    postcodes = frame["postcode"] if "postcode" in frame else pd.Series([None] * len(frame), index=frame.index)
    text = pd.StringDtype("pyarrow")
    rows = pd.DataFrame(
        {
            "unique_id": frame["record_key"][modelled].astype(str).astype(text),
            "name_key": keys[modelled].astype(text),
            "postcode": normalise_postcodes(postcodes[modelled].astype("string")).astype(text),
        }
    )
    rows = rows.drop_duplicates(["name_key", "postcode"]).reset_index(drop=True)
    rows["postcode"] = rows["postcode"].where(rows["postcode"] != "", None)  # never a float NaN, never ""
    rows["postcode_district"] = _districts(rows["postcode"]).astype(text)
    organisations = rows["unique_id"] if organisation_of is None else [organisation_of(k) for k in rows["unique_id"]]
    rows["organisation"] = pd.array(organisations, dtype=text)
    rows["postcode_block"] = postcode_blocks(rows["postcode"])
    name_keys = pd.unique(rows["name_key"])
    tokens = [_tokens(k) for k in name_keys]
    names = pd.DataFrame(
        {
            "name_key": pd.array(name_keys, dtype=text),
            **_words(tokens),
            "rows": rows["name_key"].value_counts(sort=False).reindex(name_keys).to_numpy(),
        }
    )
    names["name_block"] = name_blocks(names["first_token"], names["rest"], names["rows"])
    return rows, names


def term_frequencies(table: pd.DataFrame, rows: pd.Series | None = None) -> dict[str, pd.DataFrame]:
    """Splink's term frequency tables for the rows: a value's count over the count of values given
    (splink term_frequencies_for_single_column_sql), so linkers over parts of the rows weigh a
    name as the whole table would. `rows`: how many rows each of the table's rows stands for (a
    table of distinct names, counted as its rows)."""
    tables = {}
    for column in TF_COLUMNS:
        given = table[column].notna().to_numpy()
        values = table[column][given]
        if rows is None:
            counts = values.value_counts(sort=False)
            total = len(values)
        else:
            weights = pd.Series(rows.to_numpy()[given], index=values.index)
            counts = weights.groupby(values.to_numpy(), sort=False).sum()
            total = int(weights.sum())
        tables[column] = pd.DataFrame(
            {column: counts.index.astype(object), f"tf_{column}": counts.to_numpy() / float(total)}
        )
    return tables


def _postcode_level_weights(model: dict) -> dict[str, float]:
    """The postcode comparison's level weights, as Splink computes them (ComparisonLevel._match_weight:
    log2 of m over u, each clamped at 1e-300)."""
    comparison = next(c for c in model["comparisons"] if c["output_column_name"] == "postcode")
    levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
    return {
        level["label_for_charts"]: math.log2(max(level["m_probability"], 1e-300) / max(level["u_probability"], 1e-300))
        for level in levels
    }


def _name_pairs(names: pd.DataFrame, model: dict, lowest_weight: float, con, tf_tables) -> pd.DataFrame:
    """key_l, key_r (key_l <= key_r: a name with itself too, for its rows under two postcodes) and the
    names' match weight (prior and name comparisons; the postcode left out), for pairs of names in one
    name block that some postcode level could carry to the threshold."""
    names = names.dropna(subset=["name_block"])
    names = names[["name_key", "first_token", "rest", "rest_key", "name_block"]].assign(
        unique_id=names["name_key"],
        postcode=pd.array([None] * len(names), dtype=pd.StringDtype("python")),
        postcode_district=pd.array([None] * len(names), dtype=pd.StringDtype("python")),
    )
    if names.empty:
        return pd.DataFrame({"key_l": [], "key_r": [], "name_weight": []})
    settings = {
        **model,
        "link_type": "link_only",
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": "l.name_block = r.name_block AND l.name_key <= r.name_key"}
        ],
    }
    linker = _linker([names, names.copy()], settings, con, tf_tables)
    return _predicted(linker, ["key_l", "key_r", "name_weight"], "match_weight", threshold_match_weight=lowest_weight)


def _predicted(linker, columns: list[str], score: str, **threshold) -> pd.DataFrame:
    """The linker's pairs at or above the threshold, as (left id, right id, score) under `columns`.
    Only those three columns leave DuckDB: Splink's table of predictions carries every input column
    twice (word lists included) and each comparison's factors, several times the pairs' own size."""
    predictions = linker.inference.predict(warning_mode="never", **threshold).as_duckdbpyrelation()
    scored = predictions.select("unique_id_l", "unique_id_r", score).df()
    values = [scored["unique_id_l"].astype(object), scored["unique_id_r"].astype(object), scored[score].astype(float)]
    return pd.DataFrame(dict(zip(columns, values)))


def _codes(values: pd.Series | pd.Index) -> pa.Array:
    """Each value's number among the distinct values given, missing as null: equal text, equal
    number, so DuckDB's joins and comparisons read four bytes a value, not the text."""
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    return pa.array(codes.astype("int32"), mask=codes < 0)


def _with_postcodes(
    names: pd.DataFrame, rows: pd.DataFrame, threshold_weight: float, postcode_weights: dict[str, float], con
) -> pd.DataFrame:
    """The pairs of rows of the scored names, each name pair's weight plus the postcode level's, where
    it reaches the threshold; the probability as Splink computes it from a weight.

    The join runs on numbers, not text: each row is its position, and its name, postcode, district
    and organisation the number of that value (_codes); the record keys are put back on the pairs
    that pass. At 10M ledger lines this join of 1.3M rows was resolution's peak memory."""
    exact, district, other = postcode_weights["exact"], postcode_weights["district"], postcode_weights["all other"]
    name_keys = pd.Index(pd.unique(rows["name_key"]))  # the rows' name numbers index this
    left, right = name_keys.get_indexer(names["key_l"]), name_keys.get_indexer(names["key_r"])
    if (left < 0).any() or (right < 0).any():
        raise RuntimeError("a scored name pair names a name no row has: a bug in probabilistic._name_pairs")
    con.register(
        "name_pairs",
        pa.table(
            {
                "key_l": pa.array(left, type=pa.int32()),
                "key_r": pa.array(right, type=pa.int32()),
                "name_weight": pa.array(names["name_weight"], type=pa.float64()),
            }
        ),
    )
    con.register(
        "name_rows",
        pa.table(
            {
                "row_number": pa.array(range(len(rows)), type=pa.int32()),
                "name_key": pa.array(name_keys.get_indexer(rows["name_key"]), type=pa.int32()),
                **{c: _codes(rows[c]) for c in ("postcode", "postcode_district", "organisation")},
            }
        ),
    )
    weight = """name_weight + case when a.postcode is null or b.postcode is null then 0.0
                                when a.postcode = b.postcode then $exact
                                when a.postcode_district = b.postcode_district then $district
                                else $other end"""
    # a name with itself (key_l = key_r: its rows under two postcodes) gives each pair of rows both
    # ways round; one is kept
    pairs = con.execute(
        f"""
        with candidates as (
            select p.key_l, p.key_r, a.row_number as row_a, b.row_number as row_b,
                   a.organisation as org_a, b.organisation as org_b, {weight} as weight
            from name_pairs p
            join name_rows a on a.name_key = p.key_l
            join name_rows b on b.name_key = p.key_r
            where p.name_weight >= $every_level
               or (p.name_weight >= $threshold and (a.postcode is null or b.postcode is null))
            union all
            select p.key_l, p.key_r, a.row_number, b.row_number, a.organisation, b.organisation, {weight}
            from name_pairs p
            join name_rows a on a.name_key = p.key_l
            join name_rows b on b.name_key = p.key_r and b.postcode_district = a.postcode_district
            where p.name_weight < $every_level
        )
        select row_a, row_b,
               case when weight >= 0 then 1.0 / (1.0 + power(cast(2 as float8), -weight))
                    else power(cast(2 as float8), weight) / (1.0 + power(cast(2 as float8), weight)) end
               as match_probability
        from candidates
        where weight >= $threshold and org_a <> org_b and (key_l <> key_r or row_a < row_b)
        """,
        {
            "exact": exact,
            "district": district,
            "other": other,
            "threshold": threshold_weight,
            "every_level": threshold_weight - min(0.0, exact, district, other),
        },
    ).fetchnumpy()
    con.unregister("name_pairs")
    con.unregister("name_rows")
    record_keys = rows["unique_id"].to_numpy(dtype=object)
    a, b = record_keys[pairs["row_a"]], record_keys[pairs["row_b"]]
    first = a < b
    return pd.DataFrame(
        {
            "record_key_l": pd.Series(np.where(first, a, b), dtype=object),
            "record_key_r": pd.Series(np.where(first, b, a), dtype=object),
            "match_probability": pd.Series(pairs["match_probability"], dtype=float),
        }
    )


def _postcode_block_pairs(
    rows: pd.DataFrame, names: pd.DataFrame, model: dict, threshold: float, con, tf_tables
) -> pd.DataFrame:
    """Rows that share a postcode block but no name block, scored row by row."""
    shared = rows[rows["postcode_block"].notna()]
    if len(shared) < 2:
        return pd.DataFrame(columns=SCORED_COLUMNS)
    words = names[["name_key", "first_token", "rest", "rest_key", "name_block"]]
    shared = shared.merge(words, on="name_key", how="left", validate="many_to_one")
    rule = (
        "l.postcode_block = r.postcode_block AND l.organisation <> r.organisation"
        " AND NOT coalesce(l.name_block = r.name_block, false)"
    )
    settings = {**model, "blocking_rules_to_generate_predictions": [{"blocking_rule": rule}]}
    linker = _linker(shared, settings, con, tf_tables)
    return _predicted(linker, SCORED_COLUMNS, "match_probability", threshold_match_probability=threshold)


def probabilistic_edges(
    frame: pd.DataFrame,
    model_dir: Path = MODEL_DIR,
    threshold: float | None = None,
    organisation_of: Callable[[str], str] | None = None,
) -> Iterator[tuple[str, str, str, float]]:
    """The scored pairs as links, in record-key order. `organisation_of` (record key -> the
    organisation it is in so far): pairs already in one organisation are left out, since a link
    inside an organisation changes nothing (every record there was linked by a stronger method,
    which ranks before this one). At 40k scaled names most of the 934k pairs scored were such, and
    reading each in Python cost more than Splink scoring it."""
    scored = score_pairs(frame, model_dir, threshold, organisation_of)
    for a, b, p in sorted(zip(scored["record_key_l"], scored["record_key_r"], scored["match_probability"])):
        yield a, b, "name_probabilistic", round(100.0 * p, 4)
