"""The first rows of a file as an import would store them, without writing anything.

The import wizard shows this before the user commits to an import, so a wrong
encoding, delimiter or header guess is caught by eye. It reads through the
importer's own code (kind, encoding and delimiter detection, header search,
row fitting), so what the preview shows is what the import would store.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .errors import SheetChoiceNeeded
from .importer import ImportOptions, _fit, _header_index, _take, _width, _without_nul, open_for_import
from .io import excel, header as header_mod, sniff
from .mapping import suggest_mapping

PREVIEW_ROWS = 50


@dataclass(frozen=True)
class PreviewRow:
    """One row of the file: its line (or sheet row), the values it would store, and why it would not."""

    line_no: int
    values: list[str]
    rejected: str | None = None     # the reason the import would quarantine this row
    notes: tuple[str, ...] = ()     # notes the import would attach to the record


@dataclass(frozen=True)
class Preview:
    """How a file would be read with the given options, and its first rows."""

    kind: str                                   # csv | xlsx | xls
    encoding: sniff.EncodingGuess | None        # None for workbooks
    delimiter: str | None
    sheets: list[tuple[str, str]]               # (name, description) of every sheet of a workbook
    sheet: str | None
    header_row: int | None                      # 1-based row taken as the header; None: no header
    detected_header_row: int | None             # what detection alone would take
    headers: list[str]
    labels: list[str]
    suggestions: list[str | None]               # suggested canonical field per column
    rows: list[PreviewRow]
    more: bool                                  # the file has rows beyond those shown

    @property
    def width(self) -> int:
        return len(self.headers)


def preview_file(path: str | Path, options: ImportOptions | None = None, limit: int = PREVIEW_ROWS) -> Preview:
    """Read the first ``limit`` data rows of ``path`` the way ``import_file`` would with ``options``.

    Raises the import's own errors (ImportFailed, EncodingError, PasswordRequired) when it could not read them.
    A workbook with several sheets previews the one the import would suggest unless ``options.sheet`` names one.
    """
    path = Path(path)
    options = options or ImportOptions()
    sheets: list[tuple[str, str]] = []
    if path.is_file() and sniff.file_kind(path) in ("xlsx", "ole2"):
        sheets, options = _workbook_sheets(path, options)
    reading = open_for_import(path, options)
    rows = iter(reading.rows)
    try:
        head = _take(rows, header_mod.SCAN_ROWS)
        detected = header_mod.find_header_row([fields or [] for _, fields, _, _ in head])
        header_index = _header_index(head, options.header_row, path)
        after = 0 if header_index is None else header_index + 1
        wanted = after + limit + 1 - len(head)   # one more than shown tells whether there are more
        taken = head + (_take(rows, wanted) if wanted > 0 else [])
    finally:
        close = getattr(reading.rows, "close", None)
        if close is not None:
            close()   # the reader holds the file open until its generator ends
    width = _width(head, header_index)
    headers = [""] * width
    if header_index is not None:
        headers = (_without_nul(list(head[header_index][1]), [])[0] + [""] * width)[:width]
    shown: list[PreviewRow] = []
    for index, (line_no, fields, _raw, flags) in enumerate(taken[: after + limit]):
        if index < after - 1:
            shown.append(PreviewRow(line_no, list(fields or []), "title line above the header row"))
        elif index >= after:
            shown.append(_shape(line_no, fields, flags, width, reading.kind, options.replace_invalid))
    labels, _notes = header_mod.make_labels(headers if header_index is not None else [""] * width)
    suggestions = suggest_mapping(headers) if header_index is not None else [None] * width
    return Preview(reading.kind, reading.encoding, reading.delimiter, sheets, reading.sheet,
                   None if header_index is None else header_index + 1,
                   None if detected is None else detected + 1, headers, labels, suggestions, shown,
                   len(taken) > after + limit)


def _workbook_sheets(path: Path, options: ImportOptions) -> tuple[list[tuple[str, str]], ImportOptions]:
    """Every sheet of the workbook, and the options with the sheet the import would take filled in."""
    book = excel.Workbook(path, sniff.file_kind(path), options.password)
    sheets = [(s.name, s.describe()) for s in book.sheets()]
    if options.sheet is None:
        try:
            sheet = book.choose_sheet(None)
        except SheetChoiceNeeded as choice:
            sheet = choice.suggested
        options = dataclasses.replace(options, sheet=sheet)
    return sheets, options


def _shape(line_no: int, fields: list[str] | None, flags: list[str], width: int, kind: str,
           replaced: bool) -> PreviewRow:
    """A row fitted to the header's width exactly as the import fits it."""
    if fields is None:
        return PreviewRow(line_no, [], flags[0] if flags else "unreadable row")
    if len(fields) != width or (kind != "csv" and not any(fields)):
        fields, flags, reason = _fit(fields, flags, width, kind)
        if reason:
            return PreviewRow(line_no, list(fields), reason)
    fields, flags = _without_nul(list(fields), flags)
    if replaced and any("\ufffd" in value for value in fields):
        flags = flags + ["invalid bytes replaced by \ufffd"]
    return PreviewRow(line_no, fields, None, tuple(flags))

