"""Rows an import quarantined, for the rejected-rows dialog."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from steward.store import RejectedRow

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Line", "Reason", "Raw text")


class RejectedModel(QAbstractTableModel):
    """Line, reason and the raw text exactly as it was in the file."""

    def __init__(self, rows: list[RejectedRow], parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = list(rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return str(row.line_no)
            if index.column() == 1:
                return row.reason
            return visible_text(row.raw_text)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2:
            return row.raw_text
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return str(section + 1)


def visible_text(raw: str) -> str:
    """Line breaks and tabs made visible, so a blank or broken line shows what it held."""
    shown = raw.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", "→")
    return shown or "(empty)"
