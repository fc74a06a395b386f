"""Asking for a new training exercise: where its project goes, how many records, which seed and languages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from steward.demo_data import LOCALES
from steward.project import SUFFIX

LOCALE_NAMES = {"en": "English", "de": "German", "zh": "Chinese"}
MAX_RECORDS = 1_000_000


@dataclass(frozen=True)
class ExerciseRequest:
    path: Path
    records: int
    seed: int
    locales: tuple[str, ...]


class ExerciseDialog(QDialog):
    """The parameters of ``steward demo`` as a form; the same seed gives the same exercise for every class."""

    def __init__(self, folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New training exercise")
        folder = folder or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        self.path_edit = QLineEdit(str(Path(folder) / f"training{SUFFIX}"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.records_spin = QSpinBox()
        self.records_spin.setRange(10, MAX_RECORDS)
        self.records_spin.setSingleStep(500)
        self.records_spin.setGroupSeparatorShown(True)
        self.records_spin.setValue(2000)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setValue(1)
        self.locale_boxes = {code: QCheckBox(LOCALE_NAMES.get(code, code)) for code in LOCALES}
        locales = QHBoxLayout()
        for box in self.locale_boxes.values():
            box.setChecked(True)
            box.toggled.connect(self._update_state)
            locales.addWidget(box)
        locales.addStretch(1)
        form = QFormLayout()
        form.addRow("Project &file", path_row)
        form.addRow("&Records", self.records_spin)
        form.addRow("&Seed", self.seed_spin)
        form.addRow("Names and addresses", locales)
        note = QLabel("The list holds duplicates (typos, nicknames, moves, changed phones and emails, pinyin), "
                      "look-alikes who are different people, and records with defects. Its dates count back from "
                      "today, so the same seed gives the same exercise on the same day; to give a class one "
                      "exercise, make it once and hand out copies of the file (Reset Exercise starts it again).")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.path_edit.textChanged.connect(self._update_state)
        self._update_state()

    def request(self) -> ExerciseRequest:
        text = self.path_edit.text().strip()
        path = Path(text if text.endswith(SUFFIX) else text + SUFFIX)
        return ExerciseRequest(path, self.records_spin.value(), self.seed_spin.value(),
                               tuple(code for code, box in self.locale_boxes.items() if box.isChecked()))

    def _on_browse_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Training exercise project", self.path_edit.text(),
                                              f"Steward projects (*{SUFFIX})")
        if name:
            self.path_edit.setText(name)

    def _update_state(self) -> None:
        ok = bool(self.path_edit.text().strip()) and any(box.isChecked() for box in self.locale_boxes.values())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
