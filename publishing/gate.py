"""The quality gate: every blocking check, from every layer, in one verdict.

Publication happens only when all of these pass:
  * every current feed file passed its Great Expectations suite (recorded in its load manifest),
  * every file delivered to the landing zone has a load record for exactly its bytes, in a
    passing state (a file whose load crashed, or was never run, has none and blocks),
  * the landing zone holds no file the pipeline could not place, and nothing it refused (links,
    pipes and other special files),
  * the marts were rebuilt after the latest withdrawal of a delivery (each one is reported),
  * every dbt model built and every error-severity dbt test passed, in a build newer than the
    newest load,
  * every published table passes its Great Expectations suite (declared with it in the marts yml).
The report keeps every check, passed or not, because the publication records all of them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from ingestion.landing import LandedFile, LandingProblem, file_hash
from ingestion.manifest import LoadManifest
from ingestion.readers import ReadError
from ingestion.validate import BLOCKING, WARNING, CheckResult
from ingestion.withdraw import read_withdrawals


@dataclass
class GateCheck:
    layer: str  # feed | landing | dbt | mart
    check: str
    subject: str  # the file, model or table the check is about
    severity: str
    success: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.success else 'FAIL'} [{self.layer}] {self.check} on {self.subject}: {self.detail}"


@dataclass
class GateReport:
    checks: list[GateCheck] = field(default_factory=list)

    @property
    def failures(self) -> list[GateCheck]:
        return [c for c in self.checks if not c.success and c.severity == BLOCKING]

    @property
    def passed(self) -> bool:
        return bool(self.checks) and not self.failures

    def summary(self) -> str:
        if self.passed:
            return f"quality gate passed: {len(self.checks)} checks"
        lines = [f"quality gate FAILED: {len(self.failures)} of {len(self.checks)} blocking checks failed"]
        lines += ["  " + c.line() for c in self.failures]
        return "\n".join(lines)

    def as_records(self) -> list[dict]:
        return [asdict(c) for c in self.checks]


def feed_checks(manifests: list[LoadManifest]) -> list[GateCheck]:
    checks = []
    for manifest in manifests:
        for raw in manifest.checks:
            result = CheckResult(**raw)
            checks.append(
                GateCheck(
                    layer="feed",
                    check=result.check,
                    subject=manifest.source_file,
                    severity=result.severity,
                    success=result.success,
                    detail=result.describe()
                    if (not result.success or result.failing_rows)
                    else f"{result.rows_checked} rows checked",
                )
            )
    return checks


def landing_checks(problems: list[LandingProblem]) -> list[GateCheck]:
    return [
        GateCheck(
            layer="landing",
            check="file_refused" if p.kind == "refused" else "file_placed",
            subject=str(p.path),
            severity=BLOCKING,
            success=False,
            detail=p.message,
        )
        for p in problems
    ]


def delivery_checks(files: list[LandedFile], manifests: list[LoadManifest]) -> list[GateCheck]:
    """One check per delivered file: its partition's load record is for exactly these bytes and
    in a passing state. A load that crashed or never ran leaves no record, and this is where it
    shows, instead of the file silently missing from the figures."""
    records = {m.partition: m for m in manifests}
    checks = []
    for landed in files:
        subject = f"{landed.partner}/{landed.feed}/{landed.path.name}"
        manifest = records.get((landed.feed, landed.partner, landed.period.key))
        try:
            digest = file_hash(landed.path)
        except (ReadError, OSError) as exc:
            checks.append(GateCheck("feed", "delivery_recorded", subject, BLOCKING, False, str(exc)))
            continue
        if manifest is None:
            ok, detail = (
                False,
                "no load record: the file was never loaded, or its load failed before recording it; "
                "load it again (`svw backfill` for its partition, or `make run`) and read the load's error",
            )
        elif manifest.source_file_hash != digest:
            ok, detail = (
                False,
                f"the load record is for other bytes ({manifest.source_file}, loaded {manifest.loaded_at}): "
                "the file changed since; load it again",
            )
        else:
            state = manifest.state
            ok = manifest.passed
            detail = (
                f"state {state}: {manifest.rows_in} rows in, {manifest.rows_loaded} loaded, "
                f"{manifest.rows_quarantined} quarantined"
                + ("" if ok else "; its failed feed checks say why and how to fix it")
            )
        checks.append(GateCheck("feed", "delivery_recorded", subject, BLOCKING, ok, detail))
    return checks


def withdrawal_checks(raw_dir: Path, run_results_path: Path) -> list[GateCheck]:
    """Every withdrawal on record, reported (as a passing warning, so the publication carries
    it), and a blocking check that the marts were rebuilt after the latest one: a publication
    from marts built before it would still count the withdrawn rows."""
    withdrawals = read_withdrawals(raw_dir)
    checks = [
        GateCheck(
            "landing",
            "delivery_withdrawn",
            f"{w['partner']}/{w['feed']}/{w['period']}",
            WARNING,
            True,
            f"{w['source_file']} (sha256 {w['source_file_hash'][:12]}…, {w['rows_loaded']} rows loaded) withdrawn "
            f"by {w['withdrawn_by']} at {w['withdrawn_at']}: {w['reason']}",
        )
        for w in withdrawals
    ]
    if withdrawals:
        latest = max(datetime.fromisoformat(w["withdrawn_at"]) for w in withdrawals)
        built = None
        if run_results_path.exists():
            generated = json.loads(run_results_path.read_text(encoding="utf-8"))["metadata"]["generated_at"]
            built = datetime.fromisoformat(generated.replace("Z", "+00:00"))
        fresh = built is not None and built >= latest
        checks.append(
            GateCheck(
                "dbt",
                "dbt_build_newer_than_withdrawals",
                "dbt build",
                BLOCKING,
                fresh,
                f"dbt build at {built.isoformat() if built else 'never'}, latest withdrawal at {latest.isoformat()}"
                + ("" if fresh else "; rebuild the marts before publishing"),
            )
        )
    return checks


def dbt_checks(run_results_path: Path, newest_load: datetime | None) -> list[GateCheck]:
    if not run_results_path.exists():
        return [
            GateCheck(
                "dbt",
                "dbt_build_ran",
                str(run_results_path),
                BLOCKING,
                False,
                "no dbt run results: build the marts (dbt build) before publishing",
            )
        ]
    run_results = json.loads(run_results_path.read_text(encoding="utf-8"))
    checks = []
    generated = datetime.fromisoformat(run_results["metadata"]["generated_at"].replace("Z", "+00:00"))
    fresh = newest_load is None or generated >= newest_load
    checks.append(
        GateCheck(
            "dbt",
            "dbt_build_newer_than_loads",
            "dbt build",
            BLOCKING,
            fresh,
            f"dbt build at {generated.isoformat()}, newest load at "
            f"{newest_load.isoformat() if newest_load else 'n/a'}"
            + ("" if fresh else "; rebuild the marts before publishing"),
        )
    )
    for result in run_results["results"]:
        unique_id = result["unique_id"]
        kind = unique_id.split(".")[0]
        status = result["status"]
        ok = status in ("pass", "success", "no-op")
        severity = BLOCKING if status != "warn" else "warning"
        detail = (
            status if ok else f"{status}: {result.get('message') or ''} ({result.get('failures') or 0} failing rows)"
        )
        parts = unique_id.split(".")  # test.<project>.<name>[.<hash>], model.<project>.<name>
        name = parts[2] if len(parts) > 2 else unique_id
        checks.append(
            GateCheck(
                "dbt",
                name if kind in ("test", "unit_test") else f"build {name}",
                unique_id,
                severity,
                ok or status == "warn",
                detail,
            )
        )
    return checks


def mart_checks(table: str, results: list[CheckResult]) -> list[GateCheck]:
    return [
        GateCheck(
            "mart",
            r.check,
            table,
            r.severity,
            r.success,
            r.describe() if not r.success else f"{r.rows_checked} rows checked",
        )
        for r in results
    ]
