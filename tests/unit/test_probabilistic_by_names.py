"""The probabilistic stage scores each pair of distinct names once and adds the postcode per pair of
rows (probabilistic.score_pairs). Its pairs and probabilities must be exactly those of scoring every
pair of rows in a block with Splink, the way the stage worked before: the saved model's figures, not
an approximation of them. The reference here is that row-by-row scoring, built from the same model
and the same capped blocks."""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest

from ingestion.resolution import probabilistic
from ingestion.resolution.resolve import prepare

WORDS = "QUILLBROOK ASPRIS GROUNDWORK NORTH WEST CARE HOMES TRUST SERVICES HEALTH SCOUTS HOUSING".split()
# Nine postcodes in four districts: row pairs meet at each postcode level (same, same district, other)
POSTCODES = ["M33 7XW", "M33 7XY", "M33 6AB", "SK1 3XE", "SK1 3XF", "OL16 1AA", "OL16 2BB", "WN1 1AA", "WN1 2BB"]


def _records(seed: int = 5, names: int = 120) -> pd.DataFrame:
    """Names of one to four words from a small vocabulary (many share a first word, so name blocks
    fill), each paid by one to four partners, at a postcode from a small pool or none; and a few
    one-word names under one postcode, which only the postcode block brings together."""
    rng = random.Random(seed)
    # rare first words too, under which the same name scores high whatever its postcode
    rare = ["".join(rng.choice("BCDFGHKLMNPRSTVZ") + rng.choice("AEIOU") for _ in range(3)) for _ in range(30)]
    pool = sorted(
        {" ".join([rng.choice(rare + WORDS[:3])] + rng.sample(WORDS, rng.randint(0, 3))) for _ in range(names)}
    )
    rows = []
    for n, name in enumerate(pool):
        for partner in rng.sample(["bury", "wigan", "bolton", "oldham"], rng.randint(1, 4)):
            postcode = rng.choice(POSTCODES + [None, None])
            spelled = name.title() if rng.random() < 0.5 else name
            rows.append((f"{partner}:{n}", spelled, postcode))
    rows += [(f"salford:pc{i}", word, "M33 7XW") for i, word in enumerate(["Zephyrine", "Zephyrina", "Xanthic"])]
    # names that meet nothing, so a word used by a few names is rare, as in a real ledger's thousands
    rows += [(f"trafford:{i}", f"Filler{i:04d} Supplies", None) for i in range(5000)]
    frame = pd.DataFrame(rows, columns=["record_key", "name", "postcode"])
    return frame.assign(company_number=None, charity_number=None, vat_number=None)


def _row_by_row(frame: pd.DataFrame) -> pd.DataFrame:
    """Every pair of rows that shares a capped block, scored by Splink with the saved model."""
    table = probabilistic.features(frame)
    model = json.loads((probabilistic.MODEL_DIR / f"{probabilistic.MODEL_NAME}.json").read_text(encoding="utf-8"))
    model["blocking_rules_to_generate_predictions"] = probabilistic.CAPPED_BLOCKING_RULES
    linker = probabilistic._linker(probabilistic.with_capped_blocks(table), model)
    threshold = float(probabilistic.load_meta()["threshold"])
    scored = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never").as_pandas_dataframe()
    return _pairs(scored["unique_id_l"], scored["unique_id_r"], scored["match_probability"])


def _pairs(left, right, probability) -> pd.DataFrame:
    frame = pd.DataFrame({"l": [str(v) for v in left], "r": [str(v) for v in right], "p": list(probability)})
    return frame.sort_values(["l", "r"], ignore_index=True)


@pytest.fixture(scope="module")
def prepared() -> pd.DataFrame:
    return prepare(_records())


def test_scores_by_names_are_the_row_by_row_scores(prepared):
    reference = _row_by_row(prepared)
    scored = probabilistic.score_pairs(prepared)
    mine = _pairs(scored["record_key_l"], scored["record_key_r"], scored["match_probability"])
    # the fixture reaches what the two-part scoring must get right: a name with itself under two
    # postcodes, two names at one postcode and in one district, and a pair the postcode block alone makes
    rows = probabilistic.features(prepared).set_index("unique_id")
    key, postcode = rows["name_key"], rows["postcode"].astype(object).where(rows["postcode"].notna(), "none")
    same_name = reference[reference["l"].map(key).to_numpy() == reference["r"].map(key).to_numpy()]
    assert len(same_name) > 0 and len(reference) > len(same_name)
    same_postcode = reference["l"].map(postcode).to_numpy() == reference["r"].map(postcode).to_numpy()
    assert same_postcode.any() and (~same_postcode).any()
    assert {"salford:pc0", "salford:pc1"} <= set(reference["l"]) | set(reference["r"])
    assert mine[["l", "r"]].equals(reference[["l", "r"]])
    assert (mine["p"].to_numpy() == reference["p"].to_numpy()).all()


def test_pairs_inside_one_organisation_are_never_made(prepared):
    """With the organisations known, the pairs are the reference's less those inside one."""
    organisation = {key: key.split(":", 1)[1] for key in prepared["record_key"]}  # one name, one organisation
    reference = _row_by_row(prepared)
    apart = reference[reference["l"].map(organisation) != reference["r"].map(organisation)]
    scored = probabilistic.score_pairs(prepared, organisation_of=organisation.get)
    mine = _pairs(scored["record_key_l"], scored["record_key_r"], scored["match_probability"])
    assert 0 < len(mine) < len(reference)
    assert mine[["l", "r"]].equals(apart[["l", "r"]].reset_index(drop=True))
    assert (mine["p"].to_numpy() == apart["p"].to_numpy()).all()
