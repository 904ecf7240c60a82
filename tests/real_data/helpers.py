"""Independent readings of real files (csv module + Decimal), to reconcile the pipeline against."""

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path


def csv_text(path: Path, encoding="utf-8-sig") -> str:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            (name,) = [n for n in archive.namelist() if n.endswith(".csv")]
            return archive.read(name).decode(encoding)
    return path.read_text(encoding=encoding)


def column_total_pence(path: Path, column: str) -> tuple[int, int]:
    """(number of data rows, sum of the column in pence) read the plain way."""
    rows = list(csv.DictReader(io.StringIO(csv_text(path))))
    total = sum(Decimal(r[column]) for r in rows if r[column] not in ("", "NA"))
    return len(rows), int(total * 100)


def deliver(source: Path, target: Path) -> None:
    """Put a real file in a test's landing zone as a partner would: a regular file (the landing zone
    refuses symbolic links). A hard link where the filesystem allows, so nothing is copied; a copy
    otherwise. Either way it lives in the test's temporary folder, never in the repository."""
    import os
    import shutil

    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
