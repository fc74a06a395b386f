"""The review screen's side panes: the records' validation failures with one-click fixes, and why two records
matched. Both show a handful of rows for the proposal on screen, so plain table widgets do."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from steward import review
from steward.review import FailureView, FieldContribution
from ui.models.cluster_model import ClusterModel, confidence_text

FOR_COLOUR = QColor("#1e6b34")
AGAINST_COLOUR = QColor("#a12a2a")
BAR_UNIT = 1.0       # one block of the bar per unit of weight (log2 Bayes factor)
BAR_MAX = 12
SORT_TEXT = {"confidence": "Least certain first", "size": "Largest first", "id": "Oldest first"}
SEARCH_DELAY_MS = 250


def _table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setWordWrap(False)
    table.horizontalHeader().setHighlightSections(False)
    compact(table)
    return table


def compact(table: QAbstractItemView) -> None:
    """Rows a line of text high (the default leaves room for two on some styles)."""
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(tooltip or text)
    return item


class QueuePanel(QWidget):
    """The queue of proposals with its filter, sort and search; says when the query changed (search text after a
    short pause, so typing does not re-read the queue at every key)."""

    query_changed = Signal()

    def __init__(self, model: ClusterModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_combo = QComboBox()
        self.filter_combo.addItems(list(review.FILTERS))
        self.filter_combo.setToolTip("Which proposals to list")
        self.filter_combo.currentIndexChanged.connect(self.query_changed)
        self.sort_combo = QComboBox()
        for key in review.SORTS:
            self.sort_combo.addItem(SORT_TEXT.get(key, key), key)
        self.sort_combo.currentIndexChanged.connect(self.query_changed)
        self.search = QLineEdit(placeholderText="Search name, email or phone", clearButtonEnabled=True)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_timer_timeout)
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        compact(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Widths from the widest text a column holds, not ResizeToContents: that reads a thousand rows of
        # summaries each time the view scrolls to the next proposal (a fifth of a second on a big queue).
        for column, widest in ((1, "Size 9999"), (2, "Confidence"), (3, "to review")):
            header.resizeSection(column, self.table.fontMetrics().horizontalAdvance(widest) + 24)
        self.count_label = QLabel()
        choices = QHBoxLayout()
        choices.addWidget(self.filter_combo)
        choices.addWidget(self.sort_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(choices)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

    def query(self) -> tuple[str, str, str]:
        """(status filter, search text, sort) as ``review.cluster_ids`` takes them."""
        return self.filter_combo.currentText(), self.search.text().strip(), self.sort_combo.currentData()

    def set_status(self, status: str) -> None:
        """Choose the filter without announcing it (the caller reads the queue next)."""
        self.filter_combo.blockSignals(True)
        self.filter_combo.setCurrentText(status)
        self.filter_combo.blockSignals(False)

    def show_count(self, count: int) -> None:
        self.count_label.setText(f"{count} proposal{'s' if count != 1 else ''}")

    def _on_search_text_changed(self, text: str) -> None:
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        self._search_timer.stop()
        self.query_changed.emit()


class FailuresPanel(QWidget):
    """The failing validation rules of the proposal's records; a suggested fix is accepted with one click."""

    accept_requested = Signal(str, int)      # rule, record id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("<b>Validation failures</b>")
        self.table = _table(("Record", "Problem", "Suggested fix", ""))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)

    def show_failures(self, failures: Sequence[FailureView]) -> None:
        self.table.setRowCount(0)
        self.table.setRowCount(len(failures))
        for row, failure in enumerate(failures):
            mark = "✖" if failure.severity == "error" else "⚠"
            problem = _item(f"{mark} {failure.message}",
                            f"{failure.severity.capitalize()} ({failure.rule}) on {failure.field}: {failure.message}")
            problem.setForeground(QBrush(AGAINST_COLOUR if failure.severity == "error" else QColor("#7a5a00")))
            self.table.setItem(row, 0, _item(failure.label))
            self.table.setItem(row, 1, problem)
            self.table.setItem(row, 2, _item(failure.suggestion or ""))
            if failure.suggestion is not None:
                button = QPushButton("Accept")
                button.setToolTip(f"Set {failure.field} of {failure.label} to '{failure.suggestion}' "
                                  "(Ctrl+Z undoes it)")
                button.clicked.connect(lambda _=False, f=failure: self.accept_requested.emit(f.rule, f.record_id))
                self.table.setCellWidget(row, 3, button)
        self.title.setText(f"<b>Validation failures</b> ({len(failures)})" if failures
                           else "<b>Validation failures</b>: none for these records")

    def accept_button(self, row: int) -> QPushButton | None:
        widget = self.table.cellWidget(row, 3)
        return widget if isinstance(widget, QPushButton) else None


class ExplanationPanel(QWidget):
    """Per-field contributions to the match score of one pair of records: for or against, and by how much."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("<b>Why they match</b>")
        self.title.setWordWrap(True)
        self.table = _table(("Field", "Found", "Effect", "Weight"))
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)

    def show_pair(self, first: str, second: str, parts: Sequence[FieldContribution],
                  probability: float | None) -> None:
        self.table.setRowCount(0)
        self.table.setRowCount(len(parts))
        for row, part in enumerate(parts):
            favours = part.weight >= 0
            blocks = "█" * min(BAR_MAX, max(1, round(abs(part.weight) / BAR_UNIT)))
            weight = _item(f"{blocks} {part.weight:+.1f}",
                           f"Match weight {part.weight:+.2f} (log2 of the Bayes factor)")
            effect = _item("for" if favours else "against")
            for item in (weight, effect):
                item.setForeground(QBrush(FOR_COLOUR if favours else AGAINST_COLOUR))
            self.table.setItem(row, 0, _item(part.field.replace("_", " ")))
            self.table.setItem(row, 1, _item(part.level.replace("_", " ")))
            self.table.setItem(row, 2, effect)
            self.table.setItem(row, 3, weight)
        pair = f"{first} and {second}"
        if probability is None:
            self.title.setText(f"<b>Why they match</b>: {pair} were not compared directly; "
                               "they are linked through other records of the proposal.")
        else:
            self.title.setText(f"<b>Why they match</b>: {pair}, match probability {confidence_text(probability)}")

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.title.setText("<b>Why they match</b>")
