"""The audit trail as a lazily loaded table, newest entry first.

A trail may hold 100,000 entries: the model holds the ids the filter keeps
(from ``steward.audit_query``) and reads rows for a page of ids when the view
shows them, keeping a few pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from steward import audit_query
from steward.audit_query import AuditQuery, EntryRow
from steward.project import Project
from ui.models.paged import PageCache
from ui.models.table import HeaderedTableModel

PAGE_SIZE = 256
CACHE_PAGES = 8

Index = QModelIndex | QPersistentModelIndex
DISPLAY, TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def local_time(at: str) -> str:
    """A stored UTC time (ISO 8601, 'Z') in the computer's time zone, to the second."""
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class AuditModel(HeaderedTableModel):
    """Entries of the trail that a query keeps; read-only."""

    HEADERS = ("#", "Time", "Actor", "Action", "Targets", "Comment")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._query = AuditQuery()
        self._ids: list[int] = []
        self._pages: PageCache[EntryRow] = PageCache()

    def set_query(self, project: Project | None, query: AuditQuery | None = None) -> None:
        """List the entries ``query`` keeps (all without one); only their ids are read now."""
        self.beginResetModel()
        self._project, self._query = project, query or AuditQuery()
        self._ids = audit_query.entry_ids(project, self._query) if project is not None else []
        self._pages.clear()
        self.endResetModel()

    def refresh(self) -> None:
        """Read the ids again under the same query (entries were appended)."""
        self.set_query(self._project, self._query)

    @property
    def page_loads(self) -> int:
        return self._pages.loads

    @property
    def query(self) -> AuditQuery:
        return self._query

    @property
    def ids(self) -> list[int]:
        return list(self._ids)

    def row_of(self, entry_id: int) -> int:
        """The row showing entry ``entry_id``, or -1 (ids are newest first, so descending)."""
        low, high = 0, len(self._ids)
        while low < high:
            middle = (low + high) // 2
            if self._ids[middle] > entry_id:
                low = middle + 1
            else:
                high = middle
        return low if low < len(self._ids) and self._ids[low] == entry_id else -1

    def entry(self, row: int) -> EntryRow | None:
        """The entry shown in ``row``, loading its page if needed."""
        if self._project is None or not 0 <= row < len(self._ids):
            return None
        project, ids = self._project, self._ids

        def read(offset: int, limit: int) -> list[EntryRow | None]:
            page = ids[offset:offset + limit]
            found = {e.id: e for e in audit_query.entry_rows(project, page)}
            return [found.get(i) for i in page]

        return self._pages.row(row, read, PAGE_SIZE, CACHE_PAGES)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or role not in (DISPLAY, TOOLTIP, ENTRY_ID_ROLE, Qt.ItemDataRole.TextAlignmentRole):
            return None
        if role == ENTRY_ID_ROLE:
            return self._ids[index.row()] if 0 <= index.row() < len(self._ids) else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if index.column() == 0 else None
        entry = self.entry(index.row())
        if entry is None:
            return None
        column = index.column()
        if role == TOOLTIP:
            if column == 1:
                return f"{entry.at} (UTC)"
            return entry.targets if column == 4 else entry.comment if column == 5 else None
        return (str(entry.id), local_time(entry.at), entry.actor, entry.action, entry.targets,
                entry.comment.replace("\n", " "))[column]

