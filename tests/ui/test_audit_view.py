"""The audit trail screen on a real project: newest first, filters, the entry's before and after, reverting
through the session, and the hash chain verified (also on a copy whose trail was tampered with)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QMessageBox

from steward import audit, review
from steward.golden_ops import MergeClusters
from steward.match_store import match_project
from steward.operations import FixValue, RejectCluster, perform
from steward.project import Project
from ui.models.audit_model import AuditModel, local_time
from ui.session import Session
from ui.views.audit_view import AuditView


@pytest.fixture(scope="module")
def template(matched_sample: Path, opened_copy, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample validated and matched, with a merge, a rejection and two fixes decided."""
    path = tmp_path_factory.mktemp("audit_view") / "template.steward"
    with opened_copy(matched_sample, path) as project:
        auto = review.cluster_ids(project, "auto")
        perform(project, MergeClusters((auto[0],)))
        perform(project, RejectCluster(auto[1]), "different people")
        perform(project, FixValue(5, 5, "first@example.com"))
        perform(project, FixValue(9, 3, "Someone <b>Else</b>"))
    return path


@pytest.fixture
def view(session: Session, qtbot) -> AuditView:
    widget = AuditView()
    qtbot.addWidget(widget)
    widget.set_session(session)
    widget.show()
    return widget


def shown(view: AuditView, column: int) -> list[str]:
    return [view.model.data(view.model.index(row, column)) for row in range(view.model.rowCount())]


def choose(combo, text: str) -> None:
    combo.setCurrentIndex(combo.findText(text))


def test_the_model_passes_qt_model_tester(qtmodeltester, view: AuditView, session: Session) -> None:
    qtmodeltester.check(view.model)
    model = AuditModel()
    qtmodeltester.check(model)
    model.set_query(session.project)
    assert model.rowCount() == 6
    qtmodeltester.check(model)


def test_entries_newest_first_in_local_time(view: AuditView, session: Session) -> None:
    entries = audit.entries(session.project)
    assert shown(view, 0) == [str(e.id) for e in entries]
    assert shown(view, 1) == [local_time(e.at) for e in entries] and shown(view, 3) == [e.action for e in entries]
    assert shown(view, 4)[0] == "record customers:9; column 4" and "different people" in shown(view, 5)
    assert view.count_label.text() == "6 entries"


def test_the_selected_entry_shows_its_before_and_after(view: AuditView, session: Session) -> None:
    fix = audit.entries(session.project, limit=1)[0]
    assert view.select_entry(fix.id)
    assert json.loads(view.before_text.toPlainText()) == fix.before
    assert json.loads(view.after_text.toPlainText()) == fix.after
    assert '\n  "inverse": {' in view.before_text.toPlainText() and view.before_text.isReadOnly()
    assert QFontInfo(view.before_text.font()).fixedPitch() and QFontInfo(view.after_text.font()).fixedPitch()
    assert "Someone" not in view.detail_title.text() and f"#{fix.id} fix_value" in view.detail_title.text()
    assert view.revert_action.isEnabled()
    view.select_entry(1)                                        # the import: nothing to revert it with
    assert view.after_text.toPlainText().startswith("{") and not view.revert_action.isEnabled()


def test_filtered_by_action_actor_record_and_dates(view: AuditView, session: Session) -> None:
    assert view.action_combo.findText("fix_value") > 0 and view.action_combo.findText("reject_cluster") > 0
    choose(view.action_combo, "fix_value")
    assert shown(view, 3) == ["fix_value", "fix_value"] and view.count_label.text() == "2 entries"
    view.action_combo.setCurrentIndex(0)
    view.record_edit.setText("customers:5")
    view.record_edit.editingFinished.emit()
    assert shown(view, 4) == ["record customers:5; column 6"]
    view.record_edit.setText("5")                              # the record id works as well
    view.record_edit.editingFinished.emit()
    assert view.model.rowCount() == 1
    view.record_edit.setText("customers:9999")
    view.record_edit.editingFinished.emit()
    assert view.model.rowCount() == 0 and "customers:9999" in view.count_label.text()
    view.record_edit.clear()
    assert view.model.rowCount() == 6
    choose(view.actor_combo, audit.actor(session.project))
    assert view.model.rowCount() == 6
    view.from_date.setDate(QDate.currentDate().addDays(1))
    view.from_check.setChecked(True)
    assert view.model.rowCount() == 0
    view.from_date.setDate(QDate.currentDate().addDays(-1))
    view.to_date.setDate(QDate.currentDate())
    view.to_check.setChecked(True)
    assert view.model.rowCount() == 6
    view.clear_filters()
    assert view.model.rowCount() == 6 and not view.from_check.isChecked() and view.record_edit.text() == ""


def test_reverting_an_entry_through_the_screen(view: AuditView, session: Session) -> None:
    fix = audit.entries(session.project, action="fix_value")[1]          # customers:5's fix
    view.select_entry(fix.id)
    view.revert_action.trigger()
    newest = audit.entries(session.project, limit=1)[0]
    assert newest.after["reverts"] == fix.id and newest.action == "fix_value"
    assert session.project.conn.execute("SELECT 1 FROM fixes WHERE record_id = 5").fetchone() is None
    assert view.model.rowCount() == 7 and view.selected_entry_id() == newest.id
    assert session.undo_stack.count() == 1 and session.undo_stack.undoText() == f"Revert #{fix.id}"


def test_a_revert_that_conflicts_says_why(view: AuditView, session: Session, monkeypatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *_args: warnings.append(text))
    rejected = audit.entries(session.project, action="reject_cluster")[0]
    match_project(session.project, full=True)          # a new run replaces the proposals the rejection withdrew
    view.reload()
    view.select_entry(rejected.id)
    head = audit.head_hash(session.project)
    view.revert_action.trigger()
    assert len(warnings) == 1 and f"Entry #{rejected.id} cannot be reverted" in warnings[0]
    assert "no longer exists" in warnings[0] and audit.head_hash(session.project) == head


def test_verify_shows_the_head_hash(view: AuditView, session: Session) -> None:
    view.verify_action.trigger()
    assert "The trail holds: 6 entries" in view.verify_label.text()
    assert audit.head_hash(session.project) in view.verify_label.text()


def test_verify_names_the_first_entry_that_was_tampered_with(template: Path, tmp_path: Path, opened_copy,
                                                              qtbot) -> None:
    path = tmp_path / "tampered.steward"
    opened_copy(template, path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_is_append_only_update")
    conn.execute("UPDATE audit SET comment = 'nothing to see' WHERE id = 4")
    conn.commit()
    conn.close()
    project = Project.open(path)
    try:
        view = AuditView()
        qtbot.addWidget(view)
        view.set_session(Session(project))
        choose(view.action_combo, "import")                      # the bad entry is not listed: filters are cleared
        view.verify_action.trigger()
        assert "Entry #4 does not hold" in view.verify_label.text() and "hash" in view.verify_label.text()
        assert view.selected_entry_id() == 4 and view.model.rowCount() == 6
    finally:
        project.close()


def test_no_project_shows_nothing(view: AuditView) -> None:
    view.set_session(None)
    assert view.model.rowCount() == 0 and view.before_text.toPlainText() == ""
    assert not view.revert_action.isEnabled() and not view.verify_action.isEnabled()
    assert view.action_combo.count() == 1 and not view.record_edit.isEnabled()
