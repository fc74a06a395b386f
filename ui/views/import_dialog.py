"""Dialogs around an import: the summary afterwards and the rejected rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout, QHeaderView, QLabel,
                               QTableView, QVBoxLayout, QWidget)

from steward.audit import Entry
from steward.importer import ImportResult
from steward.io.text_reader import delimiter_name
from steward.refresh import summarise
from steward.store import RejectedRow
from ui.models.rejected_model import RejectedModel


def format_bytes(count: int) -> str:
    size = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{count} bytes"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def encoding_text(result: ImportResult) -> str:
    if not result.encoding:
        return "— (workbook)"
    confidence = "" if result.encoding_confidence is None else f", confidence {result.encoding_confidence:.0%}"
    how = {"bom": "byte-order mark", "utf-8": "valid UTF-8", "detected": "guessed", "user": "chosen"}
    method = how.get(result.encoding_method or "", result.encoding_method or "")
    return f"{result.encoding} ({method}{confidence})" if method else f"{result.encoding}{confidence}"


def refresh_text(entry: Entry, earlier: str) -> str:
    """What a refresh carried over from the earlier source, in words."""
    counts = summarise(entry)
    flags = entry.after.get("flags", []) if isinstance(entry.after, dict) else []
    text = (f"'{earlier}': {counts['linked']:,} rows linked to earlier ones ({counts['changed']:,} changed), "
            f"{counts['new']:,} new, {counts['gone']:,} gone.\n"
            f"Carried over: {counts['fixes']:,} fixes, {counts['merged']:,} records in golden records, "
            f"{counts['rejected']:,} not-duplicate marks.")
    if flags:
        text += f"\n{plural(len(flags), 'row')} to review (see the audit trail); Undo reverts the carry-over only."
    return text


class ImportSummaryDialog(QDialog):
    """What an import did: counts first, then how the file was read and what to check."""

    def __init__(self, result: ImportResult, parent: QWidget | None = None, refresh: Entry | None = None,
                 earlier: str | None = None) -> None:
        super().__init__(parent)
        self.result = result
        self.setWindowTitle(f"Imported {result.file_name}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        headline = QLabel(f"<b>{plural(result.imported, 'record')}</b> imported, "
                          f"<b>{plural(result.rejected, 'row')}</b> rejected "
                          f"(of {plural(result.rows_in_file, 'row')} in the file).")
        headline.setWordWrap(True)
        layout.addWidget(headline)
        form = QFormLayout()
        form.addRow("Source:", QLabel(result.source_name))
        form.addRow("Encoding:", QLabel(encoding_text(result)))
        if result.delimiter:
            form.addRow("Delimiter:", QLabel(delimiter_name(result.delimiter)))
        if result.sheet:
            form.addRow("Sheet:", QLabel(result.sheet))
        header = f"row {result.header_row}" if result.header_row else "none (columns are numbered)"
        form.addRow("Header:", QLabel(header))
        mapped = sum(1 for m in result.mapping if m)
        form.addRow("Columns:", QLabel(f"{len(result.labels)} ({mapped} mapped to known fields)"))
        if result.flagged:
            form.addRow("With notes:", QLabel(f"{plural(result.flagged, 'record')} (marked in the row numbers)"))
        if refresh is not None:
            form.addRow("Refreshes:", QLabel(refresh_text(refresh, earlier or "")))
        layout.addLayout(form)
        self.warnings = list(result.warnings)
        if result.warnings:
            layout.addWidget(QLabel("<b>Please check:</b>"))
            notes = QLabel("\n".join(f"• {warning[:1].upper()}{warning[1:]}." if not warning.endswith(".")
                                     else f"• {warning[:1].upper()}{warning[1:]}" for warning in result.warnings))
            notes.setWordWrap(True)
            notes.setTextFormat(Qt.TextFormat.PlainText)
            notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(notes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.show_rejected_button = None
        if result.rejected:
            self.show_rejected_button = buttons.addButton("Show rejected rows…",
                                                          QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


class RejectedRowsDialog(QDialog):
    """The quarantined rows of a source, verbatim, with line and reason."""

    def __init__(self, source_name: str, rows: list[RejectedRow], total: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Rejected rows — {source_name}")
        self.resize(820, 420)
        layout = QVBoxLayout(self)
        text = (f"{total:,} rows of the file were not imported. They are kept exactly as they were; "
                "fix them in the file and import it again if they matter.")
        if total > len(rows):
            text += (f" Showing the first {len(rows):,}; the command 'steward rejected' lists them all.")
        note = QLabel(text)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.model = RejectedModel(rows, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
