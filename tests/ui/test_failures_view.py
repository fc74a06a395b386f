"""The rules and failures screen on a real project: fixes and accepted suggestions are audited decisions,
validation runs on the worker and can be cancelled, and a project without rules is offered the defaults."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from steward import audit, failure_list, interrupt, review, validation
from steward.golden_ops import MergeClusters
from steward.importer import ImportOptions, import_file
from steward.operations import FixValue, RejectCluster, perform
from steward.project import Project
from steward.rule_store import propose_rules, save_rules
from steward.sample import sample_csv
from ui.models import failure_model
from ui.models.failure_model import FailureModel, RuleFailuresModel
from ui.session import Session
from ui.views import failures_view
from ui.views.failures_view import FailuresView


@pytest.fixture(scope="module")
def template(matched_sample: Path, opened_copy, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample validated and matched, with a merge, a rejection and a fix decided."""
    path = tmp_path_factory.mktemp("failures_view") / "template.steward"
    with opened_copy(matched_sample, path) as project:
        auto = review.cluster_ids(project, "auto")
        perform(project, MergeClusters((auto[0],)))
        perform(project, RejectCluster(auto[1]))
        perform(project, FixValue(10, 3, "Someone Else"))
    return path


@pytest.fixture
def view(session: Session, qtbot) -> FailuresView:
    widget = FailuresView()
    qtbot.addWidget(widget)
    widget.set_session(session)
    widget.show()
    return widget


def fixes(project: Project) -> dict[tuple[int, int], str]:
    return {(r, p): v for r, p, v in project.conn.execute("SELECT record_id, position, value FROM fixes")}


def test_the_models_pass_qt_model_tester(qtmodeltester, view: FailuresView) -> None:
    qtmodeltester.check(view.rule_model)
    assert view.select_rule("phone_format")
    assert view.failure_model.rowCount() == 151
    qtmodeltester.check(view.failure_model)
    qtmodeltester.check(FailureModel())
    qtmodeltester.check(RuleFailuresModel())


def test_rules_list_their_counts_and_the_selected_rule_its_records(view: FailuresView, session: Session) -> None:
    expected = {r.rule: r.failures for r in failure_list.rule_failures(session.project)}
    shown = {view.rule_model.data(view.rule_model.index(row, 0)): view.rule_model.data(view.rule_model.index(row, 3))
             for row in range(view.rule_model.rowCount())}
    assert shown == {name: f"{count:,}" for name, count in expected.items()}
    assert view.stack.currentWidget() is view.splitter and view.run_label.text().startswith("Last validated")
    view.select_rule("email_valid")
    first = failure_list.failure_rows(session.project, "email_valid", 0, 1)[0]
    model = view.failure_model
    assert [model.data(model.index(0, c)) for c in range(4)] == [first.label, first.value, first.detail,
                                                                   first.suggestion or ""]
    assert "email_valid" in view.caption.text()


def test_failures_are_read_a_page_at_a_time(view: FailuresView, session: Session, monkeypatch) -> None:
    monkeypatch.setattr(failure_model, "PAGE_SIZE", 20)
    monkeypatch.setattr(failure_model, "CACHE_PAGES", 3)
    view.select_rule("updated_at_fresh")
    model = view.failure_model
    loads = model.page_loads
    assert model.failure(291).record_id == failure_list.failure_rows(session.project, "updated_at_fresh", 291, 1)[0] \
        .record_id and model.page_loads == loads + 1
    whole = failure_list.failure_rows(session.project, "updated_at_fresh", 0, 1000)
    assert [model.failure(row) for row in range(model.rowCount())] == whole
    assert model.cached_pages() == [12, 13, 14] and model.page_loads == loads + 1 + 15


def test_an_inline_edit_is_an_audited_fix(view: FailuresView, session: Session) -> None:
    view.select_rule("email_valid")
    model = view.failure_model
    index = model.index(0, model.VALUE_COLUMN)
    row = model.failure(0)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(index, row.value)                 # the same value is not a change
    assert model.setData(index, "ann.berg@example.com")
    entry = audit.entries(session.project, limit=1)[0]
    assert entry.action == "fix_value" and entry.targets == {"record": row.record_id, "column": row.position}
    assert fixes(session.project)[(row.record_id, row.position)] == "ann.berg@example.com"
    assert model.data(index) == "ann.berg@example.com" and model.failure(0).fixed
    assert session.undo_stack.count() == 1


def test_accepting_all_suggestions_of_a_rule_is_one_entry_made_on_the_worker(view: FailuresView, session: Session,
                                                                             monkeypatch, qtbot) -> None:
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _parent, _title, text, *_args: asked.append(text) or QMessageBox.StandardButton.Yes)
    view.select_rule("phone_format")
    suggested = {r.record_id: r.suggestion for r in failure_list.failure_rows(session.project, "phone_format", 0, 500)}
    before = audit.head_hash(session.project)
    assert view.accept_all_action.isEnabled()
    with qtbot.waitSignal(view.accept_job.succeeded, timeout=15_000):
        view.accept_all_action.trigger()
    assert asked and "Accept 151 suggested fixes of rule 'phone_format'" in asked[0]
    newest, earlier = audit.entries(session.project, limit=2)
    assert newest.action == "fix_values" and earlier.hash == before            # one entry, no more
    assert len(newest.after["operation"]["fixes"]) == 151 and session.undo_stack.count() == 1
    phone = {r: v for (r, _), v in fixes(session.project).items() if r in suggested}
    assert phone == suggested
    assert all(view.failure_model.failure(row).fixed for row in range(5))


def test_accepting_all_can_be_cancelled_midway_and_changes_nothing(view: FailuresView, session: Session,
                                                                  monkeypatch, qtbot) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(interrupt, "STEPS", 200)
    started, go_on = threading.Event(), threading.Event()

    def perform_when_told(project: Project, operation, progress):  # the real decision, once Cancel was pressed
        started.set()
        go_on.wait(10)
        return perform(project, operation, progress=progress)

    monkeypatch.setattr(failures_view.operations, "perform", perform_when_told)
    view.select_rule("phone_format")
    head, fixed = audit.head_hash(session.project), fixes(session.project)
    view.accept_all_action.trigger()
    assert started.wait(10)
    with qtbot.waitSignal(view.accept_job.cancelled, timeout=15_000):
        view.accept_job.cancel()
        go_on.set()
    assert audit.head_hash(session.project) == head and session.undo_stack.count() == 0
    assert fixes(session.project) == fixed
    assert "cancelled; nothing was changed" in view.run_label.text()
    assert view.accept_all_action.isEnabled()                      # and it can be tried again


def test_declining_the_confirmation_changes_nothing(view: FailuresView, session: Session, monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.No)
    view.select_rule("phone_format")
    head = audit.head_hash(session.project)
    view.accept_all_action.trigger()
    assert audit.head_hash(session.project) == head and session.undo_stack.count() == 0


def test_accepting_one_suggestion(view: FailuresView, session: Session) -> None:
    view.select_rule("customer_id_unique")
    assert not view.accept_all_action.isEnabled()             # that rule suggests nothing
    view.select_rule("phone_format")
    view.failure_view.setCurrentIndex(view.failure_model.index(3, 0))
    row = view.failure_model.failure(3)
    assert view.accept_action.isEnabled()
    view.accept_action.trigger()
    entry = audit.entries(session.project, limit=1)[0]
    assert entry.action == "fix_values" and entry.targets == {"records": [row.record_id]}
    assert fixes(session.project)[(row.record_id, row.position)] == row.suggestion


def test_validate_runs_on_the_worker_and_refreshes(view: FailuresView, session: Session, qtbot,
                                                    monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    view.select_rule("phone_format")
    view.accept_all_action.trigger()
    assert view.rule_model.rule(view.rule_model.row_of("phone_format")).failures == 151
    with qtbot.waitSignal(view.validated, timeout=20_000) as signal:
        view.validate_action.trigger()
        assert view.busy and not view.validate_action.isEnabled()
    assert signal.args[0].records == 293 and not view.busy and view.progress_dialog is None
    assert view.rule_model.rule(view.rule_model.row_of("phone_format")).failures == 0
    assert view.selected_rule().rule == "phone_format" and view.failure_model.rowCount() == 0


def test_cancelling_a_validation_keeps_the_results(view: FailuresView, session: Session, qtbot,
                                                   monkeypatch) -> None:
    def slow(project: Project, progress) -> None:
        for done in range(10_000):
            progress(done, 10_000)
            time.sleep(0.01)
        raise AssertionError("never cancelled")

    monkeypatch.setattr(failures_view.validation, "validate", slow)
    counts = failure_list.rule_failures(session.project)
    view.validate_action.trigger()
    qtbot.waitUntil(lambda: view.progress_dialog.value() > 0, timeout=5000)
    view.progress_dialog.canceled.emit()                      # the dialog's Cancel button
    qtbot.waitUntil(lambda: not view.busy, timeout=5000)
    assert "cancelled" in view.run_label.text() and failure_list.rule_failures(session.project) == counts
    assert view.progress_dialog is None and view.validate_action.isEnabled()


def test_a_fix_made_elsewhere_shows(view: FailuresView, session: Session) -> None:
    view.select_rule("email_valid")
    row = view.failure_model.failure(0)
    session.perform(FixValue(row.record_id, row.position, "seen@example.com"), "Fix")
    assert view.failure_model.data(view.failure_model.index(0, 1)) == "seen@example.com"
    view.hide()
    session.perform(FixValue(row.record_id, row.position, "later@example.com"), "Fix")
    view.show()
    assert view.failure_model.data(view.failure_model.index(0, 1)) == "later@example.com"


def test_work_done_while_hidden_shows_when_shown_again(view: FailuresView, session: Session) -> None:
    view.select_rule("email_valid")
    row = view.failure_model.failure(0)
    view.hide()
    session.perform(FixValue(row.record_id, row.position, "hidden@example.com"), "Fix")
    save_rules(session.project, [r for r in propose_rules(session.project) if r.name != "phone_format"])
    validation.validate(session.project)
    assert view.rule_model.row_of("phone_format") >= 0           # nothing read while hidden
    view.show()
    assert view.rule_model.row_of("phone_format") < 0 and view.selected_rule().rule == "email_valid"
    assert view.failure_model.failure(0).record_id != row.record_id   # the fixed record passes now


def test_a_project_without_rules_is_offered_the_defaults(project: Project, qtbot) -> None:
    import_file(project, sample_csv(), ImportOptions())
    view = FailuresView()
    qtbot.addWidget(view)
    view.set_session(Session(project))
    assert view.stack.currentWidget() is view.note_panel and view.propose_button.isEnabled()
    assert not view.validate_action.isEnabled() and "steward rules" in view.note.text()
    with qtbot.waitSignal(view.validated, timeout=30_000):       # proposing validates the records at once
        view.propose_button.click()
    assert "save_rules" in [e.action for e in audit.entries(project, limit=3)]
    assert view.stack.currentWidget() is view.splitter and view.rule_model.rowCount() == len(propose_rules(project))
    assert any(r.failures > 0 for r in view.rule_model.rules) and "Last validated" in view.run_label.text()
    assert view.validate_action.isEnabled() and not view.propose_action.isEnabled()


def test_a_read_only_project_is_shown_but_not_changed(template: Path, qtbot) -> None:
    with Project.open(template, read_only=True) as project:
        view = FailuresView()
        qtbot.addWidget(view)
        view.set_session(Session(project))
        view.select_rule("phone_format")
        model = view.failure_model
        assert model.rowCount() == 151 and not model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable
        view.failure_view.setCurrentIndex(model.index(0, 0))
        assert not any(a.isEnabled() for a in (view.validate_action, view.accept_action, view.accept_all_action))
        view.set_session(None)


def test_no_project_shows_nothing(view: FailuresView) -> None:
    view.set_session(None)
    assert view.rule_model.rowCount() == 0 and view.failure_model.rowCount() == 0
    assert not any(a.isEnabled() for a in (view.validate_action, view.accept_action, view.accept_all_action,
                                           view.propose_action))
    assert not view.propose_button.isVisible()
