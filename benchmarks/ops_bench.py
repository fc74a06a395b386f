"""Review-operation benchmark: every decision and its undo on a generated million-record project.

    .venv/bin/python benchmarks/ops_bench.py                              # 1,000,000 records
    .venv/bin/python benchmarks/ops_bench.py --records 20000 --keep bench-data --repeat 10

Builds a validated and matched project from ``steward.demo_data`` once (kept
and reused with --keep), then, in a fresh interpreter and on a copy made with
``Project.save_copy`` (deleted afterwards, so the kept project never changes),
times ``operations.perform`` and ``operations.undo`` of each kind of decision
on an open project, commit included, and merge-auto of 10,000 clusters as one
decision. Every figure is measured by this run on this machine; see
benchmarks/README.md for the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import machine  # noqa: E402  (sibling module; benchmarks/ is not a package)

MAX_OP_MS = 20.0
MAX_BULK_S = 10.0
BULK_CLUSTERS = 10_000
FIELD = "email"   # the column fixed, and the golden value edited and picked
T = TypeVar("T")


def say(message: str) -> None:
    """Progress, on stderr, so that stdout carries only the figures."""
    print(message, file=sys.stderr, flush=True)


# -- building the project (a child process) -------------------------------------------------------------


def prepare(project_path: Path, records: int, seed: int) -> dict[str, Any]:
    """Generate, import, validate with the default rules and match: the state a steward starts reviewing in."""
    from steward import demo_data, rule_store, validation
    from steward.importer import import_file
    from steward.match_store import match_project
    from steward.project import Project

    figures: dict[str, Any] = {}
    say(f"Generating {records:,} records …")
    start = time.perf_counter()
    data = demo_data.generate(records, seed)
    csv_path = project_path.with_suffix(".csv")
    demo_data.write_csv(csv_path, data)
    del data
    figures["generate_s"] = time.perf_counter() - start
    with Project.create(project_path) as project:
        say("Importing …")
        start = time.perf_counter()
        imported = import_file(project, csv_path)
        figures["import_s"] = time.perf_counter() - start
        csv_path.unlink()
        if imported.imported != records:
            raise SystemExit(f"imported {imported.imported:,} of {records:,} records")
        say("Validating with the default rules …")
        start = time.perf_counter()
        rule_store.save_rules(project, rule_store.propose_rules(project))
        validation.validate(project)
        figures["validate_s"] = time.perf_counter() - start
        say("Matching …")
        start = time.perf_counter()
        summary = match_project(project)
        figures["match_s"] = time.perf_counter() - start
        figures.update(clusters=summary.clusters, auto=summary.auto, review=summary.review)
    return figures


def prepared_project(folder: Path, records: int, seed: int) -> tuple[Path, dict, bool]:
    """The matched project for (records, seed), built unless a finished one is already in ``folder``."""
    project = folder / f"ops-{records}-seed{seed}.steward"
    stamp = project.with_suffix(".json")
    wanted = {"records": records, "seed": seed}
    if project.exists() and stamp.exists():
        known = json.loads(stamp.read_text())
        if known.get("params") == wanted:
            return project, known["figures"], False
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(project) + suffix).unlink(missing_ok=True)
    say(f"Building the {records:,}-record project in {folder} (generate, import, validate, match) …")
    figures = run_child("prepare", str(project), str(records), str(seed))
    stamp.write_text(json.dumps({"params": wanted, "figures": figures}))
    return project, figures, True


# -- measuring (a child process) -------------------------------------------------------------------------


def spread(items: Sequence[T], n: int) -> list[T]:
    """Up to n items evenly spaced over ``items``, so targets come from the whole project, not its start."""
    count = min(n, len(items))
    return [items[i * len(items) // count] for i in range(count)]


def decision_state(project: Any) -> list:
    """Aggregates of the decision tables, to show that undoing everything put them back."""
    queries = ["SELECT COUNT(*), TOTAL(id), TOTAL(length(picks) + length(edits)) FROM golden",
               "SELECT COUNT(*), TOTAL(record_id * golden_id), TOTAL(batch) FROM golden_members",
               "SELECT COUNT(*), TOTAL(a * 3 + b) FROM not_duplicates",
               "SELECT COUNT(*), TOTAL(record_id * cluster_id) FROM cluster_members",
               "SELECT status, COUNT(*), TOTAL(id), TOTAL(length(note)) FROM clusters GROUP BY status ORDER BY 1",
               "SELECT COUNT(*), TOTAL(record_id * 16 + position) FROM fixes"]
    return [project.conn.execute(q).fetchall() for q in queries]


def timed(project: Any, name: str, make: Callable[[], Any]) -> tuple[float, float]:
    """perform(make()) then undo(), each timed as the CLI calls them, commit included; the undo must revert it."""
    from steward import operations

    start = time.perf_counter()
    entry = operations.perform(project, make())
    middle = time.perf_counter()
    undone = operations.undo(project)
    end = time.perf_counter()
    if undone.after.get("reverts") != entry.id:
        raise SystemExit(f"{name}: undo reverted entry {undone.after.get('reverts')}, not {entry.id}")
    return middle - start, end - middle


def single_ops(project: Any, repeat: int) -> dict[str, Any]:
    """Each kind of decision on ``repeat`` targets spread over the project, every one followed by its undo."""
    from steward import golden_ops, operations

    conn = project.conn
    found: dict[str, Any] = {"ops": {}}

    def run(name: str, makers: list[Callable[[], Any]]) -> None:
        if not makers:
            say(f"{name}: no target in this project, not timed")
            return
        say(f"{name} ({len(makers)} times) …")
        pairs = [timed(project, name, make) for make in makers]
        found["ops"][name] = {"perform_s": [p for p, _ in pairs], "undo_s": [u for _, u in pairs]}

    clusters = spread([c for (c,) in conn.execute(
        "SELECT id FROM clusters WHERE status IN ('auto', 'review') ORDER BY id")], repeat)
    low, high = conn.execute("SELECT MIN(id), MAX(id) FROM records").fetchone()
    records = [conn.execute("SELECT id FROM records WHERE id >= ? ORDER BY id LIMIT 1", (r,)).fetchone()[0]
               for r in spread(range(low, high + 1), repeat)]
    position = {r: conn.execute("SELECT c.position FROM records r JOIN columns c ON c.source_id = r.source_id "
                                "AND c.field = ? WHERE r.id = ?", (FIELD, r)).fetchone()[0] for r in records}
    rule, suggested = conn.execute("SELECT rule, COUNT(*) FROM failures WHERE suggestion IS NOT NULL "
                                   "GROUP BY rule ORDER BY 2 DESC, 1 LIMIT 1").fetchone() or (None, 0)
    suggested_for = spread([r for (r,) in conn.execute("SELECT record_id FROM failures WHERE rule = ? AND "
                                                       "suggestion IS NOT NULL ORDER BY record_id", (rule,))], repeat)
    found["accept_rule"] = {"rule": rule, "suggestions": suggested}

    run("reject a cluster", [lambda c=c: operations.RejectCluster(c) for c in clusters])
    run("defer a cluster", [lambda c=c: operations.defer(c, "ask the dealer") for c in clusters])
    run("fix a value", [lambda r=r: operations.FixValue(r, position[r], "checked@example.com") for r in records])
    run("accept one suggestion", [lambda r=r: operations.accept_suggestions(project, rule, r) for r in suggested_for])
    run("merge a cluster", [lambda c=c: golden_ops.MergeClusters((c,)) for c in clusters])

    # Golden records to work on: clusters of three or more, merged as one untimed decision and undone after.
    larger = [c for (c,) in conn.execute("SELECT id FROM clusters WHERE status = 'auto' AND size >= 3 ORDER BY id")]
    setup = operations.perform(project, golden_ops.MergeClusters(tuple(spread(larger, repeat))))
    goldens = [int(g[1:]) for g in setup.after["golden"]]
    members = {g: [r for (r,) in conn.execute(
        "SELECT record_id FROM golden_members WHERE golden_id = ? ORDER BY record_id", (g,))] for g in goldens}
    run("split a record out of a golden record", [lambda g=g: golden_ops.SplitRecord(members[g][-1]) for g in goldens])
    run("unmerge a golden record", [lambda g=g: golden_ops.Unmerge(g) for g in goldens])
    run("edit a golden value", [lambda g=g: golden_ops.EditGolden(g, FIELD, "edited@example.com") for g in goldens])
    run("pick a value", [lambda g=g: golden_ops.PickValue(g, FIELD, members[g][0]) for g in goldens])
    if operations.undo(project).after.get("reverts") != setup.id:
        raise SystemExit("undo did not revert the merge that made the golden records")
    return found


def merge_auto(project: Any) -> dict[str, Any]:
    """MergeClusters of the first BULK_CLUSTERS auto clusters as one decision (what merge-auto does), and its undo."""
    from steward import golden_ops

    auto = golden_ops.auto_clusters(project)
    chosen = auto[:BULK_CLUSTERS]
    found: dict[str, Any] = {"auto_clusters": len(auto), "merged": len(chosen)}
    if not chosen:
        return found
    say(f"merge-auto of {len(chosen):,} clusters …")
    found["records"] = project.conn.execute("SELECT SUM(size) FROM clusters WHERE status = 'auto' AND id <= ?",
                                            (chosen[-1],)).fetchone()[0]
    found["perform_s"], found["undo_s"] = timed(project, "merge-auto", lambda: golden_ops.MergeClusters(chosen))
    found["entry_bytes"] = project.conn.execute(
        "SELECT length(before) + length(after) FROM audit ORDER BY id DESC LIMIT 1 OFFSET 1").fetchone()[0]
    return found


def measure(base: Path, repeat: int) -> dict[str, Any]:
    """All measurements on a copy of ``base``, deleted afterwards: undo leaves audit entries and records marked
    for re-validation behind, so working on the kept project itself would change it."""
    from steward.project import Project, remove_project_files

    work = base.with_name(f"{base.stem}-work-{os.getpid()}.steward")
    try:
        start = time.perf_counter()
        with Project.open(base, read_only=True) as source:
            source.save_copy(work)
        copy_s = time.perf_counter() - start
        with Project.open(work) as project:
            before = decision_state(project)
            figures = single_ops(project, repeat)
            figures["bulk"] = merge_auto(project)
            figures.update(copy_s=copy_s, restored=decision_state(project) == before)
    finally:
        remove_project_files(work)
        Path(f"{work}.lock").unlink(missing_ok=True)
    return figures


def child(task: str, *args: str) -> None:
    """Run one step in this (fresh) interpreter and print its figures, with its own peak memory, as JSON."""
    if task == "prepare":
        figures = prepare(Path(args[0]), int(args[1]), int(args[2]))
    else:
        figures = measure(Path(args[0]), int(args[1]))
    figures["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(figures))


def run_child(*args: str) -> dict[str, Any]:
    """A step in a fresh interpreter, so its time and peak memory are its own; its progress shows on stderr."""
    done = subprocess.run([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed ({done.returncode})")
    return json.loads(done.stdout)


def fsync_ms(folder: Path, times: int = 20) -> float:
    """Median time to write 4 KiB and fsync it in ``folder``: every commit pays about this, so it tells how far
    these figures carry to a machine with a slower disk."""
    path = folder / f".fsync-{os.getpid()}.tmp"
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    spent = []
    try:
        for _ in range(times):
            os.write(fd, bytes(4096))
            start = time.perf_counter()
            os.fsync(fd)
            spent.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink()
    return statistics.median(spent) * 1000


# -- the report ------------------------------------------------------------------------------------------


def summarise(measured: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per timed step: median and max in ms, judged on the max (the target says each operation)."""
    rows = []
    for name, times in measured["ops"].items():
        for step, key in ((name, "perform_s"), ("  its undo", "undo_s")):
            values = [t * 1000 for t in times[key]]
            rows.append({"op": step, "n": len(values), "median_ms": statistics.median(values), "max_ms": max(values),
                         "target_ms": MAX_OP_MS, "ok": max(values) < MAX_OP_MS})
    bulk = measured["bulk"]
    if bulk["merged"]:
        for step, key in ((f"merge-auto of {bulk['merged']:,} clusters", "perform_s"), ("  its undo", "undo_s")):
            rows.append({"op": step, "n": 1, "median_ms": bulk[key] * 1000, "max_ms": bulk[key] * 1000,
                         "target_ms": MAX_BULK_S * 1000, "ok": bulk[key] < MAX_BULK_S})
    return rows


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def _duration(ms: float, seconds: bool) -> str:
    return f"{ms / 1000:,.2f} s" if seconds else f"{ms:,.1f} ms"


def print_report(report: dict[str, Any]) -> None:
    m, p, measured = report["machine"], report["project"], report["measured"]
    print(f"Machine: {m['cpu']} ({m['cpus']} CPUs), Python {m['python']}, SQLite {m['python_sqlite']}; "
          f"fsync of 4 KiB where the project is: median {report['fsync_ms']:.2f} ms")
    built = p["figures"]
    how = (f"built now: generated {built['generate_s']:.0f} s, imported {built['import_s']:.0f} s, "
           f"validated {built['validate_s']:.0f} s, matched {built['match_s']:.0f} s, "
           f"peak RSS {_mib(built['peak_rss_bytes'])}") if p["built"] else "reused"
    print(f"Project: {p['path']} ({report['records']:,} records, {built['clusters']:,} clusters of which "
          f"{built['auto']:,} auto; {how})")
    print(f"Copy for this run (Project.save_copy, deleted afterwards): {measured['copy_s']:.1f} s")
    print()
    rows = [("op", "n", "median", "max", "target", "verdict")]
    for row in report["rows"]:
        seconds = row["target_ms"] >= 1000
        rows.append((row["op"], str(row["n"]), _duration(row["median_ms"], seconds),
                     _duration(row["max_ms"], seconds), f"< {_duration(row['target_ms'], seconds)}",
                     "PASS" if row["ok"] else "MISS"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    print()
    bulk, accept = measured["bulk"], measured["accept_rule"]
    if not bulk["merged"]:
        print("No auto clusters exist, so merge-auto was not timed.")
    elif bulk["merged"] < BULK_CLUSTERS:
        print(f"Only {bulk['auto_clusters']:,} auto clusters exist (wanted {BULK_CLUSTERS:,}); all of them were "
              "merged.")
    if bulk["merged"]:
        print(f"merge-auto: {bulk['merged']:,} of {bulk['auto_clusters']:,} auto clusters, {bulk['records']:,} "
              f"records; its audit entry holds {bulk['entry_bytes'] / 1e6:,.1f} MB of JSON.")
    if accept["rule"]:
        print(f"accept one suggestion: rule {accept['rule']} ({accept['suggestions']:,} suggestions); the time "
              "includes accept_suggestions() reading the record's suggestion, as the CLI does.")
    print(f"Decision tables after every undo: {'as before' if measured['restored'] else 'DIFFERENT'}. "
          f"Peak RSS of the measuring process: {_mib(measured['peak_rss_bytes'])}.")
    print("Times include the transaction commit (synchronous = FULL) and the audit entry; the verdict is on the max.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the project (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the project in DIR and reuse it next time (it is never changed)")
    parser.add_argument("--repeat", type=int, default=20, metavar="N",
                        help="time each operation on N different targets (default 20)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.records < 100:
        parser.error("--records must be at least 100")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    with tempfile.TemporaryDirectory(prefix="steward-ops-bench-") as scratch:
        folder = args.keep.resolve() if args.keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        project, built_figures, built = prepared_project(folder, args.records, args.seed)
        say("Measuring on a copy of the project …")
        measured = run_child("measure", str(project), str(args.repeat))
        synced = fsync_ms(folder)
    report = {"machine": machine(), "fsync_ms": synced, "records": args.records, "seed": args.seed,
              "repeat": args.repeat,
              "project": {"path": str(project), "built": built, "figures": built_figures}, "measured": measured}
    report["rows"] = summarise(measured)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    missed = not measured["restored"] or not all(r["ok"] for r in report["rows"])
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
