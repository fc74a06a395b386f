"""The QActions a screen exposes for its toolbar, context menus and the window's menus."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def screen_action(screen: QWidget, text: str, slot: Any, shortcut: str | None, tip: str) -> QAction:
    """An action added to ``screen`` whose shortcut acts only while the screen shows (the window hosts several)
    and whose tips name the key."""
    action = QAction(text, screen)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    screen.addAction(action)
    return action
