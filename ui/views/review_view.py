"""The review screen: the queue of proposed duplicates, one proposal side by side with the golden record a merge
would give, its records' validation failures and why its records matched.

Every decision goes through ``Session.perform``, so Ctrl+Z undoes it and the
audit trail records it; the screen only reads the core and keeps what the
steward has not yet decided (the picks for the golden record) until Merge.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QSplitter, QStackedWidget, QTableView, QToolButton, QVBoxLayout, QWidget)

from steward import operations, review
from steward.errors import StewardError
from steward.golden_ops import MergeClusters, SplitRecord
from steward.operations import Operation, RejectCluster
from steward.survivorship import DEFAULT_RULE, RULES
from ui.models.cluster_model import STATUS_TEXT, ClusterModel, confidence_text
from ui.models.comparison_model import (AGREEMENT_MARK, AGREEMENT_TINT, FIX_MARK, ComparisonModel, field_label,
                                        reason_text)
from ui.session import Changes, Session
from ui.views.review_panels import ExplanationPanel, FailuresPanel, QueuePanel, compact

EMPTY_TEXT = {"to review": "No proposals to review — run Find duplicates",
              "all": "No proposals to review — run Find duplicates",
              "auto": "No proposals left to merge automatically", "deferred": "No deferred proposals",
              "done": "No merged proposals yet"}
MAX_COLUMN_WIDTH = 180


INCREMENTAL_LIMIT = 20_000   # records and proposals a change touched, above which the queue is read again

class ReviewView(QWidget):
    """Decide proposed duplicates one after another, by mouse or by keyboard (J/K, M, N, S, D, E)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = None
        self.picks: dict[str, int] = {}          # field → record id, held until Merge
        self._shown_id: int | None = None
        self._reloading = False
        self.queue_model = ClusterModel(self)
        self.comparison_model = ComparisonModel(self)
        self._build_actions()
        self._build_widgets()
        self._update_actions()

    # -- construction ------------------------------------------------------------------

    def _action(self, text: str, key: str, tip: str, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{tip} ({key})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.next_action = self._action("Next", "J", "Next proposal", self.next_cluster)
        self.previous_action = self._action("Previous", "K", "Previous proposal", self.previous_cluster)
        self.merge_action = self._action("Merge", "M", "Merge these records into one golden record", self.merge)
        self.reject_action = self._action("Not duplicates", "N", "These records are different customers",
                                          self.reject)
        self.split_action = self._action("Split out", "S", "Take the selected record out of this proposal",
                                         self.split)
        self.defer_action = self._action("Defer…", "D", "Decide later, with a note", self.defer)
        self.edit_action = self._action("Edit value…", "E", "Fix the selected record's value", self.edit_value)
        self.review_actions = (self.merge_action, self.reject_action, self.split_action, self.defer_action,
                               self.edit_action, self.previous_action, self.next_action)

    def _build_widgets(self) -> None:
        self.queue_panel = QueuePanel(self.queue_model)
        self.queue_panel.query_changed.connect(self._on_queue_panel_query_changed)
        self.queue = self.queue_panel.table
        self.queue.selectionModel().currentRowChanged.connect(self._on_queue_current_row_changed)

        self.empty_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self._build_detail())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.queue_panel)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 980])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _build_detail(self) -> QWidget:
        self.title = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.rule_combo = QComboBox()
        for rule, description in RULES.items():
            self.rule_combo.addItem(reason_text(rule), rule)
            self.rule_combo.setItemData(self.rule_combo.count() - 1, description, Qt.ItemDataRole.ToolTipRole)
        self.rule_combo.setCurrentIndex(list(RULES).index(DEFAULT_RULE))
        self.rule_combo.setToolTip("Survivorship rule: which record's value the golden record keeps")
        self.rule_combo.currentIndexChanged.connect(self._on_rule_combo_current_index_changed)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Golden values by"))
        bar.addWidget(self.rule_combo)
        bar.addSpacing(12)
        for action in self.review_actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
        bar.addStretch(1)

        self.grid = QTableView()
        self.grid.setModel(self.comparison_model)
        self.grid.setWordWrap(False)
        compact(self.grid)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.clicked.connect(self._on_grid_clicked)
        self.grid.selectionModel().selectionChanged.connect(self._on_grid_selection_changed)
        self.comparison_model.modelReset.connect(self._on_comparison_model_model_reset)
        swatch = "<span style='background:{};color:#1f1f1f'>&nbsp;{} {}&nbsp;</span>"
        self.legend = QLabel("  ".join(swatch.format(AGREEMENT_TINT[a].name(), AGREEMENT_MARK[a], a)
                                       for a in AGREEMENT_MARK)
                             + f"&nbsp;&nbsp; <b>bold</b>: goes into the golden record &nbsp; {FIX_MARK}fixed"
                               " &nbsp; Click a value to pick it, click again to unpick.")
        self.hint = QLabel()
        self.failures_panel = FailuresPanel()
        self.failures_panel.accept_requested.connect(self._on_failures_panel_accept_requested)
        self.explanation_panel = ExplanationPanel()
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.failures_panel)
        lower.addWidget(self.explanation_panel)
        lower.setSizes([620, 320])
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.grid, 1)
        upper_layout.addWidget(self.legend)
        upper_layout.addWidget(self.hint)
        parts = QSplitter(Qt.Orientation.Vertical)
        parts.addWidget(upper)
        parts.addWidget(lower)
        parts.setSizes([345, 355])
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(bar)
        layout.addWidget(parts, 1)
        return page

    # -- the session ---------------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        """Show another project's queue (None: no project open, nothing shown)."""
        if self.session is not None:
            self.session.changed.disconnect(self._on_session_changed)
        self.session = session
        self.picks = {}
        self._shown_id = None
        if session is not None:
            session.changed.connect(self._on_session_changed)
            project = session.project
            # When nothing needs a look, start with what would merge by itself rather than an empty queue.
            start = "auto" if not review.cluster_ids(project, "to review") and review.cluster_ids(project, "auto") \
                else "to review"
            self.queue_panel.set_status(start)
        self.reload()

    def _on_session_changed(self, changes: Changes) -> None:
        if not (changes.complete and self._update_queue(changes)):
            self.reload()

    def reload(self) -> None:
        """Read the queue again, stay on the same proposal if it is still there (else on the one now in its
        row), and read that proposal again."""
        current, row = self.current_cluster_id(), max(self.queue.currentIndex().row(), 0)
        ids = review.cluster_ids(self.session.project, *self.queue_panel.query()) if self.session else []
        self.queue_model.set_queue(self.session.project if self.session else None, ids)
        self._reselect(current, row)

    def _update_queue(self, changes: Changes) -> bool:
        """Take out the proposals a decision moved out of the queue, without reading the whole queue again
        (a fifth of a second on 235,000 proposals). Proposals never change their sort keys, so those that stay
        keep their place; False when a proposal came into the queue and the queue must be read again."""
        if len(changes.records) + len(changes.clusters) > INCREMENTAL_LIMIT:
            return False     # finding the proposals of 700,000 fixed records takes longer than reading the queue
        project = self.session.project
        status, search, _ = self.queue_panel.query()
        touched = set(changes.clusters) | review.clusters_of(project, changes.records)
        still = review.queued(project, touched, status, search)
        if not self.queue_model.holds(still):
            return False
        current, row = self.current_cluster_id(), max(self.queue.currentIndex().row(), 0)
        self.queue_model.drop(touched - still)
        self._reselect(current, row)
        return True

    def _reselect(self, current: int | None, row: int) -> None:
        """Stay on ``current`` if it is still queued, else on what is now in its row."""
        kept = self.queue_model.row_of(current)
        self._select_row(kept if kept is not None else min(row, self.queue_model.rowCount() - 1))
        self.queue_panel.show_count(self.queue_model.rowCount())

    def _select_row(self, row: int) -> None:
        self._reloading = True
        try:
            if row >= 0:
                self.queue.setCurrentIndex(self.queue_model.index(row, 0))
                self.queue.scrollTo(self.queue.currentIndex())
            else:
                self.queue.setCurrentIndex(QModelIndex())
        finally:
            self._reloading = False
        self._load_detail()

    def current_cluster_id(self) -> int | None:
        return self.queue_model.cluster_id(self.queue.currentIndex().row())

    # -- the proposal on screen -------------------------------------------------------------

    def _load_detail(self) -> None:
        cluster_id = self.current_cluster_id()
        if cluster_id != self._shown_id:
            self.picks = {}
        self._shown_id = cluster_id
        detail = None
        if self.session is not None and cluster_id is not None:
            detail = review.cluster_detail(self.session.project, cluster_id, self.rule_combo.currentData(),
                                           self.picks)
        if detail is not None:      # a picked record split out since: survivorship ignores it, so does Merge
            members = {m.record_id for m in detail.members}
            self.picks = {name: record for name, record in self.picks.items() if record in members}
        self.comparison_model.set_detail(detail)
        if detail is None:
            self.empty_label.setText(self._empty_text())
            self.stack.setCurrentIndex(0)
            self.failures_panel.show_failures([])
            self.explanation_panel.clear()
        else:
            summary = detail.summary
            note = f" — note: {summary.note}" if summary.note else ""
            picked = f" · {len(self.picks)} value{'s' if len(self.picks) != 1 else ''} picked" if self.picks else ""
            status = STATUS_TEXT.get(summary.status, summary.status)
            self.title.setText(f"<b>{summary.name}</b> — {summary.size} records, confidence "
                               f"{confidence_text(summary.confidence)}, {status}{note}{picked}")
            self.failures_panel.show_failures(detail.failures)
            self._explain()
            self.stack.setCurrentIndex(1)
        self._update_actions()

    def _empty_text(self) -> str:
        if self.session is None:
            return "No project open"
        status, search, _ = self.queue_panel.query()
        if search:
            return f"No proposals match “{search}”"
        return EMPTY_TEXT.get(status, EMPTY_TEXT["to review"])

    def _update_actions(self) -> None:
        shown = self.comparison_model.detail is not None
        for action in (self.merge_action, self.reject_action, self.split_action, self.defer_action,
                       self.edit_action):
            action.setEnabled(shown)
        row = self.queue.currentIndex().row()
        self.next_action.setEnabled(row + 1 < self.queue_model.rowCount())
        self.previous_action.setEnabled(row > 0)

    def selected_records(self) -> list[int]:
        """The records whose columns hold the selected cells, the current cell's first."""
        model = self.comparison_model
        columns = [self.grid.currentIndex().column()] + sorted(
            {i.column() for i in self.grid.selectionModel().selectedIndexes()})
        found: list[int] = []
        for column in columns:
            member = model.member(column)
            if member is not None and member.record_id not in found:
                found.append(member.record_id)
        return found

    def _explain(self) -> None:
        detail = self.comparison_model.detail
        if self.session is None or detail is None or len(detail.members) < 2:
            self.explanation_panel.clear()
            return
        pair = self.selected_records()[:2]
        others = [m.record_id for m in detail.members if m.record_id not in pair]
        a, b = (pair + others)[:2]
        labels = {m.record_id: m.label for m in detail.members}
        project = self.session.project
        self.explanation_panel.show_pair(labels[a], labels[b], review.explanation(project, a, b),
                                         review.pair_probability(project, a, b))

    def _on_comparison_model_model_reset(self) -> None:
        self.grid.resizeColumnsToContents()
        header = self.grid.horizontalHeader()
        for column in range(self.comparison_model.columnCount()):
            header.resizeSection(column, min(header.sectionSize(column), MAX_COLUMN_WIDTH))

    def _on_grid_selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._explain()

    def _on_grid_clicked(self, index: QModelIndex) -> None:
        """Clicking a record's value picks it for the golden record; clicking the picked value unpicks it."""
        member = self.comparison_model.member(index.column())
        name = self.comparison_model.field(index.row())
        if member is None or name is None or not member.values.get(name, "").strip():
            return
        if self.picks.get(name) == member.record_id:
            del self.picks[name]
        else:
            self.picks[name] = member.record_id
        self._load_detail()

    def _on_rule_combo_current_index_changed(self, index: int) -> None:
        self._load_detail()

    def _on_queue_panel_query_changed(self) -> None:
        self.reload()

    def _on_queue_current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not self._reloading:
            self._load_detail()

    # -- moving and deciding -------------------------------------------------------------------

    def next_cluster(self) -> None:
        self._step(1)

    def previous_cluster(self) -> None:
        self._step(-1)

    def _step(self, by: int) -> None:
        row = self.queue.currentIndex().row() + by
        if 0 <= row < self.queue_model.rowCount():
            self.queue.setCurrentIndex(self.queue_model.index(row, 0))
            self.queue.scrollTo(self.queue.currentIndex())

    def merge(self) -> None:
        cluster_id = self.current_cluster_id()
        if cluster_id is not None:
            rule = self.rule_combo.currentData()
            self._decide(cluster_id, MergeClusters((cluster_id,), rule, tuple(sorted(self.picks.items()))),
                         f"Merge proposal {cluster_id}")

    def reject(self) -> None:
        cluster_id = self.current_cluster_id()
        if cluster_id is not None:
            self._decide(cluster_id, RejectCluster(cluster_id), f"Not duplicates: proposal {cluster_id}")

    def defer(self) -> None:
        cluster_id = self.current_cluster_id()
        if cluster_id is None:
            return
        note = self.ask_text("Defer proposal", "Why decide later? (kept with the proposal)", "")
        if note is not None:
            self._decide(cluster_id, operations.defer(cluster_id, note.strip()), f"Defer proposal {cluster_id}")

    def _decide(self, cluster_id: int, operation: Operation, text: str) -> None:
        """Apply a decision on the proposal and move on to the next one."""
        if self._perform(operation, text) and self.current_cluster_id() == cluster_id:
            self._step(1)      # still listed (the filter shows decided ones too): move past it

    def split(self) -> None:
        detail = self.comparison_model.detail
        records = self.selected_records()
        if detail is None:
            return
        if not records:
            self.hint.setText("Select a record's column first (click its header), then press S.")
            return
        label = next(m.label for m in detail.members if m.record_id == records[0])
        self._perform(SplitRecord(records[0]), f"Split {label} out of proposal {detail.summary.id}")

    def edit_value(self) -> None:
        index = self.grid.currentIndex()
        member = self.comparison_model.member(index.column())
        name = self.comparison_model.field(index.row())
        if self.session is None or member is None or name is None:
            self.hint.setText("Select a record's value first, then press E.")
            return
        position = review.field_position(self.session.project, member.record_id, name)
        if position is None:
            self.hint.setText(f"The source of {member.label} has no column for {field_label(name)}.")
            return
        current = member.values.get(name, "")
        value = self.ask_text("Edit value", f"{field_label(name)} of {member.label}:", current)
        if value is not None and value != current:
            self._perform(operations.FixValue(member.record_id, position, value),
                          f"Fix {field_label(name)} of {member.label}")

    def _on_failures_panel_accept_requested(self, rule: str, record_id: int) -> None:
        if self.session is None:
            return
        try:
            operation = operations.accept_suggestions(self.session.project, rule, record_id)
        except StewardError as error:
            self.show_error(str(error))
            return
        self._perform(operation, f"Accept the suggested fix of {rule}")

    def _perform(self, operation: Operation, text: str) -> bool:
        if self.session is None:
            return False
        try:
            self.session.perform(operation, text)
        except StewardError as error:
            self.show_error(str(error))
            return False
        self.hint.setText(f"Done: {text}. Ctrl+Z undoes it.")
        return True

    # -- asking the steward (kept apart so tests can answer) -------------------------------------

    def ask_text(self, title: str, label: str, text: str) -> str | None:
        value, accepted = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Normal, text)
        return value if accepted else None

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, "Review", message)
