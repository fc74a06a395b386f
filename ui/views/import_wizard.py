"""The import wizard: look at the file as it would be stored, correct how it is read, map its columns.

Every change of encoding, delimiter, header row or sheet re-reads the first
rows at once, so a wrong guess is caught by eye before anything is written.
The wizard only gathers choices; the import itself runs on the write worker
(``ui.import_flow.ImportController``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget, QWizard, QWizardPage)

from steward import store
from steward.errors import StewardError
from steward.importer import ImportOptions
from steward.io.header import SCAN_ROWS
from steward.io.text_reader import DELIMITER_NAMES, delimiter_name
from steward.mapping import FIELDS
from steward.preview import Preview, preview_file
from steward.project import Project
from ui.models.preview_model import PreviewModel

IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")
ENCODINGS = [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("cp1252", "Western European (cp1252)"),
    ("latin-1", "Latin-1 (ISO 8859-1)"), ("cp1250", "Central European (cp1250)"), ("cp1251", "Cyrillic (cp1251)"),
    ("gb18030", "Chinese Simplified (GB18030)"), ("big5", "Chinese Traditional (Big5)"),
    ("cp932", "Japanese (Shift-JIS, cp932)"), ("cp949", "Korean (cp949)"), ("utf-16", "UTF-16"),
]
OTHER = "other"
SAMPLES = 3


@dataclass(frozen=True)
class RefreshChoice:
    """The file is a newer export of an existing source: which one, and the column that links rows."""

    source_id: int
    source_name: str
    key: str | None = None      # a column header; None: the column mapped to customer_id, else identical rows


class PreviewPage(QWizardPage):
    """The first rows as they would be stored, with the detected reading options and overrides."""

    def __init__(self, path: Path, preview: Preview, options: ImportOptions) -> None:
        super().__init__()
        self.path = path
        self.base_options = options      # a password, if the workbook needed one
        self.first = preview             # what detection alone chose, shown as "Detected: …"
        self.preview: Preview | None = preview
        self.setTitle(f"Preview of {path.name}")
        self.setSubTitle("Check the values below. If they look wrong, change how the file is read; "
                         "the preview follows at once. Nothing is imported yet.")
        text_file = preview.kind == "csv"
        self.encoding_combo = QComboBox()
        guess = preview.encoding
        if guess is not None:
            self.encoding_combo.addItem(f"Detected: {guess.encoding} ({_how(guess.method, guess.confidence)})", None)
        for name, label in ENCODINGS:
            self.encoding_combo.addItem(label, name)
        self.replace_check = QCheckBox("Replace bytes that do not decode with \ufffd (such rows are flagged)")
        self.delimiter_combo = QComboBox()
        self.delimiter_combo.addItem(f"Detected: {delimiter_name(preview.delimiter)}", None)
        for delimiter, name in DELIMITER_NAMES.items():
            self.delimiter_combo.addItem(name, delimiter)
        self.delimiter_combo.addItem("Other:", OTHER)
        self.other_delimiter = QLineEdit()
        self.other_delimiter.setMaxLength(1)
        self.other_delimiter.setFixedWidth(40)
        self.other_delimiter.setEnabled(False)
        self.header_combo = QComboBox()
        detected = preview.detected_header_row
        self.header_combo.addItem(f"Detected: row {detected}" if detected else "Detected: none", None)
        self.header_combo.addItem("None (columns are numbered)", 0)
        for row in range(1, SCAN_ROWS + 1):
            self.header_combo.addItem(f"Row {row}", row)
        self.sheet_combo = QComboBox()
        for name, description in preview.sheets:
            self.sheet_combo.addItem(description, name)
        self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findData(preview.sheet)))
        delimiter_row = QHBoxLayout()
        delimiter_row.addWidget(self.delimiter_combo)
        delimiter_row.addWidget(self.other_delimiter)
        delimiter_row.addStretch(1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        if text_file:
            form.addRow("&Encoding:", self.encoding_combo)
            form.addRow("", self.replace_check)
            delimiter_label = QLabel("&Delimiter:")
            delimiter_label.setBuddy(self.delimiter_combo)
            form.addRow(delimiter_label, delimiter_row)
        else:
            form.addRow("&Sheet:", self.sheet_combo)
        form.addRow("&Header:", self.header_combo)
        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setResizeContentsPrecision(SCAN_ROWS)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        for combo in (self.encoding_combo, self.delimiter_combo, self.header_combo, self.sheet_combo):
            combo.currentIndexChanged.connect(self._on_option_changed)
        self.replace_check.toggled.connect(self._on_option_changed)
        self.other_delimiter.textChanged.connect(self._on_option_changed)
        self._show(preview, None)

    def options(self) -> ImportOptions:
        """The reading options as chosen; what was left on "Detected" stays None, so the import detects alike."""
        delimiter = self.delimiter_combo.currentData()
        if delimiter == OTHER:
            delimiter = self.other_delimiter.text() or None
        return dataclasses.replace(
            self.base_options, encoding=self.encoding_combo.currentData(), delimiter=delimiter,
            header_row=self.header_combo.currentData(), replace_invalid=self.replace_check.isChecked(),
            sheet=self.sheet_combo.currentData() if self.first.kind != "csv" else None)

    def refresh(self) -> None:
        """Read the first rows again with the current options."""
        try:
            preview = preview_file(self.path, self.options())
        except StewardError as error:
            self._show(None, str(error))
        else:
            self._show(preview, None)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.preview is not None

    def _on_option_changed(self) -> None:
        self.other_delimiter.setEnabled(self.delimiter_combo.currentData() == OTHER)
        self.refresh()

    def _show(self, preview: Preview | None, error: str | None) -> None:
        self.preview = preview
        self.model.set_preview(preview)
        if preview is None:
            self.status.setText(f"This file cannot be read this way: {error}")
            self.status.setStyleSheet("color: #b00020;")
        else:
            rejected = self.model.rejected_count()
            shown = f"the first {len(preview.rows)} rows" if preview.more else f"all {len(preview.rows)} rows"
            text = f"Showing {shown} besides the header, as they would be stored."
            if rejected:
                text += f" {rejected} of them would not be imported (tinted red; point at one to see why)."
            self.status.setText(text)
            self.status.setStyleSheet("")
            self.table.resizeColumnsToContents()
            header = self.table.horizontalHeader()
            for column in range(self.model.columnCount()):
                header.resizeSection(column, min(header.sectionSize(column) + 12, 240))
        self.completeChanged.emit()


class MappingPage(QWizardPage):
    """One row per column: its header, sample values and the canonical field it holds."""

    def __init__(self, project: Project, path: Path) -> None:
        super().__init__()
        self.setTitle("Columns")
        self.setSubTitle("Say which known field each column holds; suggestions come from the headers. "
                         "Unmapped columns are kept too.")
        self.preview: Preview | None = None
        self.combos: list[QComboBox] = []
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Column", "Sample values", "Field"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.name_edit = QLineEdit(path.stem)
        self.refresh_check = QCheckBox("This file is a newer export of source")
        self.source_combo = QComboBox()
        for source in store.current_sources(project):
            self.source_combo.addItem(source.name, source.id)
        self.key_combo = QComboBox()
        self.refresh_check.setEnabled(self.source_combo.count() > 0)
        self.refresh_check.toggled.connect(self._on_refresh_check_toggled)
        self._on_refresh_check_toggled(False)
        refresh_row = QHBoxLayout()
        refresh_row.addWidget(self.refresh_check)
        refresh_row.addWidget(self.source_combo, 1)
        refresh_row.addWidget(QLabel("matching rows by"))
        refresh_row.addWidget(self.key_combo, 1)
        form = QFormLayout()
        form.addRow("Source &name:", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(refresh_row)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        preview = self.wizard().preview_page.preview
        self.preview = preview
        self.combos = []
        self.table.setRowCount(preview.width)
        for column in range(preview.width):
            self.table.setItem(column, 0, QTableWidgetItem(preview.labels[column]))
            samples = [row.values[column] for row in preview.rows
                       if not row.rejected and column < len(row.values) and row.values[column].strip()]
            self.table.setItem(column, 1, QTableWidgetItem(" · ".join(samples[:SAMPLES])))
            combo = QComboBox()
            combo.addItem("(not mapped)", "")
            for field in FIELDS:
                combo.addItem(field, field)
            combo.setCurrentIndex(max(0, combo.findData(preview.suggestions[column] or "")))
            combo.currentIndexChanged.connect(lambda _index, c=column: self._on_field_combo_changed(c))
            self.table.setCellWidget(column, 2, combo)
            self.combos.append(combo)
        self.key_combo.clear()
        self.key_combo.addItem("the customer_id column, else identical rows", None)
        for column, header in enumerate(preview.headers):
            if header.strip():
                self.key_combo.addItem(f"column {preview.labels[column]}", header)

    def mapping(self) -> dict[str, str]:
        """The columns whose field differs from the suggestion, as ``#N`` → field ('' for none)."""
        if self.preview is None:
            return {}
        return {f"#{column + 1}": combo.currentData() for column, combo in enumerate(self.combos)
                if combo.currentData() != (self.preview.suggestions[column] or "")}

    def refresh_choice(self) -> RefreshChoice | None:
        if not self.refresh_check.isChecked() or self.source_combo.currentData() is None:
            return None
        return RefreshChoice(self.source_combo.currentData(), self.source_combo.currentText(),
                             self.key_combo.currentData())

    def _on_field_combo_changed(self, column: int) -> None:
        """A field belongs to one column: choosing it here unmaps it wherever else it was."""
        field = self.combos[column].currentData()
        if not field:
            return
        for other, combo in enumerate(self.combos):
            if other != column and combo.currentData() == field:
                combo.setCurrentIndex(0)

    def _on_refresh_check_toggled(self, checked: bool) -> None:
        self.source_combo.setEnabled(checked)
        self.key_combo.setEnabled(checked)


class ImportWizard(QWizard):
    """Preview with overrides, then the column mapping; Finish ("Import") hands the choices to the caller."""

    def __init__(self, project: Project, path: Path, preview: Preview, options: ImportOptions | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(f"Import {path.name}")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Import")
        self.resize(960, 640)
        self.preview_page = PreviewPage(path, preview, options or ImportOptions())
        self.mapping_page = MappingPage(project, path)
        self.addPage(self.preview_page)
        self.addPage(self.mapping_page)

    def options(self) -> ImportOptions:
        """Everything chosen, as the import takes it."""
        name = self.mapping_page.name_edit.text().strip()
        return dataclasses.replace(self.preview_page.options(), mapping=self.mapping_page.mapping(),
                                   source_name=name if name and name != self.path.stem else None)

    def refresh_choice(self) -> RefreshChoice | None:
        return self.mapping_page.refresh_choice()


def _how(method: str, confidence: float) -> str:
    if method == "detected":
        return f"guessed, confidence {confidence:.0%}"
    return {"bom": "byte-order mark", "utf-8": "valid UTF-8", "utf-16-heuristic": "byte pattern"}.get(method, method)
