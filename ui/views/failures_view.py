"""The rules and failures screen: each rule with its failure count, the selected rule's failing records, fixes.

Fixes and accepted suggestions are decisions applied through the session
(audited, undoable); validating runs on the write worker with a progress
dialog that shows only when it takes a while. Rules are proposed from the
mapped fields or edited in the rules dialog; saving them is a decision too, and
validation runs again afterwards.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QProgressDialog, QPushButton, QSplitter, QStackedWidget, QTableView, QToolBar,
                               QVBoxLayout, QWidget)

from steward import failure_list, operations, rule_store, validation
from steward.errors import StewardError
from steward.operations import FixValue
from steward.validation import ValidationResult
from ui.job_progress import JobProgress, on_worker, show_failure
from ui.models.audit_model import local_time
from ui.models.failure_model import FailureModel, RuleFailuresModel
from ui.session import Changes, Outcome, Session
from ui.views.actions import screen_action
from ui.views.rules_dialog import RulesDialog
from ui.workers import JobRunner

NO_RULES = ("<h3>This project has no rules yet</h3>"
            "<p>Rules say what a good record looks like: an email address that is one, a phone number that can "
            "be dialled, a customer id used only once. Steward can propose a default set for the fields your "
            "columns are mapped to; validate afterwards to find the records that fail them.</p>"
            "<p>Or write your own with Edit Rules. Rules files can be shared between projects:<br>"
            "<code>steward rules PROJECT --save rules.toml</code><br>"
            "<code>steward rules PROJECT --load rules.toml</code></p>")


class FailuresView(QWidget):
    """Rules on the left, the selected rule's failing records on the right."""

    validated = Signal(object)     # ValidationResult, after a validation run committed

    def __init__(self, runner: JobRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        runner = runner or JobRunner(self)
        self._validation = JobProgress(runner, self, "Validating", "Validating…",
                                       lambda done, total: f"Validating… {done:,} of {total:,} records")
        # Accepting every suggestion of a rule is one decision that may touch 500,000 records: on the worker.
        self.accept_job = JobProgress(runner, self, "Accepting suggestions", "Accepting the suggested fixes…")
        self.accept_job.succeeded.connect(self._on_accept_job_succeeded)
        self.accept_job.failed.connect(self._on_accept_job_failed)
        self.accept_job.cancelled.connect(self._on_accept_job_cancelled)
        self._accepting_text = ""
        self._validation.succeeded.connect(self._on_validation_succeeded)
        self._validation.failed.connect(self._on_validation_failed)
        self._validation.cancelled.connect(self._on_validation_cancelled)
        self._version: tuple[int, str] | None = None     # what the shown failures were read from
        self._values_stale = False
        self.rule_model = RuleFailuresModel(self)
        self.failure_model = FailureModel(self)
        self.failure_model.fix_requested.connect(self._on_fix_requested)
        self._build_actions()
        self._build_widgets()
        self._update_state()

    # -- construction --------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.validate_action = screen_action(self, "&Validate", self._on_validate_triggered, "F5",
                                             "Check every record against the rules again")
        self.accept_action = screen_action(self, "&Accept Suggestion", self._on_accept_triggered, "Ctrl+Return",
                                           "Set the selected record's value to the suggested fix")
        self.accept_all_action = screen_action(self, "Accept &All Suggestions of Rule…",
                                               self._on_accept_all_triggered, "Ctrl+Shift+Return",
                                               "Accept every suggested fix of the selected rule")
        self.propose_action = screen_action(self, "&Propose Default Rules", self._on_propose_triggered, None,
                                            "Save the default rules for the mapped fields")
        self.edit_rules_action = screen_action(self, "Edit &Rules…", self._on_edit_rules_triggered, "Ctrl+R",
                                               "Add, change, reorder or remove rules, then validate again")

    def _build_widgets(self) -> None:
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.edit_rules_action, self.validate_action, self.accept_action,
                            self.accept_all_action])
        self.run_label = QLabel()
        self.run_label.setContentsMargins(12, 0, 6, 0)
        toolbar.addWidget(self.run_label)

        self.rule_view = QTableView()
        self.rule_view.setModel(self.rule_model)
        self._table_defaults(self.rule_view)
        self.rule_view.selectionModel().selectionChanged.connect(self._on_rule_selection_changed)
        header = self.rule_view.horizontalHeader()
        for column, width in enumerate((165, 95, 85, 70)):
            header.resizeSection(column, width)

        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.failure_view = QTableView()
        self.failure_view.setModel(self.failure_model)
        self._table_defaults(self.failure_view)
        self.failure_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                          | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.failure_view.selectionModel().currentRowChanged.connect(self._on_failure_current_row_changed)
        self.failure_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.failure_view.addActions([self.accept_action, self.accept_all_action])
        header = self.failure_view.horizontalHeader()
        for column, width in enumerate((110, 170, 230)):
            header.resizeSection(column, width)
        failures_panel = QWidget()
        failures_layout = QVBoxLayout(failures_panel)
        failures_layout.setContentsMargins(0, 0, 0, 0)
        failures_layout.addWidget(self.caption)
        failures_layout.addWidget(self.failure_view)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.rule_view)
        self.splitter.addWidget(failures_panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([580, 700])

        self.note = QLabel(NO_RULES)
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.propose_button = QPushButton("Propose Default Rules")
        self.propose_button.clicked.connect(self.propose_action.trigger)
        self.edit_rules_button = QPushButton("Edit Rules…")
        self.edit_rules_button.clicked.connect(self.edit_rules_action.trigger)
        self.note_panel = QWidget()
        note_layout = QVBoxLayout(self.note_panel)
        note_layout.setContentsMargins(24, 24, 24, 24)
        note_layout.addWidget(self.note)
        note_buttons = QHBoxLayout()
        note_buttons.addWidget(self.propose_button)
        note_buttons.addWidget(self.edit_rules_button)
        note_buttons.addStretch(1)
        note_layout.addLayout(note_buttons)
        note_layout.addStretch(1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.note_panel)
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(toolbar)
        layout.addWidget(self.stack)

    def _table_defaults(self, view: QTableView) -> None:
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setHighlightSections(False)

    # -- the project ---------------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        """Show this session's project (None: no project open, show nothing)."""
        if self._session is not None:
            self._session.changed.disconnect(self._on_session_changed)
        self._validation.abandon()
        self._session = session
        if session is not None:
            session.changed.connect(self._on_session_changed)
        self.reload()

    @property
    def busy(self) -> bool:
        """A validation or an accept-all is running (closing the project should wait for the runner)."""
        return self._validation.running or self.accept_job.running

    @property
    def progress_dialog(self) -> QProgressDialog | None:
        """The validation's progress dialog while it runs."""
        return self._validation.dialog

    def reload(self) -> None:
        """Read the rules, their counts and the selected rule's failures again, keeping the selection."""
        project = self._session.project if self._session is not None else None
        self._version = failure_list.version(project) if project is not None else None
        self._values_stale = False
        selected = self.selected_rule()
        self.rule_model.reload(project)
        self.failure_model.editable = project is not None and not project.read_only
        row = self.rule_model.row_of(selected.rule) if selected is not None else -1
        if self.rule_model.rowCount() and row < 0:
            row = 0
        if row >= 0:
            self.rule_view.selectRow(row)          # the reset cleared the selection: this shows the rule
        else:
            self._show_rule(None)
        run = failure_list.last_run(project) if project is not None else None
        if run is not None:
            self.run_label.setText(f"Last validated {local_time(run.finished_at)}: {run.records:,} records, "
                                   f"{run.errors:,} errors, {run.warnings:,} warnings")
        else:
            self.run_label.setText("Not validated yet." if self.rule_model.rowCount() else "")
        self.stack.setCurrentWidget(self.splitter if self.rule_model.rowCount() else self.note_panel)
        self.note.setVisible(project is not None)
        self.propose_button.setVisible(project is not None)
        self.edit_rules_button.setVisible(project is not None)
        self._update_state()

    def selected_rule(self) -> failure_list.RuleFailures | None:
        return self.failure_model.rule

    def select_rule(self, name: str) -> bool:
        row = self.rule_model.row_of(name)
        if row >= 0:
            self.rule_view.selectRow(row)
        return row >= 0

    def _show_rule(self, rule: failure_list.RuleFailures | None) -> None:
        project = self._session.project if self._session is not None else None
        self.failure_model.set_rule(project, rule)
        if rule is None:
            self.caption.setText("")
        else:
            fixes = f", {rule.suggestions:,} with a suggested fix" if rule.suggestions else ""
            self.caption.setText(f"<b>{rule.rule}</b> — {rule.message}. {rule.failures:,} records fail it{fixes}. "
                                 "Fixed values are checked again when you validate.")
        self._update_state()

    def _update_state(self) -> None:
        project = self._session.project if self._session is not None else None
        writable = project is not None and not project.read_only and not self._validation.running
        rule = self.failure_model.rule
        current = self.failure_model.failure(self.failure_view.currentIndex().row())
        self.validate_action.setEnabled(writable and self.rule_model.rowCount() > 0)
        self.accept_action.setEnabled(writable and current is not None and current.suggestion is not None)
        self.accept_all_action.setEnabled(writable and rule is not None and rule.suggestions > 0)
        self.propose_action.setEnabled(writable and self.rule_model.rowCount() == 0)   # never replaces rules
        self.propose_button.setEnabled(self.propose_action.isEnabled())
        self.edit_rules_action.setEnabled(writable and not self.busy)
        self.edit_rules_button.setEnabled(self.edit_rules_action.isEnabled())

    # -- signals ---------------------------------------------------------------------------

    def _on_session_changed(self, changes: Changes) -> None:
        if changes.action in ("save_rules", "set_default_region"):   # saved, undone, redone or reverted
            self.reload()
            self._on_validate_triggered()      # the failures of rules that came back are found again
            return
        if not changes.records:
            return
        if self.isVisible():
            self.failure_model.refresh_values()
            self._update_state()
        else:
            self._values_stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        # Validating or saving rules elsewhere (another screen, an import) changes the failures themselves.
        project = self._session.project if self._session is not None else None
        if project is not None and failure_list.version(project) != self._version:
            self.reload()
        elif self._values_stale:
            self._values_stale = False
            self.failure_model.refresh_values()
        super().showEvent(event)

    def _on_rule_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {index.row() for index in selected.indexes()}
        if rows:
            self._show_rule(self.rule_model.rule(min(rows)))

    def _on_failure_current_row_changed(self, *_rows: Any) -> None:
        self._update_state()

    def _perform(self, operation: operations.Operation, text: str) -> None:
        """Apply a small decision through the session, saying so when it does not apply."""
        if self._session is None:
            return
        try:
            self._session.perform(operation, text)
        except StewardError as error:
            QMessageBox.warning(self, "Not applied", str(error))

    def _on_fix_requested(self, row: failure_list.FailureRow, value: str) -> None:
        if row.position is not None:
            self._perform(FixValue(row.record_id, row.position, value), f"Fix {row.label}")

    def _on_accept_triggered(self) -> None:
        row = self.failure_model.failure(self.failure_view.currentIndex().row())
        rule = self.failure_model.rule
        if self._session is None or row is None or rule is None or row.suggestion is None:
            return
        try:
            fixes = operations.accept_suggestions(self._session.project, rule.rule, row.record_id)
        except StewardError as error:
            QMessageBox.warning(self, "Nothing to accept", str(error))
            return
        self._perform(fixes, f"Accept suggestion for {row.label}")

    def _on_accept_all_triggered(self) -> None:
        rule = self.failure_model.rule
        if self._session is None or rule is None or self.accept_job.running:
            return
        count = rule.suggestions    # as last validated; the fixes themselves are read on the worker
        answer = QMessageBox.question(
            self, "Accept suggestions",
            f"Accept {count:,} suggested fix{'es' if count != 1 else ''} of rule '{rule.rule}'?\n\n"
            "Each value is set to its suggestion; the imported values stay underneath. This is one change in the "
            "audit trail, and Undo takes it back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._accepting_text = f"Accept {count:,} suggestions of {rule.rule}"
        name = rule.rule
        self.accept_job.start(on_worker(self._session.project, lambda copy, progress: Outcome.of(operations.perform(
            copy, operations.accept_suggestions(copy, name), progress=progress))), "accept")

    def _on_accept_job_succeeded(self, outcome: Outcome) -> None:
        if self._session is not None:
            self._session.applied(outcome, self._accepting_text)

    def _on_accept_job_cancelled(self) -> None:
        self.run_label.setText("Accepting the suggestions was cancelled; nothing was changed.")

    def _on_accept_job_failed(self, error: Exception) -> None:
        if not isinstance(error, StewardError):
            raise error   # a bug: the application's exception hook shows and logs it
        QMessageBox.warning(self, "Not applied", f"{error}\n\nNothing was changed.")

    def _on_propose_triggered(self) -> None:
        if self._session is None:
            return
        try:
            proposal = rule_store.proposed_dictionary(self._session.project)
            self._session.perform(proposal, "Propose default rules")   # and the records are validated
        except StewardError as error:
            QMessageBox.warning(self, "No rules proposed", str(error))

    def _on_edit_rules_triggered(self) -> None:
        if self._session is None or self.busy:
            return
        project = self._session.project
        dialog = RulesDialog(rule_store.load_rules(project), rule_store.default_region(project),
                             rule_store.mapped_fields(project), self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.decision is None:
            return
        decision = dialog.decision
        unchanged = [r.to_dict() for r in rule_store.load_rules(project)] == list(decision.rules) \
            and rule_store.default_region(project) == decision.region
        if unchanged:
            self.run_label.setText("The rules are as they were; nothing was saved.")
            return
        try:
            self._session.perform(decision, "Edit rules")    # the change validates again (_on_session_changed)
        except StewardError as error:
            QMessageBox.warning(self, "Rules not saved", f"{error}\n\nNothing was changed.")

    # -- validating on the worker ---------------------------------------------------------

    def _on_validate_triggered(self) -> None:
        if self._session is None or self._validation.running or self._session.project.read_only:
            return
        self._validation.start(on_worker(self._session.project,
                                         lambda copy, progress: validation.validate(copy, progress=progress)),
                               "validate")
        self._update_state()

    def _on_validation_succeeded(self, result: ValidationResult) -> None:
        self.reload()
        self.validated.emit(result)

    def _on_validation_failed(self, error: Exception) -> None:
        self._update_state()
        show_failure(self, "Validation failed", error, "the validation", "The earlier results are unchanged.")

    def _on_validation_cancelled(self) -> None:
        self._update_state()
        self.run_label.setText("Validation cancelled; the earlier results are unchanged.")
