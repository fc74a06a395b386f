"""The records of one source as a lazily loaded table.

The model holds only the row count and the columns; values are fetched a page
at a time from the core when the view asks for them and kept in a small LRU
cache, so scrolling through a million rows stays smooth and memory stays flat.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from steward import store
from steward.project import Project
from steward.store import Column, Record
from ui.models.paged import PageCache

PAGE_SIZE = 256
CACHE_PAGES = 8
FLAGGED_TINT = QColor(255, 236, 179)   # soft amber behind the row number of a row with notes
LINE_BREAK_MARK = " ⏎ "               # multi-line values are shown on one line in the table

Index = QModelIndex | QPersistentModelIndex


class RecordModel(QAbstractTableModel):
    """Read-only view of ``store.records`` for one source."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._source_id: int | None = None
        self._columns: list[Column] = []
        self._count = 0
        self._pages: PageCache[Record] = PageCache()
        self._flag_icon: QIcon | None = None

    # -- what to show ----------------------------------------------------------------

    def set_source(self, project: Project | None, source_id: int | None) -> None:
        """Show another source (or nothing); only the count and columns are read now."""
        self.beginResetModel()
        self._project = project
        self._source_id = source_id
        self._pages.clear()
        if project is None or source_id is None:
            self._columns, self._count = [], 0
        else:
            self._columns = store.columns(project, source_id)
            self._count = store.record_count(project, source_id)
        self.endResetModel()

    @property
    def source_id(self) -> int | None:
        return self._source_id

    @property
    def page_loads(self) -> int:
        return self._pages.loads

    def record(self, row: int) -> Record | None:
        """The record shown in ``row``, loading its page if needed."""
        if self._project is None or self._source_id is None or not 0 <= row < self._count:
            return None
        project, source_id = self._project, self._source_id
        return self._pages.row(row, lambda offset, limit: store.records(project, source_id, offset, limit),
                               PAGE_SIZE, CACHE_PAGES)

    def cached_pages(self) -> list[int]:
        return self._pages.numbers()

    # -- Qt model interface ----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        record = self.record(index.row())
        if record is None or index.column() >= len(record.values):
            return None
        value = record.values[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return value.replace("\r\n", "\n").replace("\n", LINE_BREAK_MARK) if "\n" in value else value
        if "\n" in value or len(value) > 40:
            return value
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            return self._column_header(section, role)
        return self._row_header(section, role)

    def _column_header(self, section: int, role: int) -> Any:
        if not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.label
        if role == Qt.ItemDataRole.ToolTipRole:
            header = column.header if column.header else "(no header in the file)"
            field = column.field or "not mapped"
            return f"Column {column.position + 1}\nHeader in the file: {header}\nMapped to: {field}"
        return None

    def _row_header(self, section: int, role: int) -> Any:
        if not 0 <= section < self._count:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        if role not in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.BackgroundRole):
            return None
        record = self.record(section)
        if record is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"Row {record.row_no}, line {record.line_no} of the file"]
            lines += [f"• {flag}" for flag in record.flags]
            return "\n".join(lines)
        if not record.flags:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(FLAGGED_TINT)
        return self._flagged_icon()

    def _flagged_icon(self) -> QIcon:
        if self._flag_icon is None:
            self._flag_icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._flag_icon

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
