"""A long decision can be cancelled midway: the transaction rolls back and nothing is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward import audit, interrupt, operations
from steward.errors import Cancelled
from steward.project import Project


@pytest.fixture
def project(tmp_path: Path, build_sample, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setattr(interrupt, "STEPS", 200)    # the sample's decisions are small: ask often
    with Project.open(build_sample(tmp_path / "p.steward", match=False)) as opened:
        yield opened


def _accept_everything(project: Project) -> operations.FixValues:
    rule = project.conn.execute("SELECT rule FROM failures WHERE suggestion IS NOT NULL "
                                "GROUP BY rule ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    return operations.accept_suggestions(project, rule)


def _state(project: Project) -> tuple:
    return (project.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0],
            project.conn.execute("SELECT * FROM fixes ORDER BY record_id, position").fetchall())


def test_cancelling_midway_changes_nothing_and_the_project_stays_usable(project: Project) -> None:
    fixes = _accept_everything(project)
    before = _state(project)
    calls = []

    def cancel_on_third_call(done: int, total: int) -> None:
        calls.append((done, total))
        if len(calls) == 3:
            raise Cancelled()

    with pytest.raises(Cancelled):
        operations.perform(project, fixes, progress=cancel_on_third_call)
    assert len(calls) == 3 and calls[0] == (0, 0)      # the amount of work is unknown
    assert _state(project) == before
    assert not project.conn.in_transaction
    entry = operations.perform(project, fixes)          # the same decision goes through afterwards
    assert entry.action == "fix_values" and _state(project) != before
    assert audit.verify(project).broken_at is None


def test_a_progress_that_never_cancels_is_asked_and_the_decision_lands(project: Project) -> None:
    fixes = _accept_everything(project)
    calls = []
    entry = operations.perform(project, fixes, progress=lambda done, total: calls.append(done))
    assert calls, "SQLite never asked whether to go on"
    assert project.conn.execute("SELECT COUNT(*) FROM fixes").fetchone()[0] == len(fixes.fixes)
    assert audit.entry(project, entry.id).action == "fix_values"
    # the handler is removed afterwards: later work does not call the finished decision's progress
    asked = len(calls)
    operations.undo(project)
    assert len(calls) == asked


def test_inside_a_transaction_already_open_nothing_is_interrupted(project: Project) -> None:
    fixes = _accept_everything(project)
    asked = []

    def would_cancel(done: int, total: int) -> None:
        asked.append(done)
        raise Cancelled()

    with project.db.atomic():                      # a caller's transaction: an interrupt would roll it all back
        audit.set_actor(project, "Outer")
        operations.perform(project, fixes, progress=would_cancel)
    assert asked == []
    assert project.conn.execute("SELECT COUNT(*) FROM fixes").fetchone()[0] == len(fixes.fixes)
    assert [e.action for e in audit.entries(project, limit=2)] == ["fix_values", "set_actor"]
