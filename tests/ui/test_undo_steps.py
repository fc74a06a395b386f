"""Undo and redo from the window: small steps at once, a big decision's steps on the worker, then the stack
moves as if they ran there; a step that no longer applies is dropped with a message."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from steward import golden_ops, operations, review
from ui import undo_steps
from ui.views.main_window import MainWindow

WAIT_MS = 30_000


@pytest.fixture
def opened(window: MainWindow, matched_sample: Path, opened_copy, tmp_path: Path) -> MainWindow:
    opened_copy(matched_sample, tmp_path / "copy.steward").close()
    assert window.open_project(tmp_path / "copy.steward")
    return window


def goldens(window: MainWindow) -> int:
    return window.project.conn.execute("SELECT COUNT(*) FROM golden").fetchone()[0]


def test_a_small_step_is_taken_at_once(opened: MainWindow) -> None:
    cluster = review.cluster_ids(opened.project, "auto")[0]
    opened.session.perform(golden_ops.MergeClusters((cluster,)), "Merge")
    opened.undo_action.trigger()
    assert not opened.undo_steps.running and goldens(opened) == 0 and opened.session.undo_stack.index() == 0
    opened.redo_action.trigger()
    assert goldens(opened) == 1 and opened.session.undo_stack.index() == 1


def test_a_big_step_runs_on_the_worker_and_then_moves_the_stack(opened: MainWindow, qtbot,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(undo_steps, "BACKGROUND_SIZE", 20)
    auto = review.cluster_ids(opened.project, "auto")
    opened.session.perform(golden_ops.MergeClusters(tuple(auto)), "Merge all")
    stack = opened.session.undo_stack
    changed = []
    opened.session.changed.connect(changed.append)
    with qtbot.waitSignal(opened.undo_steps.jobs.succeeded, timeout=WAIT_MS):
        opened.undo_action.trigger()
        assert opened.undo_steps.running and stack.index() == 1   # the stack waits for the worker
        opened.undo_action.trigger()                               # a second press meanwhile is ignored
    assert stack.index() == 0 and goldens(opened) == 0 and stack.canRedo()
    assert [c.action for c in changed] == ["set_state"]           # the views heard of the step once
    assert review.cluster_ids(opened.project, "auto") == auto
    with qtbot.waitSignal(opened.undo_steps.jobs.succeeded, timeout=WAIT_MS):
        opened.redo_action.trigger()
    assert stack.index() == 1 and goldens(opened) == len(auto)
    newest = opened.project.conn.execute("SELECT json_extract(after, '$.kind') FROM audit ORDER BY id DESC LIMIT 2")
    assert [k for (k,) in newest] == ["redo", "undo"]


def test_a_big_step_that_no_longer_applies_is_dropped_with_a_message(opened: MainWindow, qtbot,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(undo_steps, "BACKGROUND_SIZE", 20)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: shown.append(text)))
    auto = review.cluster_ids(opened.project, "auto")
    opened.session.perform(golden_ops.MergeClusters(tuple(auto)), "Merge all")
    golden_id = opened.project.conn.execute("SELECT MIN(id) FROM golden").fetchone()[0]
    operations.perform(opened.project, golden_ops.Unmerge(golden_id))   # changed behind the stack's back
    with qtbot.waitSignal(opened.undo_steps.jobs.failed, timeout=WAIT_MS):
        opened.undo_action.trigger()
    assert opened.session.undo_stack.count() == 0 and shown and "Cannot undo 'Merge all'" in shown[0]
    assert goldens(opened) == len(auto) - 1                               # nothing changed by the attempt
