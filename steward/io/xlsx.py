"""Streaming an export into an XLSX workbook as text cells only.

openpyxl would turn a value starting with ``=`` into a live formula and
``#N/A`` into an error cell; here every value stays text, so nothing a
customer typed can run when the file is opened. Values a workbook cannot
hold exactly are refused with the row and column to look at, never cut or
altered on the way. Rows beyond Excel's limit continue on further sheets
named ``Sheet1``, ``Sheet2``, …, each starting with the header.
"""

from __future__ import annotations

import re
from contextlib import suppress
from typing import IO, Any, Iterable, Sequence

from ..errors import StewardError

MAX_ROWS = 1_048_576        # per sheet, header included
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767     # counted as Excel does, in UTF-16 units: an emoji takes two

# What XML 1.0 cannot hold; a carriage return, which every reader turns into a
# line feed; and text like _x0041_, which Excel reads as an escaped character.
_UNKEEPABLE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_TO_CSV = "Export as CSV instead, which keeps every value exactly. The previous file, if any, is unchanged."


def write_workbook(handle: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[str]], *, name: str,
                   max_rows: int = MAX_ROWS) -> tuple[int, int]:
    """Write the workbook to ``handle``; return (data rows, sheets). ``name`` is the file named in refusals."""
    if max_rows < 2:
        raise ValueError("a sheet needs room for the header and at least one row")
    _check(name, 0, header, header)
    # Imported here: openpyxl takes a fifth of a second to load and only XLSX exports need it.
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    written = sheets = 0
    try:
        for row in rows:
            if written % (max_rows - 1) == 0:
                sheets += 1
                sheet = _new_sheet(book, sheets, header)
            written += 1
            _check(name, written, header, row)
            sheet.append(_cells(sheet, row))
        if not sheets:
            sheets = 1
            _new_sheet(book, sheets, header)
    except BaseException:
        # openpyxl streams each sheet through a file in the system temp folder and
        # deletes it only on save (or at exit): save into the handle the caller is
        # about to delete, so no copy of the rows outlives a failed export.
        with suppress(Exception):
            book.save(handle)
        raise
    book.save(handle)
    return written, sheets


def _new_sheet(book: Any, number: int, header: Sequence[str]) -> Any:
    sheet = book.create_sheet(f"Sheet{number}")
    sheet.append(_cells(sheet, header))
    return sheet


def _cells(sheet: Any, values: Sequence[str]) -> list[Any]:
    """Values as openpyxl should store them: text, even where openpyxl would guess a formula or an error."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for value in values:
        if value[:1] in ("=", "#"):  # the only text openpyxl would store as a formula or an error
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def _check(name: str, row_no: int, header: Sequence[str], values: Sequence[str]) -> None:
    """Refuse a row the workbook could not hold exactly, naming the file, row and column."""
    where = f"row {row_no}" if row_no else "the header"
    if len(values) > MAX_COLUMNS:
        first_left_out = _column(header, MAX_COLUMNS, by_name=True)
        raise StewardError(f"Cannot write {name}: {where} has {len(values):,} columns; a sheet holds at most "
                           f"{MAX_COLUMNS:,}, so column {first_left_out} does not fit. {_TO_CSV}")
    for index, value in enumerate(values):
        if len(value) > MAX_CELL_CHARS // 2 and (length := _excel_length(value)) > MAX_CELL_CHARS:
            problem = f"is {length:,} characters long; an XLSX cell holds at most {MAX_CELL_CHARS:,}"
        elif found := _UNKEEPABLE.search(value):
            problem = _describe(found.group())
        else:
            continue
        column = _column(header, index, by_name=bool(row_no))
        raise StewardError(f"Cannot write {name}: {where}, column {column} {problem}. {_TO_CSV}")


def _column(header: Sequence[str], index: int, *, by_name: bool) -> str:
    """A column by its header text, or by number where that text is missing or is itself the problem."""
    return f"'{header[index]}'" if by_name and index < len(header) else f"number {index + 1}"


def _excel_length(value: str) -> int:
    """Length as Excel counts it: in UTF-16 units, so characters beyond U+FFFF count twice."""
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def _describe(text: str) -> str:
    """Why ``text`` (a match of _UNKEEPABLE) cannot go into a workbook."""
    if len(text) > 1:
        return f"contains '{text}', which Excel would read as an escaped character"
    if text == "\r":
        return "contains a carriage return, which XLSX readers turn into a line feed"
    return f"contains the character U+{ord(text):04X}, which an XLSX file cannot hold"
