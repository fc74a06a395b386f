"""The review queue as a lazily loaded table: proposal ids in queue order, summaries read a page at a time.

The core returns the whole queue as ids (cheap even for 100,000 proposals);
names, sizes and confidences are read only for the pages the view shows and
kept in a small cache, dropped whenever the queue may have changed.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from steward import review
from steward.project import Project
from steward.review import ClusterSummary

PAGE_SIZE = 100
CACHE_PAGES = 8
SINGLE_REMOVALS = 20   # more rows leaving at once reset the model rather than remove row by row
HEADERS = ("Name", "Size", "Confidence", "Status")
STATUS_TEXT = {"review": "to review", "auto": "auto", "deferred": "deferred", "merged": "merged"}
CLUSTER_ID_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class ClusterModel(QAbstractTableModel):
    """Read-only queue of proposals over ``review.cluster_ids`` and ``review.summaries``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._ids: list[int] = []
        self._pages: OrderedDict[int, dict[int, ClusterSummary]] = OrderedDict()
        self.page_loads = 0  # how many pages were read from the project (for tests and tuning)

    def set_queue(self, project: Project | None, ids: Sequence[int]) -> None:
        """Show another queue; when only the summaries may have changed, the rows stay and are re-read."""
        ids = list(ids) if project is not None else []
        if project is self._project and ids == self._ids:
            self._pages.clear()
            if ids:
                self.dataChanged.emit(self.index(0, 0), self.index(len(ids) - 1, len(HEADERS) - 1))
            return
        self.beginResetModel()
        self._project = project
        self._ids = ids
        self._pages.clear()
        self.endResetModel()

    def drop(self, gone: set[int]) -> None:
        """Take proposals that left the queue out of it, keeping the other rows (and the view's place) as they
        are, and read the summaries again; many at once (a merge of every auto-match) reset the model instead."""
        if len(gone) > SINGLE_REMOVALS:
            self.set_queue(self._project, [c for c in self._ids if c not in gone])
            return
        for row in sorted((r for r in map(self.row_of, gone) if r is not None), reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._ids[row]
            self.endRemoveRows()
        self._pages.clear()   # pages are counted in rows, which moved
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(HEADERS) - 1))

    def holds(self, ids: set[int]) -> bool:
        """Whether every one of ``ids`` is in the queue."""
        if len(ids) <= SINGLE_REMOVALS:
            return all(self.row_of(c) is not None for c in ids)
        return ids <= set(self._ids)

    def cluster_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, cluster_id: int | None) -> int | None:
        """The row of a proposal, None if it is not in the queue (a search in C: a millisecond per 200,000)."""
        try:
            return None if cluster_id is None else self._ids.index(cluster_id)
        except ValueError:
            return None

    def summary(self, row: int) -> ClusterSummary | None:
        """The summary shown in ``row``, reading its page if needed (None if the proposal just went away)."""
        if self._project is None or not 0 <= row < len(self._ids):
            return None
        page_no = row // PAGE_SIZE
        page = self._pages.get(page_no)
        if page is None:
            ids = self._ids[page_no * PAGE_SIZE:(page_no + 1) * PAGE_SIZE]
            page = {s.id: s for s in review.summaries(self._project, ids)}
            self.page_loads += 1
            self._pages[page_no] = page
            while len(self._pages) > CACHE_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page.get(self._ids[row])

    # -- Qt model interface ----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == CLUSTER_ID_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        summary = self.summary(index.row())
        if summary is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(summary)
        return (summary.name, str(summary.size), confidence_text(summary.confidence),
                STATUS_TEXT.get(summary.status, summary.status))[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return str(section + 1) if 0 <= section < len(self._ids) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def confidence_text(confidence: float) -> str:
    """A percentage that still tells near-certain proposals apart from certain ones."""
    return "> 99.99%" if 0.9999 < confidence < 1 else f"{confidence:.2%}"


def _tooltip(summary: ClusterSummary) -> str:
    lines = [f"Proposal {summary.id}: {summary.size} records, confidence {summary.confidence:.6f}"]
    if summary.note:
        lines.append(f"Note: {summary.note}")
    lines += [f"• {flag}" for flag in summary.flags]
    return "\n".join(lines)
