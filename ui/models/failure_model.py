"""The rules with their failure counts, and one rule's failing records read a page at a time.

A rule may fail on 500,000 records: the failure model holds only the count
and a few cached pages from ``steward.failure_list``. Editing a value does
not write anything here; the model asks for the fix with ``fix_requested``
and the view performs it through the session, which tells every view.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from steward import failure_list
from steward.failure_list import FailureRow, RuleFailures
from steward.project import Project
from ui.models.paged import PageCache
from ui.models.table import HeaderedTableModel

PAGE_SIZE = 256
CACHE_PAGES = 8
FIXED_TINT = QColor(214, 240, 214)     # soft green behind a value a steward fixed
LINE_BREAK_MARK = " ⏎ "

Index = QModelIndex | QPersistentModelIndex
DISPLAY, EDIT, TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole
RULE_ROLE = Qt.ItemDataRole.UserRole + 1


class RuleFailuresModel(HeaderedTableModel):
    """Every rule with how many records fail it; reloaded whole (a project has dozens of rules)."""

    HEADERS = ("Rule", "Field", "Severity", "Failures", "Message")
    FAILURES_COLUMN = 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rules: list[RuleFailures] = []
        self._icons: dict[str, QIcon] = {}

    def reload(self, project: Project | None) -> None:
        self.beginResetModel()
        self._rules = failure_list.rule_failures(project) if project is not None else []
        self.endResetModel()

    @property
    def rules(self) -> list[RuleFailures]:
        return list(self._rules)

    def rule(self, row: int) -> RuleFailures | None:
        return self._rules[row] if 0 <= row < len(self._rules) else None

    def row_of(self, name: str) -> int:
        """The row showing rule ``name``, or -1."""
        return next((i for i, r in enumerate(self._rules) if r.rule == name), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._rules)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        rule = self.rule(index.row()) if index.isValid() else None
        if rule is None:
            return None
        column = index.column()
        if role == DISPLAY:
            return (rule.rule, rule.field, rule.severity, f"{rule.failures:,}", rule.message)[column]
        if role == RULE_ROLE:
            return rule.rule
        if role == TOOLTIP:
            fixes = f", {rule.suggestions:,} with a suggested fix" if rule.suggestions else ""
            return f"{rule.message}\n{rule.failures:,} records fail '{rule.rule}'{fixes}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.FAILURES_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            return self._icon(rule.severity)
        if role == Qt.ItemDataRole.ForegroundRole and rule.failures == 0:
            return QBrush(QApplication.palette().color(QApplication.palette().ColorRole.PlaceholderText))
        return None

    def _icon(self, severity: str) -> QIcon:
        if severity not in self._icons:
            pixmap = QStyle.StandardPixmap.SP_MessageBoxCritical if severity == "error" \
                else QStyle.StandardPixmap.SP_MessageBoxWarning
            self._icons[severity] = QApplication.style().standardIcon(pixmap)
        return self._icons[severity]



class FailureModel(HeaderedTableModel):
    """The failing records of one rule; the value column is editable where the failing field has a column."""

    HEADERS = ("Record", "Value", "Detail", "Suggested fix")
    VALUE_COLUMN = 1

    fix_requested = Signal(object, str)     # FailureRow, the new value

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._rule: RuleFailures | None = None
        self._count = 0
        self._pages: PageCache[FailureRow] = PageCache()
        self.editable = True

    def set_rule(self, project: Project | None, rule: RuleFailures | None) -> None:
        """Show another rule's failures (or none); only their count is read now."""
        self.beginResetModel()
        self._project, self._rule = project, rule
        self._pages.clear()
        self._count = failure_list.failure_count(project, rule.rule) if project and rule else 0
        self.endResetModel()

    @property
    def rule(self) -> RuleFailures | None:
        return self._rule

    @property
    def page_loads(self) -> int:
        return self._pages.loads

    def cached_pages(self) -> list[int]:
        return self._pages.numbers()

    def refresh_values(self) -> None:
        """Read the shown values again (a fix changed some); the failures themselves change only on validation."""
        self._pages.clear()
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(self.HEADERS) - 1))

    def failure(self, row: int) -> FailureRow | None:
        """The failure shown in ``row``, loading its page if needed."""
        if self._project is None or self._rule is None or not 0 <= row < self._count:
            return None
        project, rule = self._project, self._rule.rule
        return self._pages.row(row, lambda offset, limit: failure_list.failure_rows(project, rule, offset, limit),
                               PAGE_SIZE, CACHE_PAGES)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or role not in (DISPLAY, EDIT, TOOLTIP, Qt.ItemDataRole.BackgroundRole):
            return None
        row = self.failure(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(FIXED_TINT) if column == self.VALUE_COLUMN and row.fixed else None
        if role == TOOLTIP:
            return self._tooltip(row, column)
        text = (row.label, row.value, row.detail, row.suggestion or "")[column]
        if role == EDIT:
            return text if column == self.VALUE_COLUMN else None
        return text.replace("\r\n", "\n").replace("\n", LINE_BREAK_MARK)

    def _tooltip(self, row: FailureRow, column: int) -> str | None:
        if column == self.VALUE_COLUMN:
            if row.position is None:
                return "No column is mapped to this field now, so the value cannot be fixed here."
            if row.fixed:
                return (f"Fixed value; imported as: {row.imported or '(empty)'}\n"
                        "Validate again to check it against the rules.")
            return "Double-click or press F2 to fix the value."
        if column == 2 and self._rule is not None:
            return f"{self._rule.message}: {row.detail}" if row.detail else self._rule.message
        return None

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:
        row = self.failure(index.row()) if index.isValid() and role == EDIT else None
        if row is None or not self.flags(index) & Qt.ItemFlag.ItemIsEditable or str(value) == row.value:
            return False
        self.fix_requested.emit(row, str(value))
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == self.VALUE_COLUMN and self.editable:
            row = self.failure(index.row())
            if row is not None and row.position is not None:
                return base | Qt.ItemFlag.ItemIsEditable
        return base
