"""Import benchmark: `steward import` against `sqlite3 .import` on the same CSV, in the same run.

    .venv/bin/python benchmarks/import_bench.py                 # 1,000,000 rows
    .venv/bin/python benchmarks/import_bench.py --rows 200000 --keep bench-data --json

Every figure is measured by this run on this machine; see benchmarks/README.md
for what each one means and which targets it is checked against.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contacts_csv  # noqa: E402  (sibling module; benchmarks/ is not a package)

ROOT = Path(__file__).resolve().parent.parent
MAX_RATIO = 3.0
MAX_PEAK_BYTES = 1 << 30
MAX_OPEN_SECONDS = 1.0
PAGE = 100

# Run in a fresh interpreter: times and peak memory of opening the project and
# reading the first page, measured from the first line of this snippet.
_OPEN_SNIPPET = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from steward import store
from steward.project import Project
t1 = time.perf_counter()
project = Project.open(sys.argv[1])
t2 = time.perf_counter()
source = store.sources(project)[0]
page = store.records(project, source.id, 0, int(sys.argv[2]))
t3 = time.perf_counter()
project.close()
t4 = time.perf_counter()
print(json.dumps({"import_modules_s": t1 - t0, "open_s": t2 - t1, "first_page_s": t3 - t2, "close_s": t4 - t3,
                  "page_rows": len(page), "record_count": source.record_count,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


class Measured:
    """One child process: wall time, peak RSS, exit code and its output."""

    def __init__(self, wall_s: float, peak_rss_bytes: int, returncode: int, stdout: str, stderr: str) -> None:
        self.wall_s = wall_s
        self.peak_rss_bytes = peak_rss_bytes
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


def run_measured(argv: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``argv`` and return its wall time and its own peak RSS (os.wait4, not the children's maximum)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(wall, usage.ru_maxrss * 1024, proc.returncode,
                        out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def find_steward(given: str | None) -> Path:
    if given:
        return Path(given)
    for candidate in (Path(sys.prefix) / "bin" / "steward", ROOT / ".venv" / "bin" / "steward"):
        if candidate.exists():
            return candidate
    found = shutil.which("steward")
    if not found:
        sys.exit("steward is not installed: run `python3 scripts/dev.py test` once, or pass --steward PATH.")
    return Path(found)


def prepare_csv(folder: Path, rows: int, seed: int) -> tuple[Path, int, float | None]:
    """The CSV for (rows, seed), generated unless an identical one is already in ``folder``."""
    path = folder / f"contacts-{rows}-seed{seed}.csv"
    stamp = path.with_suffix(".json")
    wanted = {"rows": rows, "seed": seed, "generator": contacts_csv.GENERATOR_VERSION}
    if path.exists() and stamp.exists():
        try:
            known = json.loads(stamp.read_text())
        except ValueError:
            known = {}
        if known.get("params") == wanted and known.get("size") == path.stat().st_size:
            return path, known["size"], None
    start = time.perf_counter()
    size = contacts_csv.write_csv(path, rows, seed)
    elapsed = time.perf_counter() - start
    stamp.write_text(json.dumps({"params": wanted, "size": size}))
    return path, size, elapsed


def bench_steward(steward: Path, project: Path, csv_path: Path, rows: int) -> dict:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(project) + suffix).unlink(missing_ok=True)
    done = run_measured([str(steward), "import", str(project), str(csv_path), "--json"])
    if done.returncode != 0:
        raise SystemExit(f"steward import failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    result = json.loads(done.stdout)
    if result["imported"] != rows or result["rejected"] != 0:
        raise SystemExit(f"steward imported {result['imported']} rows and rejected {result['rejected']}; "
                         f"expected {rows} and 0.")
    return {"wall_s": done.wall_s, "rows_per_s": rows / done.wall_s, "peak_rss_bytes": done.peak_rss_bytes,
            "imported": result["imported"], "encoding": result["encoding"], "delimiter": result["delimiter"],
            "project_bytes": project.stat().st_size}


def bench_sqlite3(cli: str | None, folder: Path, csv_path: Path, rows: int) -> dict | None:
    if cli is None:
        return None
    db = folder / "sqlite3-import.db"
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    done = run_measured([cli, str(db), "-cmd", ".mode csv", f".import {csv_path} t"])
    if done.returncode != 0 or done.stderr.strip():
        raise SystemExit(f"sqlite3 .import failed ({done.returncode}):\n{done.stderr}")
    counted = subprocess.run([cli, str(db), "SELECT count(*) FROM t"], capture_output=True, text=True, check=True)
    imported = int(counted.stdout.strip())
    if imported != rows:
        raise SystemExit(f"sqlite3 .import stored {imported} rows; expected {rows}.")
    version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.split()[0]
    return {"wall_s": done.wall_s, "rows_per_s": rows / done.wall_s, "peak_rss_bytes": done.peak_rss_bytes,
            "imported": imported, "version": version, "db_bytes": db.stat().st_size}


def open_once(python: Path, project: Path, rows: int) -> dict:
    done = run_measured([str(python), "-c", _OPEN_SNIPPET, str(project), str(PAGE)])
    if done.returncode != 0:
        raise SystemExit(f"opening the project failed:\n{done.stderr}")
    figures = json.loads(done.stdout)
    if figures["page_rows"] != min(PAGE, rows) or figures["record_count"] != rows:
        raise SystemExit(f"first page has {figures['page_rows']} rows of {figures['record_count']}; expected "
                         f"{min(PAGE, rows)} of {rows}.")
    figures["open_and_page_s"] = figures["open_s"] + figures["first_page_s"]
    figures["process_wall_s"] = done.wall_s
    return figures


def evict_from_page_cache(project: Path) -> bool:
    """Drop this project's pages (only its own files) from the OS cache, as after a reboot; False if unsupported."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for suffix in ("", "-wal", "-shm"):
        try:
            fd = os.open(str(project) + suffix, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            os.fsync(fd)  # only clean pages can be dropped
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return True


def bench_open(python: Path, project: Path, rows: int) -> dict:
    """Open and read the first page twice: warm (file in the page cache) and cold (evicted first)."""
    figures = open_once(python, project, rows)
    figures["interpreter_start_s"] = run_measured([str(python), "-c", "pass"]).wall_s
    figures["cold"] = open_once(python, project, rows) if evict_from_page_cache(project) else None
    return figures


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3
    return {"cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(),
            "python_sqlite": sqlite3.sqlite_version, "platform": platform.platform()}


def repeated(runs: list[dict]) -> dict:
    """Median wall time over the runs, the highest peak RSS, and each run's time."""
    figures = dict(runs[len(runs) // 2])
    figures["wall_s"] = statistics.median(r["wall_s"] for r in runs)
    figures["rows_per_s"] = figures["imported"] / figures["wall_s"]
    figures["peak_rss_bytes"] = max(r["peak_rss_bytes"] for r in runs)
    figures["runs_wall_s"] = [r["wall_s"] for r in runs]
    return figures


def verdicts(report: dict) -> dict:
    steward, lite, opened = report["steward"], report["sqlite3"], report["open"]
    out = {"memory": steward["peak_rss_bytes"] < MAX_PEAK_BYTES,
           "open_and_first_page": opened["open_and_page_s"] < MAX_OPEN_SECONDS,
           "open_and_first_page_cold": None if opened["cold"] is None
           else opened["cold"]["open_and_page_s"] < MAX_OPEN_SECONDS}
    report["ratio"] = None if lite is None else steward["wall_s"] / lite["wall_s"]
    out["ratio"] = None if lite is None else report["ratio"] <= MAX_RATIO
    return out


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def print_table(report: dict) -> None:
    s, lite, o, v = report["steward"], report["sqlite3"], report["open"], report["verdicts"]
    m = report["machine"]
    print(f"Machine: {m['cpu']} ({m['cpus']} CPUs), Python {m['python']}, SQLite {m['python_sqlite']}")
    generated = report["csv"]["generated_s"]
    print(f"CSV: {report['csv']['path']} ({report['rows']:,} rows x 12 columns, {_mib(report['csv']['bytes'])}, "
          + (f"generated in {generated:.1f} s)" if generated is not None else "reused)"))
    if report["repeat"] > 1:
        print(f"Import times are medians of {report['repeat']} alternating runs; peak RSS is the highest.")
    print()
    rows = [("measure", "value", "target", "verdict"),
            ("steward import: wall time", f"{s['wall_s']:.2f} s", "", ""),
            ("steward import: rows/s", f"{s['rows_per_s']:,.0f}", "", ""),
            ("steward import: peak RSS", _mib(s["peak_rss_bytes"]), "< 1 GiB", _verdict(v["memory"])),
            ("steward project file size", _mib(s["project_bytes"]), "", "")]
    if lite is None:
        rows.append(("sqlite3 .import", "skipped: sqlite3 CLI not found", "", ""))
    else:
        rows += [(f"sqlite3 {lite['version']} .import: wall time", f"{lite['wall_s']:.2f} s", "", ""),
                 ("sqlite3 .import: rows/s", f"{lite['rows_per_s']:,.0f}", "", ""),
                 ("sqlite3 .import: peak RSS", _mib(lite["peak_rss_bytes"]), "", ""),
                 ("ratio steward / sqlite3", f"{report['ratio']:.2f}x", f"<= {MAX_RATIO:g}x", _verdict(v["ratio"]))]
    rows += [("open (warm): Project.open", f"{o['open_s'] * 1000:.0f} ms", "", ""),
             (f"open (warm): sources + first {PAGE} records", f"{o['first_page_s'] * 1000:.0f} ms", "", ""),
             ("open + first page, warm (*)", f"{o['open_and_page_s'] * 1000:.0f} ms", "< 1 s",
              _verdict(v["open_and_first_page"]))]
    cold = o["cold"]
    if cold is None:
        rows.append(("open + first page, cold", "skipped: no posix_fadvise here", "", ""))
    else:
        rows += [("open (cold): Project.open", f"{cold['open_s'] * 1000:.0f} ms", "", ""),
                 (f"open (cold): sources + first {PAGE} records", f"{cold['first_page_s'] * 1000:.0f} ms", "", ""),
                 ("open + first page, cold (*)", f"{cold['open_and_page_s'] * 1000:.0f} ms", "< 1 s",
                  _verdict(v["open_and_first_page_cold"]))]
    rows += [
             ("  import of steward modules (warm)", f"{o['import_modules_s'] * 1000:.0f} ms", "", ""),
             ("  interpreter start-up (python -c pass)", f"{o['interpreter_start_s'] * 1000:.0f} ms", "", ""),
             ("  whole process, start to exit (warm)", f"{o['process_wall_s'] * 1000:.0f} ms", "", ""),
             ("  close (WAL checkpoint)", f"{o['close_s'] * 1000:.0f} ms", "", ""),
             ("  peak RSS", _mib(o["peak_rss_bytes"]), "", "")]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("(*) open + first page excludes interpreter start-up and the import of steward's modules (both shown "
          "separately). Warm: the project is in the OS page cache, as it was just written. Cold: the project's own "
          "files were dropped from the page cache first (posix_fadvise), as after a reboot; Python and steward's "
          "modules stay cached.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="data rows in the CSV (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep the CSV and databases (an existing CSV there is reused)")
    parser.add_argument("--steward", help="the steward executable (default: the one in this virtualenv)")
    parser.add_argument("--sqlite3", default="sqlite3", help="the sqlite3 CLI (default: sqlite3 on PATH)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="import N times each, alternating, and report the median time (default 1)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    steward = find_steward(args.steward)
    args.sqlite3 = shutil.which(args.sqlite3)
    python = steward.parent / "python"
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        folder, cleanup = args.keep.resolve(), False
    else:
        folder, cleanup = Path(tempfile.mkdtemp(prefix="steward-bench-")), True

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        say(f"Preparing {args.rows:,}-row CSV in {folder} …")
        csv_path, size, generated = prepare_csv(folder, args.rows, args.seed)
        if args.sqlite3 is None:
            say("sqlite3 CLI not found: skipping the sqlite3 .import comparison (apt-get install sqlite3).")
        steward_runs, lite_runs = [], []
        for run in range(1, args.repeat + 1):
            say(f"steward import (run {run} of {args.repeat}) …")
            steward_runs.append(bench_steward(steward, folder / "bench.steward", csv_path, args.rows))
            if args.sqlite3 is not None:
                say(f"sqlite3 .import (run {run} of {args.repeat}) …")
                lite_runs.append(bench_sqlite3(args.sqlite3, folder, csv_path, args.rows))
        steward_figures = repeated(steward_runs)
        lite = repeated(lite_runs) if lite_runs else None
        say("open + first page …")
        opened = bench_open(python, folder / "bench.steward", args.rows)
        report = {"rows": args.rows, "seed": args.seed, "repeat": args.repeat, "machine": machine(),
                  "csv": {"path": str(csv_path), "bytes": size, "generated_s": generated},
                  "steward_executable": str(steward), "steward": steward_figures, "sqlite3": lite, "open": opened,
                  "targets": {"max_ratio": MAX_RATIO, "max_peak_rss_bytes": MAX_PEAK_BYTES,
                              "max_open_and_page_s": MAX_OPEN_SECONDS}}
        report["verdicts"] = verdicts(report)
    finally:
        if cleanup:
            shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    missed = [name for name, ok in report["verdicts"].items() if ok is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
