"""What the window shows when no project is open: the ways to start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget


class WelcomePanel(QWidget):
    """Import a file (into a new project), open a project or the sample, start empty or with a training exercise;
    the recent projects."""

    new_requested = Signal()
    open_requested = Signal()
    import_requested = Signal()
    exercise_requested = Signal()
    sample_requested = Signal()
    recent_requested = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        title = QLabel("<h2>Steward</h2><p>Import customer lists into a project file, then profile, match, "
                       "review and export them. Everything stays on this computer.</p>")
        title.setWordWrap(True)
        layout.addWidget(title)
        buttons = QHBoxLayout()
        for text, signal in (("Import a file…", self.import_requested), ("Open project…", self.open_requested),
                             ("Open the sample project", self.sample_requested),
                             ("New empty project…", self.new_requested),
                             ("New training exercise…", self.exercise_requested)):
            button = QPushButton(text)
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.recent_label = QLabel("<b>Recent projects</b>")
        layout.addWidget(self.recent_label)
        self.recent_list = QListWidget()
        self.recent_list.itemActivated.connect(self._on_item_activated)
        layout.addWidget(self.recent_list, 1)
        layout.addStretch(0)                      # with no recent projects the rest stays at the top

    def set_recent(self, paths: list[Path]) -> None:
        self.recent_list.clear()
        for path in paths:
            item = QListWidgetItem(f"{path.stem}    —    {path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.recent_list.addItem(item)
        self.recent_label.setVisible(bool(paths))
        self.recent_list.setVisible(bool(paths))

    def _on_item_activated(self, item: QListWidgetItem) -> None:
        self.recent_requested.emit(Path(item.data(Qt.ItemDataRole.UserRole)))
