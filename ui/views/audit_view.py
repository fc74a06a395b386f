"""The audit trail screen: every change newest first, filtered; one entry's before and after; revert; verify.

Reverting applies the inverse an entry stores, as a new entry, through the
session (so it is undoable too); an entry without an inverse cannot be
reverted. Verifying recomputes the hash chain and names the first entry that
does not hold.
"""

from __future__ import annotations

import html
import json
from datetime import datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QDate, QItemSelection, Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QSplitter, QTableView,
                               QToolButton, QVBoxLayout, QWidget)

from steward import audit, audit_query
from steward.audit_query import AuditQuery
from steward.errors import StewardError
from ui.models.audit_model import ENTRY_ID_ROLE, AuditModel, local_time
from ui.session import Changes, Session
from ui.views.actions import screen_action

MAX_SHOWN_CHARS = 200_000     # one entry may name 500,000 records; the text box shows the start
OK_STYLE = "color: #1b5e20;"
BAD_STYLE = "color: #b71c1c; font-weight: bold;"


class AuditView(QWidget):
    """The trail on the left with its filters above, the selected entry's before and after on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self._stale = False
        self.model = AuditModel(self)
        self._build_actions()
        self._build_widgets()
        self._update_state()

    # -- construction --------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.revert_action = screen_action(self, "&Revert This Entry", self._on_revert_triggered, "Ctrl+Shift+R",
                                           "Undo the selected entry's change, as a new entry")
        self.verify_action = screen_action(self, "&Verify Chain", self._on_verify_triggered, "Ctrl+Shift+H",
                                           "Recompute the trail's hash chain and report the first entry that does "
                                           "not hold")
        self.find_record_action = screen_action(self, "Filter by Re&cord", self._on_find_record_triggered,
                                                "Ctrl+F", "Show only the entries that name a record")

    def _build_widgets(self) -> None:
        self.action_combo = QComboBox()
        self.actor_combo = QComboBox()
        for combo in (self.action_combo, self.actor_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.record_edit = QLineEdit()
        self.record_edit.setPlaceholderText("SOURCE:ROW or record id")
        self.record_edit.setClearButtonEnabled(True)
        self.record_edit.setMinimumWidth(190)
        self.record_edit.editingFinished.connect(self._on_filter_changed)
        self.record_edit.textChanged.connect(self._on_record_edit_text_changed)
        self.from_check, self.from_date = QCheckBox("From"), QDateEdit()
        self.to_check, self.to_date = QCheckBox("To"), QDateEdit()
        for check, edit in ((self.from_check, self.from_date), (self.to_check, self.to_date)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._on_filter_changed)
            edit.dateChanged.connect(self._on_filter_changed)
        self.clear_button = QPushButton("Clear Filters")
        self.clear_button.clicked.connect(self.clear_filters)
        filters = QHBoxLayout()
        for widget in (QLabel("Action"), self.action_combo, QLabel("Actor"), self.actor_combo, QLabel("Record"),
                       self.record_edit, self.from_check, self.from_date, self.to_check, self.to_date,
                       self.clear_button):
            filters.addWidget(widget)
        filters.addStretch(1)

        self.count_label = QLabel()
        self.verify_label = QLabel()
        self.verify_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_label.setWordWrap(True)
        verify_button = QToolButton()
        verify_button.setDefaultAction(self.verify_action)
        status = QHBoxLayout()
        status.addWidget(self.count_label)
        status.addWidget(self.verify_label, 1)
        status.addWidget(verify_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for column, width in enumerate((50, 140, 90, 120, 230)):
            header.resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addAction(self.revert_action)

        self.detail_title = QLabel()
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.before_text, self.after_text = QPlainTextEdit(), QPlainTextEdit()
        for text in (self.before_text, self.after_text):
            text.setReadOnly(True)
            text.setFont(mono)
            text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        revert_button = QToolButton()
        revert_button.setDefaultAction(self.revert_action)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(QLabel("<b>Before</b>"))
        detail_layout.addWidget(self.before_text, 1)
        detail_layout.addWidget(QLabel("<b>After</b>"))
        detail_layout.addWidget(self.after_text, 1)
        detail_layout.addWidget(revert_button, 0, Qt.AlignmentFlag.AlignRight)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([760, 500])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(filters)
        layout.addLayout(status)
        layout.addWidget(self.splitter, 1)

    # -- the project ---------------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        """Show this session's trail (None: no project open, show nothing)."""
        if self._session is not None:
            self._session.changed.disconnect(self._on_session_changed)
        self._session = session
        if session is not None:
            session.changed.connect(self._on_session_changed)
        self.verify_label.clear()
        self.reload()

    def reload(self) -> None:
        """Read the filter choices and the entries again, keeping the selected entry if it is still listed."""
        self._stale = False
        project = self._session.project if self._session is not None else None
        self._fill_combo(self.action_combo, "All actions", audit_query.actions(project) if project else [])
        self._fill_combo(self.actor_combo, "Everyone", audit_query.actors(project) if project else [])
        self._apply_filters()

    def _fill_combo(self, combo: QComboBox, everything: str, choices: list[str]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for choice in choices:
            combo.addItem(choice, choice)
        combo.setCurrentIndex(max(combo.findData(current), 0) if current is not None else 0)
        combo.blockSignals(False)

    def query(self) -> AuditQuery | str:
        """The filters as a query, or what is wrong with the record named."""
        record_id = None
        if self.record_edit.text().strip() and self._session is not None:
            try:
                record_id = audit_query.find_record(self._session.project, self.record_edit.text())
            except StewardError as error:
                return str(error)
        start = datetime.combine(self.from_date.date().toPython(), time()) if self.from_check.isChecked() else None
        end = datetime.combine(self.to_date.date().toPython() + timedelta(days=1), time()) \
            if self.to_check.isChecked() else None
        return AuditQuery(self.action_combo.currentData(), self.actor_combo.currentData(), record_id, start, end)

    def _apply_filters(self) -> None:
        selected = self.selected_entry_id()
        query = self.query()
        project = self._session.project if self._session is not None else None
        if isinstance(query, str):
            self.model.set_query(None)
            self.count_label.setText(query)
            self.count_label.setStyleSheet(BAD_STYLE)
        else:
            self.model.set_query(project, query)
            count = self.model.rowCount()
            self.count_label.setText("" if project is None else f"{count:,} entr{'ies' if count != 1 else 'y'}")
            self.count_label.setStyleSheet("")
        if selected is None or not self.select_entry(selected):
            self._show_entry(None)

    def clear_filters(self) -> None:
        for widget in (self.action_combo, self.actor_combo, self.record_edit, self.from_check, self.to_check):
            widget.blockSignals(True)
        self.action_combo.setCurrentIndex(0)
        self.actor_combo.setCurrentIndex(0)
        self.record_edit.clear()
        self.from_check.setChecked(False)
        self.to_check.setChecked(False)
        self.from_date.setEnabled(False)
        self.to_date.setEnabled(False)
        for widget in (self.action_combo, self.actor_combo, self.record_edit, self.from_check, self.to_check):
            widget.blockSignals(False)
        self._apply_filters()

    def selected_entry_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], ENTRY_ID_ROLE) if rows else None

    def select_entry(self, entry_id: int) -> bool:
        """Select and show entry ``entry_id``; False if the filter does not list it."""
        row = self.model.row_of(entry_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        return row >= 0

    def _show_entry(self, entry_id: int | None) -> None:
        project = self._session.project if self._session is not None else None
        entry = audit.entry(project, entry_id) if project is not None and entry_id is not None else None
        if entry is None:
            self.detail_title.setText("Select an entry to see what it changed." if project else "")
            self.before_text.clear()
            self.after_text.clear()
        else:
            reverts = entry.after.get("reverts") if isinstance(entry.after, dict) else None
            lines = [f"<b>#{entry.id} {entry.action}</b> by {html.escape(entry.actor)} at {local_time(entry.at)}"]
            if reverts is not None:
                lines.append(f"{entry.after.get('kind', 'revert').capitalize()} of entry #{reverts}")
            if entry.comment:
                lines.append(f"Comment: {html.escape(entry.comment)}")
            lines.append(f"Hash {entry.hash}")
            self.detail_title.setText("<br>".join(lines))
            self.before_text.setPlainText(_pretty(entry.before))
            self.after_text.setPlainText(_pretty(entry.after))
        self._update_state()

    def _update_state(self) -> None:
        project = self._session.project if self._session is not None else None
        row = self.table.selectionModel().selectedRows()
        entry = self.model.entry(row[0].row()) if row else None
        self.revert_action.setEnabled(project is not None and not project.read_only and entry is not None
                                      and entry.revertible)
        self.verify_action.setEnabled(project is not None)
        self.find_record_action.setEnabled(project is not None)
        for widget in (self.action_combo, self.actor_combo, self.record_edit, self.from_check, self.to_check,
                       self.clear_button):
            widget.setEnabled(project is not None)

    # -- signals ---------------------------------------------------------------------------

    def _on_session_changed(self, _changes: Changes) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        # Changes made outside the session (rules proposed, a source imported) are in the trail too.
        if self._session is not None:
            self.reload()
        super().showEvent(event)

    def _on_filter_changed(self, *_args: Any) -> None:
        self._apply_filters()

    def _on_record_edit_text_changed(self, text: str) -> None:
        if not text:                    # the clear button: show everything again at once
            self._apply_filters()

    def _on_table_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {index.row() for index in selected.indexes()}
        self._show_entry(self.model.data(self.model.index(min(rows), 0), ENTRY_ID_ROLE)
                         if rows else None)

    def _on_find_record_triggered(self) -> None:
        self.record_edit.setFocus()
        self.record_edit.selectAll()

    def _on_revert_triggered(self) -> None:
        entry_id = self.selected_entry_id()
        if self._session is None or entry_id is None:
            return
        try:
            reverted = self._session.revert(entry_id)
        except StewardError as error:
            QMessageBox.warning(self, "Cannot revert", f"Entry #{entry_id} cannot be reverted.\n\n{error}")
            return
        if not self.select_entry(reverted.id):
            self.select_entry(entry_id)

    def _on_verify_triggered(self) -> None:
        if self._session is None:
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = audit.verify(self._session.project)
        finally:
            QGuiApplication.restoreOverrideCursor()
        if result.problem is None:
            self.verify_label.setText(f"✓ The trail holds: {result.entries:,} entries. Head hash {result.head}")
            self.verify_label.setStyleSheet(OK_STYLE)
            return
        if result.broken_at is None:
            self.verify_label.setText(f"✗ The trail cannot be checked: {result.problem}")
        else:
            self.verify_label.setText(f"✗ Entry #{result.broken_at} does not hold: {result.problem}. "
                                      "The entries before it are sound.")
            if not self.select_entry(result.broken_at):
                self.clear_filters()
                self.select_entry(result.broken_at)
        self.verify_label.setStyleSheet(BAD_STYLE)


def _pretty(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    return text[:MAX_SHOWN_CHARS] + f"\n… ({len(text) - MAX_SHOWN_CHARS:,} more characters; export the trail " \
        "with steward export --audit to read it all)"
