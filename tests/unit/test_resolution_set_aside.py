"""The frames resolution sets aside while it runs (ingestion/resolution/build._SetAside) come back
exactly as they were, and are not held in memory meanwhile: at 10M ledger lines they were 600-700 MB
beside resolution's heap (issue 13's peak memory)."""

import datetime as dt
import gc
import weakref

import pandas as pd

from ingestion.resolution.build import _SetAside


def _records() -> pd.DataFrame:
    # the dtypes build_supplier_tables' records carry, each with a missing value
    return pd.DataFrame(
        {
            "record_key": pd.array(["a:ref:1", "b:name:X"], dtype="str"),
            "supplier_name": pd.array(["Acorn Care", None], dtype=pd.StringDtype("python")),
            "postcode": pd.array([None, "M1 1AE"], dtype=pd.StringDtype("pyarrow")),
            "is_sme": pd.array([True, None], dtype="boolean"),
            "payments": pd.array([3, None], dtype="Int64"),
            "priority": pd.array([0, 1], dtype="int64[pyarrow]"),
            "evidence_date": [dt.date(2024, 4, 1), None],
        }
    )


def test_frames_set_aside_come_back_exactly(tmp_path):
    aside = _SetAside(tmp_path / "_staging", records=_records(), payees=_records().head(1))
    aside.to_disk()
    assert len(list((tmp_path / "_staging").rglob("*"))) == 2  # its folder and file, beside the raw layer
    records, payees = aside.take_back("records", "payees")
    pd.testing.assert_frame_equal(records, _records(), check_exact=True)
    pd.testing.assert_frame_equal(payees, _records().head(1), check_exact=True)
    assert list(records.dtypes) == list(_records().dtypes)  # python-backed text is not read back as Arrow
    assert list((tmp_path / "_staging").iterdir()) == []  # removed once read back


def test_frames_on_disk_are_not_held_in_memory(tmp_path):
    records = _records()
    held = weakref.ref(records)
    aside = _SetAside(tmp_path, records=records)
    del records
    aside.to_disk()
    gc.collect()
    assert held() is None
    (back,) = aside.take_back("records")
    pd.testing.assert_frame_equal(back, _records())


def test_frames_never_set_aside_are_handed_back_as_they_are(tmp_path):
    records = _records()
    (back,) = _SetAside(tmp_path / "_staging", records=records).take_back("records")
    assert back is records
    assert not (tmp_path / "_staging").exists()  # nothing written


def test_frames_that_cannot_be_written_stay_in_memory_and_say_why(tmp_path, caplog):
    """No space or no folder for the file costs memory, never the records."""
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("a file where the folder would go", encoding="utf-8")
    records = _records()
    aside = _SetAside(blocked / "_staging", records=records)
    aside.to_disk()
    (back,) = aside.take_back("records")
    assert back is records
    assert "could not set the supplier records aside" in caplog.text and str(blocked) in caplog.text


def test_a_killed_resolutions_folder_is_removed_and_a_live_ones_kept(tmp_path):
    """A resolution killed outright (SIGKILL, out of memory) cannot clean up after itself; the next
    one removes what it left, but never the folder of a run still going, nor another machine's."""
    import os
    import subprocess
    import sys

    from ingestion.resolution.build import _aside_prefix

    staging = tmp_path / "_staging"
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = staging / f"{_aside_prefix(int(ended.stdout))}abc"
    live = staging / f"{_aside_prefix(os.getppid())}def"  # this test's parent is alive
    elsewhere = staging / f"resolution_aside_another-machine_{int(ended.stdout)}_ghi"
    for folder in (dead, live, elsewhere):
        folder.mkdir(parents=True)
        (folder / "frames.pickle").write_bytes(b"records")
    aside = _SetAside(staging, records=_records())
    aside.to_disk()
    assert not dead.exists()
    assert live.exists() and elsewhere.exists()
    aside.take_back("records")
    assert sorted(p.name for p in staging.iterdir()) == sorted([live.name, elsewhere.name])
