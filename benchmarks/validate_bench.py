"""Profiling and validation benchmark on a generated million-row contact list.

    .venv/bin/python benchmarks/validate_bench.py                         # 1,000,000 rows
    .venv/bin/python benchmarks/validate_bench.py --rows 200000 --keep bench-data --json

Imports the list once (kept with --keep and reused), then in fresh
interpreters: profiles the project, validates it with the default rule set,
and validates again with nothing changed. Every figure is measured by this run
on this machine; see benchmarks/README.md for the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import find_steward, machine, prepare_csv  # noqa: E402  (sibling module)

MIN_RECORDS_PER_S = 100_000
MAX_PROFILE_S = 10.0


def child(task: str, project_path: str) -> None:
    """Run one measured task in this (fresh) interpreter and print its figures as JSON."""
    from steward import rule_store, validation
    from steward.profile_sources import profile_project
    from steward.project import Project

    figures: dict = {}
    if task == "profile":
        with Project.open(project_path, read_only=True) as project:
            start = time.perf_counter()
            profiles = profile_project(project)
            figures["seconds"] = time.perf_counter() - start
            figures["columns"] = sum(len(p.columns) for p in profiles)
    else:
        with Project.open(project_path) as project:
            with project.db.atomic():  # start from nothing: the default rules, no earlier results
                rule_store.save_rules(project, [])
                rule_store.save_rules(project, rule_store.propose_rules(project))
                for table in ("completeness", "quality_scores", "validation_runs"):
                    project.conn.execute(f"DELETE FROM {table}")
            start = time.perf_counter()
            first = validation.validate(project)
            figures["seconds"] = time.perf_counter() - start
            start = time.perf_counter()
            again = validation.validate(project)
            figures["again_seconds"] = time.perf_counter() - start
            figures["records"] = first.records
            figures["again_rechecked"] = again.rechecked
            figures["rules"] = {c.name: c.failures for c in first.rules}
            figures["errors"], figures["warnings"] = first.errors, first.warnings
            figures["score"] = first.scores[0].score
    figures["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    figures["peak_worker_rss_bytes"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps(figures))


def run_child(task: str, project: Path, workers: int | None) -> dict:
    env = dict(os.environ)
    if workers is not None:
        env["STEWARD_WORKERS"] = str(workers)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", task, str(project)], capture_output=True, text=True,
                          env=env)
    if done.returncode != 0:
        raise SystemExit(f"{task} failed ({done.returncode}):\n{done.stderr}")
    figures = json.loads(done.stdout)
    figures["process_wall_s"] = time.perf_counter() - start
    return figures


def prepare_project(folder: Path, csv_path: Path, rows: int) -> tuple[Path, float | None]:
    """The imported project for this CSV, imported again only when the CSV changed."""
    project = folder / f"{csv_path.stem}.steward"
    stamp = project.with_suffix(".stamp")
    wanted = f"{csv_path.name} {csv_path.stat().st_size} {csv_path.stat().st_mtime_ns}"
    if project.exists() and stamp.exists() and stamp.read_text() == wanted:
        return project, None
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(project) + suffix).unlink(missing_ok=True)
    start = time.perf_counter()
    done = subprocess.run([str(find_steward(None)), "import", str(project), str(csv_path), "--json"],
                          capture_output=True, text=True)
    if done.returncode != 0 or json.loads(done.stdout)["imported"] != rows:
        raise SystemExit(f"steward import failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    stamp.write_text(wanted)
    return project, time.perf_counter() - start


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_table(report: dict) -> None:
    m, p, v = report["machine"], report["profile"], report["validate"]
    print(f"Machine: {m['cpu']} ({m['cpus']} CPUs), Python {m['python']}, SQLite {m['python_sqlite']}; "
          f"workers: {report['workers']}")
    imported = report["import_s"]
    print(f"Project: {report['project']} ({report['rows']:,} records"
          + (f", imported in {imported:.1f} s)" if imported is not None else ", reused)"))
    print()
    rate = v["records"] / v["seconds"]
    rows = [
        ("measure", "value", "target", "verdict"),
        ("profile: wall time", f"{p['seconds']:.2f} s", f"< {MAX_PROFILE_S:g} s",
         _verdict(p["seconds"] < MAX_PROFILE_S)),
        ("profile: peak RSS (main / largest worker)",
         f"{_mib(p['peak_rss_bytes'])} / {_mib(p['peak_worker_rss_bytes'])}", "", ""),
        ("validate (default rules): wall time", f"{v['seconds']:.2f} s", "", ""),
        ("validate: records/s", f"{rate:,.0f}", f">= {MIN_RECORDS_PER_S:,}", _verdict(rate >= MIN_RECORDS_PER_S)),
        ("validate: peak RSS (main / largest worker)",
         f"{_mib(v['peak_rss_bytes'])} / {_mib(v['peak_worker_rss_bytes'])}", "", ""),
        ("validate again, nothing changed", f"{v['again_seconds']:.2f} s ({v['again_rechecked']:,} re-read)", "", ""),
        ("failures: errors / warnings", f"{v['errors']:,} / {v['warnings']:,}", "", ""),
        ("quality score", f"{v['score']:.1f} / 100", "", ""),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    print()
    print("Failures per rule: " + ", ".join(f"{name} {n:,}" for name, n in v["rules"].items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder and reuse its CSV and project")
    parser.add_argument("--workers", type=int, help="worker processes (default: one per core; 0 = none)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Preparing {args.rows:,} rows in {folder} …", file=sys.stderr)
        csv_path, _, _ = prepare_csv(folder, args.rows, args.seed)
        project, import_s = prepare_project(folder, csv_path, args.rows)
        print("Profiling …", file=sys.stderr)
        profile = run_child("profile", project, args.workers)
        print("Validating …", file=sys.stderr)
        validate = run_child("validate", project, args.workers)
        report = {"machine": machine(), "rows": args.rows, "project": str(project), "import_s": import_s,
                  "workers": args.workers if args.workers is not None else os.cpu_count(),
                  "profile": profile, "validate": validate}
    ok = profile["seconds"] < MAX_PROFILE_S and validate["records"] / validate["seconds"] >= MIN_RECORDS_PER_S
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
