"""The Sources screen: the project's imported sources, and the selected one's records as imported."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QListView, QSplitter, QTableView,
                               QVBoxLayout, QWidget)

from steward.project import Project
from ui.models.record_model import RecordModel
from ui.models.source_model import SOURCE_ID_ROLE, SourceModel

MAX_COLUMN_WIDTH = 260


class SourcesView(QSplitter):
    """Sources on the left, the selected source's records (a lazy model over a million rows) on the right."""

    source_changed = Signal(object)     # the selected source's id, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.project: Project | None = None
        self.source_model = SourceModel(self)
        self.record_model = RecordModel(self)

        self.source_list = QListView()
        self.source_list.setModel(self.source_model)
        self.source_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.source_list.selectionModel().selectionChanged.connect(self._on_source_selection_changed)
        sources_panel = QWidget()
        sources_layout = QVBoxLayout(sources_panel)
        sources_layout.setContentsMargins(6, 6, 0, 6)
        sources_layout.addWidget(QLabel("<b>Sources</b>"))
        sources_layout.addWidget(self.source_list)

        self.caption = QLabel()
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.record_view = QTableView()
        self.record_view.setModel(self.record_model)
        self.record_view.setWordWrap(False)
        self.record_view.setAlternatingRowColors(True)
        self.record_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.record_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical = self.record_view.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        horizontal = self.record_view.horizontalHeader()
        horizontal.setResizeContentsPrecision(100)  # size columns from a sample, never the whole source
        horizontal.setHighlightSections(False)
        records_panel = QWidget()
        records_layout = QVBoxLayout(records_panel)
        records_layout.setContentsMargins(0, 6, 6, 6)
        records_layout.addWidget(self.caption)
        records_layout.addWidget(self.record_view)

        self.addWidget(sources_panel)
        self.addWidget(records_panel)
        self.setStretchFactor(1, 1)
        self.setSizes([220, 900])

    def set_project(self, project: Project | None) -> None:
        """Show ``project``'s sources (None: nothing), selecting the first."""
        self.project = project
        if project is None:
            self.record_model.set_source(None, None)
        self.source_model.reload(project)
        if project is not None and self.source_model.rowCount() > 0:
            self.select_source(self.source_model.sources[0].id)

    def reload(self) -> None:
        """Read the sources again (after an import or a refresh), keeping the selection when it still exists."""
        self.source_model.reload(self.project)

    def select_source(self, source_id: int) -> None:
        row = self.source_model.row_of(source_id)
        if row >= 0:
            self.source_list.setCurrentIndex(self.source_model.index(row))

    def current_source_id(self) -> int | None:
        return self.record_model.source_id

    def _on_source_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        source_id = indexes[0].data(SOURCE_ID_ROLE) if indexes else None
        self.record_model.set_source(self.project if source_id is not None else None, source_id)
        if source_id is not None:
            self.record_view.resizeColumnsToContents()
            header = self.record_view.horizontalHeader()
            for column in range(self.record_model.columnCount()):
                header.resizeSection(column, min(header.sectionSize(column) + 12, MAX_COLUMN_WIDTH))
            self.record_view.scrollToTop()
        self.source_changed.emit(source_id)
