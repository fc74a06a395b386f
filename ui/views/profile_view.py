"""The Profile screen: how complete each column is, and what its values look like.

Profiling reads every record (about ten seconds for a million), so it runs on
the worker and its result is kept until an import or a new column mapping
changes what it describes. The profile is of the values as imported, like the
report's, so fixes and merge decisions leave it as it is.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QScrollArea, QSplitter, QTableView,
                               QToolButton, QVBoxLayout, QWidget)

from steward.profile_sources import profile_project
from steward.profiling import TOP_VALUES, ColumnProfile, SourceProfile
from ui.job_progress import STEPS, WorkerJob, on_worker, show_failure, steps
from ui.session import Changes, Session
from ui.views.actions import screen_action
from ui.views.charts import Bar, BarChart
from ui.workers import Job, JobRunner

#: Audit actions after which the cached profile no longer describes the project.
PROFILE_ACTIONS = frozenset({"import", "map_column", "refresh"})
LINE_BREAK_MARK = " ⏎ "

Index = QModelIndex | QPersistentModelIndex


def column_title(column: ColumnProfile) -> str:
    """The column header and the field it is mapped to, as the chart and the detail show them."""
    return f"{column.label} → {column.field}" if column.field else f"{column.label} (not mapped)"


class CountsModel(QAbstractTableModel):
    """Values or patterns with how often they occur and their share of the column's filled cells."""

    def __init__(self, first_header: str, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = (first_header, "Count", "Share")
        self._counts: list[tuple[str, int]] = []
        self._filled = 0

    def set_counts(self, counts: list[tuple[str, int]], filled: int) -> None:
        self.beginResetModel()
        self._counts, self._filled = list(counts), filled
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._counts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._counts):
            return None
        text, count = self._counts[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return text.replace("\r\n", "\n").replace("\n", LINE_BREAK_MARK) if role == \
                    Qt.ItemDataRole.DisplayRole else text
            if column == 1:
                return f"{count:,}"
            return f"{count / self._filled:.1%}" if self._filled else "—"
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None


def _counts_table(model: CountsModel, rows: int) -> QTableView:
    """A compact table tall enough for ``rows`` rows (the core keeps five of each)."""
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    vertical = view.verticalHeader()
    vertical.hide()
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
    view.setFixedHeight(header.sizeHint().height() + rows * vertical.defaultSectionSize() + 2 * view.frameWidth())
    return view


class ProfileView(QWidget):
    """Completeness per column of the chosen source, and the selected column's values, patterns and kind."""

    profiled = Signal()   # a new profile is shown

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.worker = WorkerJob(runner, self)
        self.worker.progress.connect(self._on_worker_progress)
        self.worker.succeeded.connect(self._on_worker_succeeded)
        self.worker.failed.connect(self._on_worker_failed)
        self.worker.cancelled.connect(self._on_worker_cancelled)
        self.session: Session | None = None
        self.profiles: list[SourceProfile] | None = None   # the cached result, None until profiled
        self._stale = False        # the cached profile predates a change: profile again when shown
        self._again = False        # a change arrived while profiling: start over once the job stops
        self._build_actions()
        self._build_widgets()
        self._show_profiles()

    # -- construction ------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.refresh_action = screen_action(self, "&Profile Again", self._on_refresh_action_triggered, "F5",
                                            "Read every record again and profile the columns")
        self.cancel_action = screen_action(self, "&Cancel Profiling", self.cancel, "Esc",
                                           "Stop profiling; the previous profile stays")

    def _build_widgets(self) -> None:
        self.source_combo = QComboBox()
        self.source_combo.setMinimumContentsLength(24)
        self.source_combo.currentIndexChanged.connect(self._on_source_combo_current_index_changed)
        self.status_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, STEPS)
        self.progress_bar.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        refresh_button = QToolButton()
        refresh_button.setDefaultAction(self.refresh_action)
        top = QHBoxLayout()
        top.addWidget(QLabel("Source:"))
        top.addWidget(self.source_combo)
        top.addSpacing(12)
        top.addWidget(self.status_label, 1)
        top.addWidget(self.progress_bar)
        top.addWidget(self.cancel_button)
        top.addWidget(refresh_button)

        self.chart = BarChart()
        self.chart.setAccessibleName("Completeness per column")
        self.chart.current_changed.connect(self._on_chart_current_changed)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.chart)
        chart_box = QGroupBox("Completeness per column (share of records with a value)")
        QVBoxLayout(chart_box).addWidget(scroll)

        self.column_title = QLabel()
        self.column_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = {name: QLabel() for name in ("Filled", "Distinct values", "Kind", "Length", "Placeholders")}
        form = QFormLayout()
        for name, label in self.facts.items():
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{name}:", label)
        self.values_model = CountsModel("Value", self)
        self.patterns_model = CountsModel("Pattern", self)
        self.placeholders_model = CountsModel("Placeholder", self)
        tables = QHBoxLayout()
        for title, model in (("Top values", self.values_model), ("Top patterns", self.patterns_model)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(_counts_table(model, TOP_VALUES))
            tables.addWidget(box)
        self.placeholders_box = QGroupBox("Suspicious placeholders (text standing in for a missing value)")
        QVBoxLayout(self.placeholders_box).addWidget(_counts_table(self.placeholders_model, TOP_VALUES))
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(6, 0, 0, 0)
        detail_layout.addWidget(self.column_title)
        detail_layout.addLayout(form)
        detail_layout.addLayout(tables)
        detail_layout.addWidget(self.placeholders_box)
        detail_layout.addStretch(1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(chart_box)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    # -- the screen contract -------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        """Show another project's profile (None: no project, show nothing)."""
        if self.session is not None:
            self.session.changed.disconnect(self._on_session_changed)
        self.worker.abandon()
        self.session, self.profiles, self._stale, self._again = session, None, False, False
        if session is not None:
            session.changed.connect(self._on_session_changed)
        self._show_profiles()
        if session is not None and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Profile the project on the worker (nothing happens while a profile is already running)."""
        if self.session is None or self.worker.running:
            return
        self.worker.start(on_worker(self.session.project, lambda copy, progress: profile_project(copy, progress)),
                          "profile")
        self.progress_bar.setValue(0)
        self.status_label.setText("Profiling…")
        self._update_state()

    def cancel(self) -> None:
        """Stop profiling; what was shown before stays."""
        self._again = False
        if self.worker.running:
            self.worker.cancel()
            self.status_label.setText("Cancelling…")

    @property
    def job(self) -> Job | None:
        """The running profile's job."""
        return self.worker.job

    def current_source(self) -> SourceProfile | None:
        index = self.source_combo.currentIndex()
        return self.profiles[index] if self.profiles and 0 <= index < len(self.profiles) else None

    def current_column(self) -> ColumnProfile | None:
        source = self.current_source()
        index = self.chart.current
        return source.columns[index] if source is not None and 0 <= index < len(source.columns) else None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.session is not None and (self.profiles is None or self._stale):
            self.refresh()

    # -- slots -------------------------------------------------------------------------

    def _on_refresh_action_triggered(self) -> None:
        self.refresh()

    def _on_session_changed(self, changes: Changes) -> None:
        if changes.action not in PROFILE_ACTIONS:
            return
        self._stale = True
        if self.worker.running:
            self._again = True
            self.worker.cancel()
        elif self.isVisible():
            self.refresh()
        else:
            self.status_label.setText("The data changed since this profile; it is profiled again when shown.")

    def _on_worker_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress_bar.setValue(steps(done, total))
            self.status_label.setText(f"Profiling… {done:,} of {total:,} records read")

    def _on_worker_succeeded(self, profiles: list[SourceProfile]) -> None:
        if self._again:
            self._again = False
            self.refresh()
            return
        self.profiles, self._stale = profiles, False
        self._show_profiles()
        self.profiled.emit()

    def _on_worker_failed(self, error: Exception) -> None:
        self._again = False
        self._update_state()
        self.status_label.setText("Profiling failed.")
        show_failure(self, "Profiling failed", error, "profiling", "The project is unchanged.")

    def _on_worker_cancelled(self) -> None:
        if self._again:
            self._again = False
            self.refresh()
            return
        self._update_state()
        key = self.refresh_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.status_label.setText(f"Profiling cancelled. Press {key} to profile again.")

    def _on_source_combo_current_index_changed(self, index: int) -> None:
        source = self.current_source()
        previous = self.current_column()
        if source is None:
            self.chart.set_bars([])
            return
        bars = [Bar(column_title(c), c.filled_share, f"{c.filled_share:.0%}",
                    f"{c.filled:,} of {c.rows:,} records have a value; {c.distinct:,} distinct")
                for c in source.columns]
        positions = [c.position for c in source.columns]
        keep = positions.index(previous.position) if previous is not None and previous.position in positions else 0
        self.chart.set_bars(bars, keep)

    def _on_chart_current_changed(self, index: int) -> None:
        self._show_column(self.current_column())

    # -- showing -----------------------------------------------------------------------

    def _update_state(self) -> None:
        running = self.worker.running
        self.progress_bar.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_action.setEnabled(running)
        self.refresh_action.setEnabled(self.session is not None and not running)
        self.source_combo.setEnabled(bool(self.profiles))

    def _show_profiles(self) -> None:
        chosen = self.source_combo.currentData()
        profiles = self.profiles or []
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        for profile in profiles:
            self.source_combo.addItem(f"{profile.source} ({profile.rows:,} records)", profile.source)
        names = [p.source for p in profiles]
        self.source_combo.setCurrentIndex(names.index(chosen) if chosen in names else 0 if names else -1)
        self.source_combo.blockSignals(False)
        self._on_source_combo_current_index_changed(self.source_combo.currentIndex())
        if self.session is None:
            self.status_label.setText("No project is open.")
        elif self.profiles is not None:
            records = sum(p.rows for p in profiles)
            sources = "1 source" if len(profiles) == 1 else f"{len(profiles):,} sources"
            self.status_label.setText(f"Profiled {records:,} records in {sources}."
                                      if profiles else "The project has no sources yet: import a file first.")
        self._update_state()

    def _show_column(self, column: ColumnProfile | None) -> None:
        if column is None:
            self.column_title.setText("<i>Choose a column in the chart.</i>" if self.profiles else "")
            for label in self.facts.values():
                label.clear()
            for model in (self.values_model, self.patterns_model, self.placeholders_model):
                model.set_counts([], 0)
            return
        self.column_title.setText(f"<b>{html.escape(column_title(column))}</b>")
        self.facts["Filled"].setText(f"{column.filled:,} of {column.rows:,} records ({column.filled_share:.1%})")
        self.facts["Distinct values"].setText(f"{column.distinct:,}")
        estimate = " (estimated from a sample of the distinct values)" if column.sampled else ""
        self.facts["Kind"].setText(f"{column.kind}, {column.kind_share:.0%} of the values{estimate}"
                                   if column.filled else "— (no values)")
        self.facts["Length"].setText("—" if column.min_length is None else
                                     f"{column.min_length:,} to {column.max_length:,} characters")
        found = sum(n for _, n in column.placeholders)
        self.facts["Placeholders"].setText(f"{found:,} cells hold one of the placeholders listed below"
                                           if found else "none found")
        self.values_model.set_counts(column.top_values, column.filled)
        self.patterns_model.set_counts(column.patterns, column.filled)
        self.placeholders_model.set_counts(column.placeholders, column.filled)

