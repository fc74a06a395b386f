"""A horizontal bar chart painted with QPainter (PySide6-Essentials ships no QtCharts).

One row per bar: a label on the left, a track holding the filled share, and
the share as text on the right. Bars can be selected with the mouse or the
arrow keys, so the chart doubles as the list of columns it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN = 8
LABEL_SHARE = 0.55      # of the width, at most, for the labels
MIN_TRACK = 80          # pixels the labels leave for the track when they can
LOW_SHARE = 0.5         # bars below this share are drawn in the warning colour
LOW_COLOUR = QColor(214, 120, 40)


@dataclass(frozen=True)
class Bar:
    """One bar: ``value`` is a share from 0 to 1, ``caption`` is shown beside it ("87 %")."""

    label: str
    value: float
    caption: str
    tooltip: str = ""


class BarChart(QWidget):
    """Horizontal bars, one per row; ``current_changed`` follows the selected bar."""

    current_changed = Signal(int)   # the selected bar's index, -1 for none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[Bar] = []
        self._current = -1
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setAccessibleName("Bar chart")

    # -- data ------------------------------------------------------------------------

    @property
    def bars(self) -> list[Bar]:
        """The bars shown, top to bottom (a copy)."""
        return list(self._bars)

    @property
    def current(self) -> int:
        return self._current

    def set_bars(self, bars: list[Bar], current: int = -1) -> None:
        self._bars = list(bars)
        self._current = current if 0 <= current < len(bars) else -1
        self.updateGeometry()
        self.update()
        self.current_changed.emit(self._current)

    def set_current(self, index: int) -> None:
        index = index if 0 <= index < len(self._bars) else -1
        if index != self._current:
            self._current = index
            self.update()
            self.current_changed.emit(index)

    # -- geometry --------------------------------------------------------------------

    def row_height(self) -> int:
        return self.fontMetrics().height() + 10

    def sizeHint(self) -> QSize:
        return QSize(420, 2 * MARGIN + max(1, len(self._bars)) * self.row_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.sizeHint().height())

    def layout_rows(self) -> list[tuple[QRect, QRect, QRect]]:
        """(label, track, filled part) rectangles of every bar at the current size."""
        metrics = self.fontMetrics()
        caption_width = max((metrics.horizontalAdvance(b.caption) for b in self._bars), default=0) + MARGIN
        inner = max(0, self.width() - 2 * MARGIN)
        wanted = max((metrics.horizontalAdvance(b.label) for b in self._bars), default=0) + 2 * MARGIN
        label_width = min(wanted, int(inner * LABEL_SHARE), max(0, inner - caption_width - MIN_TRACK))
        track_width = max(0, inner - label_width - caption_width)
        rows = []
        height = self.row_height()
        for index, bar in enumerate(self._bars):
            top = MARGIN + index * height
            label = QRect(MARGIN, top, label_width, height)
            track = QRect(MARGIN + label_width, top + 4, track_width, height - 8)
            filled = QRect(track.left(), track.top(), round(track_width * min(1.0, max(0.0, bar.value))),
                           track.height())
            rows.append((label, track, filled))
        return rows

    def bar_at(self, point: QPoint) -> int:
        """The bar under ``point``, or -1."""
        if point.y() < MARGIN:
            return -1
        index = (point.y() - MARGIN) // self.row_height()
        return index if 0 <= index < len(self._bars) else -1

    # -- painting --------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        metrics = self.fontMetrics()
        height = self.row_height()
        for index, (bar, (label, track, filled)) in enumerate(zip(self._bars, self.layout_rows())):
            row = QRect(0, label.top(), self.width(), height)
            if index == self._current:
                painter.fillRect(row, palette.color(QPalette.ColorRole.Highlight).lighter(170))
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            text = metrics.elidedText(bar.label, Qt.TextElideMode.ElideMiddle, max(0, label.width() - MARGIN))
            painter.drawText(label, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
            painter.fillRect(track, palette.color(QPalette.ColorRole.AlternateBase).darker(105))
            painter.fillRect(filled, LOW_COLOUR if bar.value < LOW_SHARE else
                             palette.color(QPalette.ColorRole.Highlight))
            caption = QRect(track.right() + MARGIN, label.top(), self.width() - track.right() - 2 * MARGIN, height)
            painter.drawText(caption, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, bar.caption)
        if self.hasFocus() and 0 <= self._current < len(self._bars):
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRect(QRect(0, MARGIN + self._current * height, self.width() - 1, height - 1))
        painter.end()

    # -- interaction -----------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position().toPoint())
        if index >= 0:
            self.set_current(index)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position().toPoint())
        self.setToolTip(self._bars[index].tooltip if index >= 0 else "")
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -10, Qt.Key.Key_PageDown: 10}
        if event.key() in steps and self._bars:
            start = self._current if self._current >= 0 else 0
            self.set_current(min(len(self._bars) - 1, max(0, start + steps[event.key()])))
        elif event.key() == Qt.Key.Key_Home and self._bars:
            self.set_current(0)
        elif event.key() == Qt.Key.Key_End and self._bars:
            self.set_current(len(self._bars) - 1)
        else:
            super().keyPressEvent(event)
