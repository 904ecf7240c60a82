"""Each partner's own resolution kept between runs, for the partners whose records did not change.

A month that names one new payee changes resolve's inputs, so `kept.py` cannot hand back the last
run's links and every record is resolved again (issue 13: about four minutes at 10M ledger lines).
Part of that is exact to keep: the partner-local pass (resolve._partner_local_clusters) resolves
each partner's records on their own, from nothing but that partner's records, the matching settings
and this package's code. So its result for a partner is kept beside a fingerprint of exactly those,
and a later run whose fingerprint for that partner is the same reads it back instead of computing
it: the other partners of a new month cost a file read. Never an approximation: any change in a
partner's records (a new name, a changed number), the settings or the code recomputes that partner.

Stored as Parquet, not pickle: the files outlive the process that wrote them, and reading one must
never run code. The roots file is written last and is what makes an entry present, so a run stopped
part-way leaves an entry that is absent or whole.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# what the partner-local pass reads of each record; the rest (payments, dates, flags) cannot move it
LOCAL_COLUMNS = ("record_key", "name", "company_number", "charity_number", "vat_number", "postcode")
PACKAGE = Path(__file__).parent
# the code the pass runs: this package's modules and the missing-value helpers they call
CODE = (*sorted(PACKAGE.glob("*.py")), PACKAGE.parent / "missing.py")

# one partner's result: its record keys, each one's partner-local root, and the name links it made
Local = tuple[list[str], list[str], list[tuple[str, str, str, float]]]


def code_digest() -> str:
    digest = hashlib.sha256()
    for path in CODE:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def partner_fingerprint(own: pd.DataFrame, settings: dict, code: str) -> str:
    """One partner's records (in the order given: ties fall by record order), the settings, the code."""
    digest = hashlib.sha256(code.encode())
    digest.update(json.dumps(settings, sort_keys=True).encode())
    frame = pd.DataFrame({c: own[c] for c in LOCAL_COLUMNS}).astype("string")  # None and NA hash alike
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


class KeptPartnerResults:
    """The kept partner-local results in one folder, one entry per fingerprint."""

    def __init__(self, folder: Path, settings: dict):
        self.folder = folder
        self.settings = settings
        self.code = code_digest()
        self.used: set[str] = set()

    def fingerprint(self, own: pd.DataFrame) -> str:
        fingerprint = partner_fingerprint(own, self.settings, self.code)
        self.used.add(fingerprint)
        return fingerprint

    def _paths(self, fingerprint: str) -> tuple[Path, Path]:
        return self.folder / f"{fingerprint}.links.parquet", self.folder / f"{fingerprint}.roots.parquet"

    def get(self, fingerprint: str) -> Local | None:
        links_path, roots_path = self._paths(fingerprint)
        if not (roots_path.is_file() and links_path.is_file()):
            return None
        roots = pq.read_table(roots_path)
        links = pq.read_table(links_path).to_pydict()
        made = list(zip(links["a"], links["b"], links["method"], links["score"], strict=True))
        return roots["record_key"].to_pylist(), roots["root"].to_pylist(), made

    def put(self, fingerprint: str, result: Local) -> None:
        keys, roots, made = result
        self.folder.mkdir(parents=True, exist_ok=True)
        links_path, roots_path = self._paths(fingerprint)
        links = pa.table(
            {
                "a": pa.array([link[0] for link in made], pa.string()),
                "b": pa.array([link[1] for link in made], pa.string()),
                "method": pa.array([link[2] for link in made], pa.string()),
                "score": pa.array([link[3] for link in made], pa.float64()),
            }
        )
        _write_whole(links, links_path)
        _write_whole(
            pa.table({"record_key": pa.array(keys, pa.string()), "root": pa.array(roots, pa.string())}), roots_path
        )

    def forget_unused(self) -> None:
        """Entries no partner of this run had: a partner's older records, or a partner gone."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.is_file() and path.name.split(".", 1)[0] not in self.used:
                path.unlink(missing_ok=True)


def _write_whole(table: pa.Table, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial)
    partial.replace(path)
