"""The first rows of a file as the import would store them, for the import wizard's preview."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from steward.preview import Preview
from ui.models.rejected_model import visible_text

Index = QModelIndex | QPersistentModelIndex
REJECTED_BRUSH = QBrush(QColor(250, 222, 222))
NOTE_BRUSH = QBrush(QColor(255, 243, 205))


class PreviewModel(QAbstractTableModel):
    """Column 0 is the file's line (or sheet row); the others are the columns as labelled.

    A preview is at most a few dozen rows, so it is held whole; a new preview replaces it.
    Rows the import would reject are tinted and say why in their tooltip.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.preview: Preview | None = None

    def set_preview(self, preview: Preview | None) -> None:
        self.beginResetModel()
        self.preview = preview
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.preview is None else len(self.preview.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.preview is None else self.preview.width + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.preview is None or not index.isValid() or not 0 <= index.row() < len(self.preview.rows):
            return None
        row = self.preview.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(row.line_no)
            if row.rejected and column == 1 and not row.values:
                return "(blank line)"
            value = row.values[column - 1] if column - 1 < len(row.values) else ""
            return visible_text(value) if value else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.rejected:
                return f"Not imported: {row.rejected}"
            if row.notes:
                return "Imported with notes: " + "; ".join(row.notes)
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.rejected:
                return REJECTED_BRUSH
            return NOTE_BRUSH if row.notes else None
        if role == Qt.ItemDataRole.ForegroundRole and (row.rejected or row.notes):
            return QBrush(QColor(40, 40, 40))   # readable on the tint in a dark theme too
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.preview is None or orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return "Line" if self.preview.kind == "csv" else "Row"
            return self.preview.labels[section - 1] if 0 < section <= self.preview.width else None
        if role == Qt.ItemDataRole.ToolTipRole and 0 < section <= self.preview.width:
            field = self.preview.suggestions[section - 1]
            return f"Suggested field: {field}" if field else "No known field suggested"
        return None

    def rejected_count(self) -> int:
        return 0 if self.preview is None else sum(1 for row in self.preview.rows if row.rejected)
