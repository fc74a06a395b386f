"""One proposal side by side: the golden record a merge would give, then a column per record, a row per
canonical field.

Cells are tinted by how far the records agree on the field, and the same
agreement is written as a mark in the row header and in the tooltip, so it
never rests on colour alone. The cell whose value survives into the golden
record is bold; a steward's fix is marked with a pencil.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from steward.review import DIFFERENT, MISSING, SAME, SIMILAR, ClusterDetail, MemberView
from ui.models.record_model import LINE_BREAK_MARK

#: Calm tints that keep black text readable, one per agreement.
AGREEMENT_TINT = {SAME: QColor("#e3f1e6"), SIMILAR: QColor("#fff3cd"), DIFFERENT: QColor("#f9dede"),
                  MISSING: QColor("#eeeeee")}
AGREEMENT_MARK = {SAME: "=", SIMILAR: "≈", DIFFERENT: "≠", MISSING: "–"}
AGREEMENT_TEXT = {SAME: "the same in every record", SIMILAR: "similar across the records",
                  DIFFERENT: "different across the records", MISSING: "missing from all but at most one record"}
GOLDEN_TINT = QColor("#e4ecfa")
TEXT_COLOUR = QColor("#1f1f1f")
EMPTY_COLOUR = QColor("#8a8a8a")
FIX_MARK = "✎ "
EMPTY_MARK = "—"
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1      # the value itself, without marks
# The golden record comes first, so it stays in sight however many records a proposal has.
GOLDEN_COLUMN, REASON_COLUMN, FIRST_MEMBER = 0, 1, 2

Index = QModelIndex | QPersistentModelIndex


def field_label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def one_line(value: str) -> str:
    """A value as a grid cell shows it: line breaks marked, not wrapped."""
    return value.replace("\r\n", "\n").replace("\n", LINE_BREAK_MARK) if value.strip() else EMPTY_MARK


def reason_text(reason: str) -> str:
    return reason.replace("_", " ")


class ComparisonModel(QAbstractTableModel):
    """Read-only grid over a ``review.ClusterDetail``: the golden value and what chose it, then each record."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._detail: ClusterDetail | None = None
        self._labels: dict[int, str] = {}

    def set_detail(self, detail: ClusterDetail | None) -> None:
        """Show another proposal, or the same one read again (the view keeps its selection then)."""
        before = self._detail
        same_shape = (before is not None and detail is not None and before.fields == detail.fields
                      and [m.record_id for m in before.members] == [m.record_id for m in detail.members])
        if not same_shape:
            self.beginResetModel()
        self._detail = detail
        self._labels = {m.record_id: m.label for m in detail.members} if detail else {}
        if same_shape and self.rowCount() > 0:
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        elif not same_shape:
            self.endResetModel()

    @property
    def detail(self) -> ClusterDetail | None:
        return self._detail

    def member(self, column: int) -> MemberView | None:
        """The record shown in ``column``; None for the golden columns."""
        if self._detail is None or not 0 <= column - FIRST_MEMBER < len(self._detail.members):
            return None
        return self._detail.members[column - FIRST_MEMBER]

    def column_of(self, record_id: int) -> int | None:
        ids = [m.record_id for m in self._detail.members] if self._detail else []
        return ids.index(record_id) + FIRST_MEMBER if record_id in ids else None

    def field(self, row: int) -> str | None:
        if self._detail is None or not 0 <= row < len(self._detail.fields):
            return None
        return self._detail.fields[row]

    # -- Qt model interface ----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() or self._detail is None else len(self._detail.fields)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._detail is None else len(self._detail.members) + 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._detail is None or not index.isValid():
            return None
        name = self.field(index.row())
        if name is None or index.column() >= self.columnCount():
            return None
        member = self.member(index.column())
        if member is not None:
            return self._member_data(member, name, role)
        if index.column() == GOLDEN_COLUMN:
            return self._golden_data(name, role)
        return self._reason_data(name, role)

    def _member_data(self, member: MemberView, name: str, role: int) -> Any:
        value = member.values.get(name, "")
        fixed = name in member.fixed
        agreement = self._detail.agreement[name]
        survivor = self._detail.golden.get(name)
        supplies = survivor is not None and survivor.record_id == member.record_id
        if role == Qt.ItemDataRole.DisplayRole:
            return (FIX_MARK if fixed else "") + one_line(value)
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(AGREEMENT_TINT[agreement if value.strip() else MISSING])
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(TEXT_COLOUR if value.strip() else EMPTY_COLOUR)
        if role == Qt.ItemDataRole.FontRole and supplies:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{member.label} · {field_label(name)}: {value if value.strip() else '(no value)'}",
                     f"{AGREEMENT_MARK[agreement]} {field_label(name)} is {AGREEMENT_TEXT[agreement]}"]
            if fixed:
                lines.append("✎ fixed by a steward")
            if supplies:
                lines.append("Goes into the golden record" + (" (picked)" if survivor.reason == "picked" else ""))
            elif value.strip():
                lines.append("Click to pick this value for the golden record")
            return "\n".join(lines)
        return None

    def _golden_data(self, name: str, role: int) -> Any:
        survivor = self._detail.golden.get(name)
        value = survivor.value if survivor else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return one_line(value)
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(GOLDEN_TINT)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(TEXT_COLOUR)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and survivor is not None:
            chosen = self._reason(survivor.reason, survivor.record_id)
            return f"Golden {field_label(name)}: {value}\nChosen by: {chosen}"
        return None

    def _reason_data(self, name: str, role: int) -> Any:
        survivor = self._detail.golden.get(name)
        if survivor is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return reason_text(survivor.reason)       # whose value it is shows in bold in the record's column
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._reason(survivor.reason, survivor.record_id)
        return None

    def _reason(self, reason: str, record_id: int | None) -> str:
        source = self._labels.get(record_id) if record_id is not None else None
        return reason_text(reason) + (f" · {source}" if source else "")

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._detail is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            name = self.field(section)
            if name is None:
                return None
            agreement = self._detail.agreement[name]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{AGREEMENT_MARK[agreement]} {field_label(name)}"
            return f"{field_label(name)} is {AGREEMENT_TEXT[agreement]}"
        member = self.member(section)
        if member is not None:
            return member.label if role == Qt.ItemDataRole.DisplayRole else \
                f"Record {member.label}: select its column to split it out (S) or edit a value (E)"
        if section == GOLDEN_COLUMN:
            return "Golden" if role == Qt.ItemDataRole.DisplayRole else \
                f"The golden record a merge would give by the rule '{reason_text(self._detail.rule)}' and your picks"
        if section == REASON_COLUMN:
            return "Chosen by" if role == Qt.ItemDataRole.DisplayRole else "The rule or pick that chose each value"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
