"""The project workspace: a navigation list of screens beside the screen shown.

Screens are plain widgets; those with ``set_session`` are told when a
project opens or closes, so each holds its own view of the open project.
Ctrl+1 … Ctrl+9 switch screens from anywhere in the window.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QStackedWidget, QWidget

from ui.session import Session


class Workspace(QWidget):
    """Navigation on the left, the chosen screen on the right."""

    screen_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(170)
        self.navigation.setSpacing(2)
        self.navigation.currentRowChanged.connect(self._on_navigation_current_row_changed)
        self.screens = QStackedWidget()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.screens, 1)
        self.names: list[str] = []
        self.actions_by_name: dict[str, QAction] = {}

    def add_screen(self, name: str, widget: QWidget) -> QAction:
        """Add a screen; the returned action shows it (Ctrl+N for the N-th screen)."""
        self.names.append(name)
        self.screens.addWidget(widget)
        item = QListWidgetItem(name, self.navigation)
        item.setSizeHint(QSize(0, self.fontMetrics().height() + 16))
        action = QAction(name.replace("&", "&&"), self)   # "Rules & failures" is no mnemonic
        if len(self.names) <= 9:
            action.setShortcut(QKeySequence(f"Ctrl+{len(self.names)}"))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False, n=name: self.show_screen(n))
        self.actions_by_name[name] = action
        if self.navigation.currentRow() < 0:
            self.navigation.setCurrentRow(0)
        return action

    def set_screen_shown(self, name: str, shown: bool) -> None:
        """Show or hide a screen that only some projects have (Training); hiding the current one shows the first."""
        row = self.names.index(name)
        self.navigation.item(row).setHidden(not shown)
        self.actions_by_name[name].setVisible(shown)
        if not shown and self.navigation.currentRow() == row:
            self.navigation.setCurrentRow(0)

    def show_screen(self, name: str) -> None:
        self.navigation.setCurrentRow(self.names.index(name))

    def current_name(self) -> str:
        row = self.navigation.currentRow()
        return self.names[row] if 0 <= row < len(self.names) else ""

    def screen(self, name: str) -> QWidget:
        return self.screens.widget(self.names.index(name))

    def set_session(self, session: Session | None) -> None:
        for index in range(self.screens.count()):
            widget = self.screens.widget(index)
            if hasattr(widget, "set_session"):
                widget.set_session(session)

    def _on_navigation_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.names):
            self.screens.setCurrentIndex(row)
            self.screen_changed.emit(self.names[row])
