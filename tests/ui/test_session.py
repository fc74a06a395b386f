"""The session: decisions pushed on the undo stack walk the same undo and redo entries as the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward import audit, review
from steward.golden_ops import MergeClusters
from steward.importer import ImportOptions, import_file
from steward.match_store import match_project
from steward.operations import RejectCluster
from steward.project import Project
from steward.sample import sample_csv
from ui.session import Changes, Session


@pytest.fixture
def session(tmp_path: Path, qapp) -> Session:
    project = Project.create(tmp_path / "p.steward")
    import_file(project, sample_csv(), ImportOptions())
    match_project(project)
    opened = Session(project)
    yield opened
    project.close()


def decided(project: Project) -> tuple:
    return (project.conn.execute("SELECT * FROM golden_members ORDER BY 1").fetchall(),
            project.conn.execute("SELECT a, b FROM not_duplicates ORDER BY 1, 2").fetchall())


def test_undo_and_redo_through_the_stack(session: Session, qtbot) -> None:
    project = session.project
    start = decided(project)
    first, second = review.cluster_ids(project, "auto")[:2]
    with qtbot.waitSignal(session.changed) as signal:
        session.perform(MergeClusters((first,)), "Merge")
    changes: Changes = signal.args[0]
    assert changes.action == "merge_clusters" and first in changes.clusters and changes.goldens
    merged = decided(project)
    session.perform(RejectCluster(second), "Not duplicates")
    assert session.undo_stack.count() == 2 and session.undo_stack.undoText() == "Not duplicates"
    session.undo_stack.undo()
    assert decided(project) == merged
    session.undo_stack.undo()
    assert decided(project) == start
    session.undo_stack.redo()
    session.undo_stack.redo()
    assert decided(project)[1] != start[1] and decided(project)[0] == merged[0]
    kinds = [e.after.get("kind") for e in audit.entries(project, limit=4)]
    assert kinds == ["redo", "redo", "undo", "undo"]


def test_an_undo_that_no_longer_applies_is_dropped_with_a_message(session: Session, qtbot) -> None:
    project = session.project
    cluster_id = review.cluster_ids(project, "auto")[0]
    session.perform(RejectCluster(cluster_id), "Not duplicates")
    match_project(project, full=True)          # a new run replaces the proposals behind the stack's back
    with qtbot.waitSignal(session.failed) as signal:
        session.undo_stack.undo()
    assert "Cannot undo 'Not duplicates'" in signal.args[0] and "no longer exists" in signal.args[0]
    assert session.undo_stack.count() == 0


def test_the_status_figures(session: Session) -> None:
    figures = review.figures(session.project)
    assert figures.records == 293 and figures.failures == 0 and figures.score is None
    assert figures.waiting == len(review.cluster_ids(session.project, "auto")) + \
        len(review.cluster_ids(session.project, "to review")) > 0
