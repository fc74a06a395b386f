"""The sources (imported files) of a project, for the list on the left."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from steward import store
from steward.io.text_reader import delimiter_name
from steward.project import Project
from steward.store import Source

SOURCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def describe_source(source: Source) -> str:
    """One line about how a source was read, for tooltips and the table caption."""
    parts = [source.file_name, source.kind.upper()]
    if source.encoding:
        confidence = f" ({source.encoding_confidence:.0%})" if source.encoding_confidence is not None else ""
        parts.append(f"{source.encoding}{confidence}")
    if source.delimiter:
        parts.append(f"delimiter {delimiter_name(source.delimiter)}")
    if source.sheet:
        parts.append(f"sheet '{source.sheet}'")
    parts.append(f"{source.record_count:,} records")
    parts.append(f"{source.rejected_count:,} rejected")
    return " · ".join(parts)


class SourceModel(QAbstractListModel):
    """The project's sources in import order; reloaded whole (projects have few)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sources: list[Source] = []

    def reload(self, project: Project | None) -> None:
        self.beginResetModel()
        self._sources = store.sources(project) if project is not None else []
        self.endResetModel()

    def source(self, row: int) -> Source | None:
        return self._sources[row] if 0 <= row < len(self._sources) else None

    def row_of(self, source_id: int) -> int:
        """The row showing ``source_id``, or -1."""
        return next((i for i, s in enumerate(self._sources) if s.id == source_id), -1)

    @property
    def sources(self) -> list[Source]:
        return list(self._sources)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._sources)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        source = self.source(index.row()) if index.isValid() else None
        if source is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return source.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{source.name}\n{describe_source(source)}\nImported {source.imported_at}"
        if role == SOURCE_ID_ROLE:
            return source.id
        return None
