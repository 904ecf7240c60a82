"""One partner's months loaded in order, this checkout beside another, in the same run.

    .venv/bin/python -m benchmarks.partner_history_load --baseline <other checkout>
    .venv/bin/python -m benchmarks.partner_history_load --rows 1000000 --months 60 --repeat 3 --baseline <checkout>

Why: a load's cost should not grow with the partner's history. Each spend file is checked against
the partner's other loaded months (money_checks.delivered_twice), so the n-th month's load reads
something of the n-1 before it; at GM scale (60 months a partner) that part decides whether a load
costs the same in year five as in year one.

Inputs: `benchmarks.scale.generate` grows Trafford's real FY2024/25 ledger (../shared/data/real/)
into one synthetic council's monthly files (`--rows` over `--months`); nothing is committed.
Each checkout loads every file in period order (ingestion.load.load_partition, the step a pipeline
run takes per partition) into a fresh raw folder, in a process of its own, alternating with the other
checkout `--repeat` times. Reported: the whole history's time and the mean of the first and of the
last twelve loads (median over repeats). The script fails unless both checkouts loaded and
quarantined the same rows of every file with the same checks' outcomes.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from ingestion.landing import scan_landing
from ingestion.load import load_partition
from ingestion.registry import load_registry, load_rules
import ingestion.validate  # GX's import is paid once per process, not per file
config, landing, raw = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
rules = load_rules(config)
files = sorted((f for f in scan_landing(landing, load_registry(config)).files if f.feed == "spend"),
               key=lambda f: f.period.key)
seconds, outcomes = [], []
for landed in files:
    start = time.perf_counter()
    report = load_partition([landed], rules, raw)
    seconds.append(time.perf_counter() - start)
    outcomes.append([landed.period.key, report.rows_in, report.rows_loaded, report.rows_quarantined,
                     report.passed])
print(json.dumps({"seconds": seconds, "outcomes": outcomes}))
"""


def load_history(code: Path, config: Path, landing: Path, raw: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(code), str(config), str(landing), str(raw)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"loading with {code} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows over all months (default 1M)")
    parser.add_argument("--months", type=int, default=60, help="a multiple of 12 (default 60: five years)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout, measured in the same run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.months % 12:
        raise SystemExit("--months must be a multiple of 12 (the generator makes whole financial years)")
    from benchmarks.scale import generate

    codes = {"this": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    runs: dict[str, list[dict]] = {name: [] for name in codes}
    with tempfile.TemporaryDirectory(prefix="svw_history_") as scratch:
        scratch_dir = Path(scratch)
        made = generate(scratch_dir / "inputs", args.rows, partners=1, years=args.months // 12)
        config, landing = Path(made["config"]), Path(made["landing"])
        for repeat in range(args.repeat):
            for name, code in codes.items():
                raw = scratch_dir / f"raw_{name}_{repeat}"
                runs[name].append(load_history(code, config, landing, raw))
                print(f"  {name} #{repeat + 1}: {sum(runs[name][-1]['seconds']):.1f} s", flush=True)

    outcomes = {name: [r["outcomes"] for r in results] for name, results in runs.items()}
    first = outcomes["this"][0]
    for name, each in outcomes.items():
        if any(o != first for o in each):
            raise SystemExit(f"{name}: the loads' outcomes differ from this checkout's first run; not comparable")
    results = {
        "rows": args.rows,
        "months": args.months,
        "files": len(first),
        "repeat": args.repeat,
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    for name, each in runs.items():
        results[name] = {
            "history_s": round(statistics.median(sum(r["seconds"]) for r in each), 2),
            "first_12_mean_s": round(statistics.median(statistics.mean(r["seconds"][:12]) for r in each), 3),
            "last_12_mean_s": round(statistics.median(statistics.mean(r["seconds"][-12:]) for r in each), 3),
        }
        print(
            f"{name:<9} {results[name]['history_s']:>7.1f} s for {len(first)} months; "
            f"mean load: first 12 {results[name]['first_12_mean_s']:.3f} s, "
            f"last 12 {results[name]['last_12_mean_s']:.3f} s"
        )
    print("outcomes identical across checkouts and repeats")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
