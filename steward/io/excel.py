"""Reading Excel workbooks as rows of text, the way a person sees them.

.xlsx is read with openpyxl in read-only, streaming mode (defusedxml guards the
XML); legacy .xls with python-calamine. Cells become the text Excel would
show (leading zeros from ``00000`` formats, ISO dates), and anything that may
already be wrong in the workbook (formulas without a stored value, numbers
beyond 15 digits) is flagged on the row rather than silently passed on.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import ImportFailed

MAX_UNCOMPRESSED = 2 << 30      # refuse workbooks that expand beyond 2 GiB
MAX_RATIO = 200                 # or whose large parts compress suspiciously well
_ZERO_FORMAT = re.compile(r"^0+$")


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str      # visible | hidden | veryHidden
    rows: int
    columns: int

    def describe(self) -> str:
        hidden = "" if self.state == "visible" else f", {self.state}"
        return f"'{self.name}' ({self.rows} rows{hidden})"


@dataclass(frozen=True)
class ExcelRow:
    row_no: int                 # 1-based sheet row
    values: list[str]
    flags: list[str]


class Workbook:
    """An opened workbook: decrypted in memory when protected, never on disk."""

    def __init__(self, path: Path, kind: str, password: str | None = None) -> None:
        self.path = path
        self.data: io.BytesIO | Path = path
        self.format = "xlsx"
        if kind == "ole2":
            self.data, self.format = _open_ole2(path, password)
        if self.format == "xlsx":
            _check_zip(path, self.data)

    # -- sheets ------------------------------------------------------------------

    def sheets(self) -> list[SheetInfo]:
        if self.format == "xls":
            return self._xls_sheets()
        book = self._openpyxl(data_only=True)
        try:
            result = []
            for ws in book.worksheets:
                rows = ws.max_row or 0
                cols = ws.max_column or 0
                if rows == 1 and cols == 1 and next(ws.iter_rows(values_only=True), (None,))[0] is None:
                    rows = cols = 0
                result.append(SheetInfo(ws.title, ws.sheet_state, rows, cols))
            return result
        finally:
            book.close()

    def choose_sheet(self, wanted: str | None) -> str:
        """The sheet to import: the one named, or the only visible non-empty one."""
        sheets = self.sheets()
        listing = ", ".join(s.describe() for s in sheets)
        if wanted is not None:
            if any(s.name == wanted for s in sheets):
                return wanted
            raise ImportFailed(f"{self.path.name} has no sheet named '{wanted}'. Its sheets: {listing}.")
        candidates = [s for s in sheets if s.state == "visible" and s.rows > 0]
        if len(candidates) == 1:
            return candidates[0].name
        if not candidates:
            raise ImportFailed(f"{self.path.name} has no visible sheet with data ({listing}). Choose a sheet by name.")
        raise ImportFailed(f"{self.path.name} has several sheets: {listing}. Choose the sheet to import.")

    # -- rows --------------------------------------------------------------------

    def rows(self, sheet: str) -> Iterator[ExcelRow]:
        """Every row of the sheet up to the last non-empty one, as text."""
        source = self._xls_rows(sheet) if self.format == "xls" else self._xlsx_rows(sheet)
        held: list[ExcelRow] = []  # blank rows are held back until data follows them
        for row in source:
            if any(row.values):
                yield from held
                held.clear()
                yield row
            else:
                held.append(row)

    def _xlsx_rows(self, sheet: str) -> Iterator[ExcelRow]:
        values_book = self._openpyxl(data_only=True)
        formula_book = self._openpyxl(data_only=False)
        try:
            values = values_book[sheet].iter_rows()
            formulas = formula_book[sheet].iter_rows()
            for row_no, (cells, raw_cells) in enumerate(zip(values, formulas), start=1):
                texts, flags = [], []
                for col, (cell, raw) in enumerate(zip(cells, raw_cells), start=1):
                    text, note = _cell_text(cell.value, getattr(cell, "number_format", "General"))
                    formula = raw.value if getattr(raw, "data_type", None) == "f" else None
                    if isinstance(formula, str):
                        if cell.value is None:
                            note = f"formula {formula} has no stored value; open and save the file in Excel"
                        elif note is None:
                            note = f"value of formula {formula}"
                    if note:
                        flags.append(f"column {col}: {note}")
                    texts.append(text)
                yield ExcelRow(row_no, texts, flags)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError) as exc:
            raise _damaged(self.path, exc) from None
        finally:
            values_book.close()
            formula_book.close()

    def _openpyxl(self, data_only: bool) -> Any:
        import openpyxl

        source = self.data
        if isinstance(source, io.BytesIO):
            source = io.BytesIO(source.getvalue())
        try:
            return openpyxl.load_workbook(source, read_only=True, data_only=data_only, keep_links=False)
        except Exception as exc:  # openpyxl raises many kinds for broken parts
            raise _damaged(self.path, exc) from None

    def _calamine(self) -> Any:
        from python_calamine import CalamineWorkbook

        try:
            if isinstance(self.data, io.BytesIO):
                return CalamineWorkbook.from_filelike(io.BytesIO(self.data.getvalue()))
            return CalamineWorkbook.from_path(str(self.data))
        except Exception as exc:
            raise _damaged(self.path, exc) from None

    def _xls_sheets(self) -> list[SheetInfo]:
        book = self._calamine()
        result = []
        for meta in book.sheets_metadata:
            sheet = book.get_sheet_by_name(meta.name)
            state = {"visible": "visible", "hidden": "hidden"}.get(str(meta.visible).split(".")[-1].lower(), "veryHidden")
            result.append(SheetInfo(meta.name, state, sheet.height, sheet.width))
        return result

    def _xls_rows(self, sheet: str) -> Iterator[ExcelRow]:
        book = self._calamine()
        try:
            data = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise _damaged(self.path, exc) from None
        for row_no, cells in enumerate(data, start=1):
            texts, flags = [], []
            for col, value in enumerate(cells, start=1):
                text, note = _cell_text(None if value == "" else value, "General")
                if note:
                    flags.append(f"column {col}: {note}")
                texts.append(text)
            yield ExcelRow(row_no, texts, flags)


def _cell_text(value: Any, number_format: str) -> tuple[str, str | None]:
    """The text a cell shows, and a note when that text may not be what was meant."""
    if value is None:
        return "", None
    if isinstance(value, str):
        return value, None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat(), None
        return value.isoformat(sep=" "), None
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat(), None
    if isinstance(value, dt.timedelta):
        return str(value), None
    if isinstance(value, (int, float)):
        return _number_text(value, number_format)
    return str(value), None


def _number_text(value: int | float, number_format: str) -> tuple[str, str | None]:
    note = None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, float):
        if abs(value) >= 1e15:
            return str(int(value)) if value.is_integer() else repr(value), (
                "number has more than 15 digits; Excel already lost its last digits. Re-export this column as text")
        return repr(value), None
    if abs(value) >= 10**15:
        note = "number has more than 15 digits; Excel may have lost its last digits. Re-export this column as text"
    text = str(value)
    if number_format and _ZERO_FORMAT.match(number_format) and len(text) < len(number_format) and value >= 0:
        text = text.zfill(len(number_format))
        note = f"leading zeros restored from the cell format {number_format}"
    return text, note


def _check_zip(path: Path, data: io.BytesIO | Path) -> None:
    try:
        with zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data.getvalue())) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError) as exc:
        raise _damaged(path, exc) from None
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        kind = "a Word document" if "word/document.xml" in names else "a zip archive, not an Excel workbook"
        raise ImportFailed(f"{path.name} is {kind}. Import a CSV, TSV, TXT or Excel file.")
    total = sum(i.file_size for i in infos)
    for info in infos:
        if info.file_size > 50 << 20 and info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise ImportFailed(f"{path.name}: part {info.filename} expands {info.file_size // info.compress_size}× "
                               "when unpacked, which is typical of a zip bomb. Nothing was imported.")
    if total > MAX_UNCOMPRESSED:
        raise ImportFailed(f"{path.name} expands to {total >> 20} MiB when unpacked, over the "
                           f"{MAX_UNCOMPRESSED >> 20} MiB limit. Save the sheet as CSV and import that.")


def _open_ole2(path: Path, password: str | None) -> tuple[io.BytesIO | Path, str]:
    import msoffcrypto
    from msoffcrypto.exceptions import FileFormatError, InvalidKeyError

    with open(path, "rb") as handle:
        try:
            office = msoffcrypto.OfficeFile(handle)
            encrypted = office.is_encrypted()
        except Exception:
            encrypted = False
        if not encrypted:
            return path, "xls"
        if not password:
            raise ImportFailed(f"{path.name} is password-protected. Enter its password to import it.")
        decrypted = io.BytesIO()
        try:
            office.load_key(password=password)
            office.decrypt(decrypted)
        except InvalidKeyError:
            raise ImportFailed(f"{path.name}: wrong password. Nothing was imported; try again.") from None
        except (FileFormatError, Exception) as exc:
            raise ImportFailed(f"{path.name} is protected in a way Steward cannot open ({exc}). "
                               "Save an unprotected copy in Excel and import that.") from None
    decrypted.seek(0)
    head = decrypted.getvalue()[:4]
    return decrypted, "xlsx" if head == b"PK\x03\x04" else "xls"


def _damaged(path: Path, exc: BaseException) -> ImportFailed:
    return ImportFailed(f"{path.name}: the workbook appears damaged or incompletely downloaded "
                        f"({type(exc).__name__}). Nothing was imported. Download or save it again.")
