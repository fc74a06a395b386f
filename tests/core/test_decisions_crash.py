"""Crash safety of decisions (G2): killed at any instant, a project holds each merge or unmerge whole, with its
audit entry, or not at all, and it opens with its lock recovered and its hash chain intact."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from steward import audit, golden_ops, operations
from steward.importer import import_file
from steward.match_store import match_project
from steward.project import Project
from steward.sample import sample_csv

ROOT = Path(__file__).resolve().parents[2]
KILLS = 10
SEED = 20240607   # fixed: the delays are the same on every run (where they land still varies a little)


@pytest.fixture(scope="module")
def matched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample customers imported and matched once; each test works on a copy."""
    path = tmp_path_factory.mktemp("matched") / "base.steward"
    with Project.create(path) as project:
        import_file(project, sample_csv())
        match_project(project)
        assert len(golden_ops.auto_clusters(project)) >= 20   # enough for a decision that takes a while
    return path


def _copy(base: Path, target: Path) -> Path:
    with Project.open(base, read_only=True) as project:
        return project.save_copy(target)


def _everything(project: Project) -> dict[str, list[tuple]]:
    """Every row of every table (AUTOINCREMENT counters included): what a rolled-back decision must not touch."""
    names = [n for (n,) in project.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {n: project.conn.execute(f"SELECT * FROM \"{n}\" ORDER BY 1").fetchall() for n in names}


def _decision_tables(project: Project) -> dict[str, dict]:
    """Golden records, memberships, proposals, their statuses and pairs marked not duplicates, as stored."""
    conn = project.conn
    return {
        "goldens": {i: {"rule": rule, "picks": json.loads(picks), "edits": json.loads(edits), "cluster_id": cluster,
                        "score": score, "created_at": at}
                    for i, rule, picks, edits, cluster, score, at in conn.execute(
                        "SELECT id, rule, picks, edits, cluster_id, score, created_at FROM golden")},
        "members": {r: [g, batch, sha] for r, g, batch, sha in conn.execute(
            "SELECT record_id, golden_id, batch, sha256 FROM golden_members")},
        "proposals": dict(conn.execute("SELECT record_id, cluster_id FROM cluster_members")),
        "statuses": dict(conn.execute("SELECT id, status FROM clusters")),
        "rejected": {(a, b): at for a, b, at in conn.execute("SELECT a, b, decided_at FROM not_duplicates")},
    }


def _replayed(project: Project, start: dict[str, dict]) -> dict[str, dict]:
    """The decision tables as the committed audit entries say they must be.

    Each decision entry stores its inverse, whose ``expected`` state is exactly what the decision left
    behind for the keys it touched; laying those over the starting state, oldest first, gives the only
    contents the tables may have. Read from the stored JSON, not through the code under test."""
    state = {part: dict(rows) for part, rows in start.items()}
    for entry in reversed(audit.entries(project)):
        if entry.action == "import":
            continue
        inverse = entry.before["inverse"]
        assert inverse["action"] == "set_state", f"entry #{entry.id} ({entry.action}) is not a membership decision"
        after = inverse["expected"]
        changes = [(part, key, value) for part in ("goldens", "members", "proposals", "statuses")
                   for key, value in after[part]]
        changes += [("rejected", (a, b), value) for a, b, value in after["rejected"]]
        for part, key, value in changes:
            if value is None:
                state[part].pop(key, None)
            else:
                state[part][key] = value
    return state


_DECIDING_CHILD = """
    import sys
    from steward import golden_ops, operations
    from steward.project import Project

    with Project.open({path!r}) as project:
        clusters = golden_ops.auto_clusters(project)
        members = [tuple(r for (r,) in project.conn.execute(
            "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY record_id", (c,))) for c in clusters]
        print("ready", flush=True)
        while True:  # decisions big and small, each its own transaction, until killed
            operations.perform(project, golden_ops.MergeClusters(clusters), "all auto clusters")
            operations.undo(project)
            made = [operations.perform(project, golden_ops.MergeRecords(m), "one cluster") for m in members]
            for entry in made:
                golden_id = int(next(iter(entry.after["golden"]))[1:])
                operations.perform(project, golden_ops.Unmerge(golden_id), "take it apart")
"""


def test_g2_killed_at_random_moments_each_decision_is_whole_with_its_entry_or_absent(matched, tmp_path) -> None:
    """Kills land anywhere in a stream of big and small decisions (planning, writing, committing); what
    survives must be exactly what the committed entries describe, no more and no less."""
    with Project.open(matched, read_only=True) as base:
        start = _decision_tables(base)
        imported = len(audit.entries(base))
    rng = random.Random(SEED)
    committed = []
    for kill in range(KILLS):
        path = _copy(matched, tmp_path / f"kill{kill}.steward")
        child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(_DECIDING_CHILD.format(path=str(path)))],
                                 stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert child.stdout.readline().strip() == "ready"
        delay = rng.uniform(0.01, 0.25)
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL, f"the child stopped by itself (kill {kill})"
        child.stdout.close()
        where = f"kill {kill}, {delay * 1000:.0f} ms after ready (seed {SEED})"
        with Project.open(path) as project:   # the dead holder's lock is recovered
            assert project.integrity_check() == ["ok"], where
            assert audit.verify(project).problem is None, where
            entries = audit.entries(project)
            committed.append(len(entries) - imported)
            assert _decision_tables(project) == _replayed(project, start), where
            operations.perform(project, operations.FixValue(1, 0, "after the crash"))   # writable again
            check = audit.verify(project)
            assert (check.problem, check.entries) == (None, len(entries) + 1), where
    assert max(committed) > 0, "no kill came after a committed decision: the test checked nothing"
    assert len(set(committed)) > 1, "every kill came at the same point"


_STOPPED_CHILD = """
    import time
    from steward import audit, golden_ops, operations
    from steward.project import Project

    original = audit.append

    def append_then_stop(*args, **kwargs):
        entry = original(*args, **kwargs)
        print("applied and recorded, not committed", flush=True)
        time.sleep(60)
        return entry

    audit.append = append_then_stop
    with Project.open({path!r}) as project:
        operations.perform(project, golden_ops.MergeClusters(golden_ops.auto_clusters(project)), "all auto clusters")
"""


def test_g2_killed_after_the_entry_is_written_but_before_commit_nothing_of_the_decision_remains(matched, tmp_path):
    """The last instant before commit: the whole decision and its entry are written, yet none may survive."""
    path = _copy(matched, tmp_path / "p.steward")
    with Project.open(path, read_only=True) as project:
        before = _everything(project)
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(_STOPPED_CHILD.format(path=str(path)))],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout.readline().strip() == "applied and recorded, not committed"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    with Project.open(path) as project:
        assert project.integrity_check() == ["ok"]
        assert _everything(project) == before
        assert audit.verify(project).problem is None


def _fail_in_audit_append(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("injected: the audit entry cannot be written")

    monkeypatch.setattr(audit, "append", broken)


def _fail_halfway_through_the_memberships(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # After every golden row and 40 memberships are written, SQLite refuses the next row.
    project.conn.execute("CREATE TEMP TRIGGER injected BEFORE INSERT ON main.golden_members "
                         "WHEN (SELECT COUNT(*) FROM main.golden_members) >= 40 "
                         "BEGIN SELECT RAISE(ABORT, 'injected: disk I/O error'); END")


def _fail_when_the_entry_is_inserted(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.conn.execute("CREATE TEMP TRIGGER injected BEFORE INSERT ON main.audit "
                         "BEGIN SELECT RAISE(ABORT, 'injected: disk I/O error'); END")


@pytest.mark.parametrize("inject", [_fail_in_audit_append, _fail_halfway_through_the_memberships,
                                    _fail_when_the_entry_is_inserted], ids=lambda f: f.__name__[1:])
def test_g2_a_failure_inside_the_decision_leaves_every_table_as_it_was(matched, tmp_path, monkeypatch, inject):
    """The single-transaction property without timing luck: a fault after the decision started writing
    rolls back everything, the tables written before the fault included."""
    path = _copy(matched, tmp_path / "p.steward")
    with Project.open(path) as project:
        clusters = golden_ops.auto_clusters(project)
        before = _everything(project)
        with monkeypatch.context() as patched:
            inject(project, patched)
            with pytest.raises((OSError, sqlite3.Error), match="injected"):
                operations.perform(project, golden_ops.MergeClusters(clusters), "all auto clusters")
            project.conn.execute("DROP TRIGGER IF EXISTS temp.injected")
        assert not project.conn.in_transaction
        assert _everything(project) == before
        entry = operations.perform(project, golden_ops.MergeClusters(clusters), "again")   # nothing half-done blocks it
        assert len(entry.after["golden"]) == len(clusters)
        assert audit.verify(project).problem is None
