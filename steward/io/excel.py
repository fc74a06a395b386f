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
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Iterator
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException

from ..errors import ImportFailed, PasswordRequired, SheetChoiceNeeded, WrongPassword
from ..progress import Progress, no_progress

MAX_UNCOMPRESSED = 2 << 30      # refuse workbooks that expand beyond 2 GiB
MAX_RATIO = 200                 # or whose large parts compress suspiciously well
BOMB_PART_BYTES = 50 << 20      # parts smaller than this are never refused for their ratio
PROGRESS_ROWS = 1000            # report progress (and allow cancelling) this often
_ZERO_FORMAT = re.compile(r"^0+$")
_FULL_CALC_ON_LOAD = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad\s*=\s*[\"'](?:1|true)[\"']")
# What a broken part raises while it streams: zip, inflate and XML errors.
_READ_ERRORS = (KeyError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, SyntaxError, ExpatError)


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str      # visible | hidden | veryHidden
    rows: int
    columns: int

    def describe(self) -> str:
        hidden = "" if self.state == "visible" else f", {self.state}"
        rows = "1 row" if self.rows == 1 else f"{self.rows} rows"
        return f"'{self.name}' ({rows}{hidden})"


@dataclass(frozen=True)
class ExcelRow:
    row_no: int                 # 1-based sheet row
    values: list[str]
    flags: list[str]


class Workbook:
    """An opened workbook: decrypted in memory when protected, never on disk.

    The format comes from the bytes (``kind`` from ``sniff.file_kind``), never
    from the file name, so a workbook renamed .csv or .xls still opens.
    """

    def __init__(self, path: Path, kind: str, password: str | None = None) -> None:
        self.path = path
        self.data: io.BytesIO | Path = path
        self.format = "xlsx"
        self.recalc_on_load = False
        self._sheets: list[SheetInfo] | None = None
        if kind == "ole2":
            self.data, self.format = _open_ole2(path, password)
        if self.format == "xlsx":
            self.recalc_on_load = _check_zip(path, self.data)

    # -- sheets ------------------------------------------------------------------

    def sheets(self) -> list[SheetInfo]:
        """Every sheet with its visibility and size, read once per workbook."""
        if self._sheets is None:
            self._sheets = self._xls_sheets() if self.format == "xls" else self._xlsx_sheets()
        return self._sheets

    def _xlsx_sheets(self) -> list[SheetInfo]:
        with self._openpyxl(data_only=True) as book:
            try:
                return [SheetInfo(ws.title, ws.sheet_state, *_sheet_size(ws)) for ws in book.worksheets]
            except _READ_ERRORS as exc:
                raise _damaged(self.path, exc) from None

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
        raise SheetChoiceNeeded(f"{self.path.name} has several sheets: {listing}. Choose the sheet to import.",
                                [(s.name, s.describe()) for s in sheets], candidates[0].name)

    # -- rows --------------------------------------------------------------------

    def rows(self, sheet: str, progress: Progress = no_progress) -> Iterator[ExcelRow]:
        """Every row of the sheet up to the last non-empty one, as text.

        ``progress(rows read, rows expected)`` is called every PROGRESS_ROWS
        rows; raising ``Cancelled`` from it stops the read.
        """
        source = self._xls_rows(sheet) if self.format == "xls" else self._xlsx_rows(sheet)
        expected = next((s.rows for s in self.sheets() if s.name == sheet), 0)
        held: list[ExcelRow] = []  # blank rows are held back until data follows them
        done = 0
        for row in source:
            done = row.row_no
            if done % PROGRESS_ROWS == 0:
                progress(done, max(expected, done))
            if any(row.values):
                yield from held
                held.clear()
                yield row
            else:
                held.append(row)
        progress(done, done)

    def _xlsx_rows(self, sheet: str) -> Iterator[ExcelRow]:
        """Read values and formulas side by side; the workbook is never recalculated."""
        row_no = 0
        with self._openpyxl(data_only=True) as values_book, self._openpyxl(data_only=False) as formula_book:
            try:
                values_sheet, formula_sheet = values_book[sheet], formula_book[sheet]
                width = values_sheet.max_column or 0
                # The stored size may be smaller than the data; reading without it loses no cell.
                values_sheet.reset_dimensions()
                formula_sheet.reset_dimensions()
                pairs = zip(values_sheet.iter_rows(), formula_sheet.iter_rows())
                for row_no, (cells, raw_cells) in enumerate(pairs, start=1):
                    texts, flags = [], []
                    for col, (cell, raw) in enumerate(zip(cells, raw_cells), start=1):
                        text, note = _cell_text(cell.value, getattr(cell, "number_format", "General"))
                        formula = raw.value if getattr(raw, "data_type", None) == "f" else None
                        if isinstance(formula, str):
                            note = self._formula_note(formula, cell.value, note)
                        if note:
                            flags.append(f"column {col}: {note}")
                        texts.append(text)
                    texts += [""] * (width - len(texts))
                    yield ExcelRow(row_no, texts, flags)
            except _READ_ERRORS as exc:
                raise _damaged(self.path, exc, after_row=row_no) from None

    def _formula_note(self, formula: str, cached: Any, note: str | None) -> str:
        if cached is None:
            return f"formula {formula} has no stored value (not calculated); open and save the file in Excel"
        if self.recalc_on_load and cached in (0, ""):
            # Writers such as xlsxwriter store 0 and ask Excel to calculate on opening.
            return (f"formula {formula} was probably not calculated (stored value {cached!r}); "
                    "open and save the file in Excel")
        return note or f"value of formula {formula}"

    @contextmanager
    def _openpyxl(self, data_only: bool) -> Iterator[Any]:
        """openpyxl in streaming mode, given bytes so that it ignores the file's extension."""
        import openpyxl

        handle: IO[bytes]
        if isinstance(self.data, io.BytesIO):
            handle = io.BytesIO(self.data.getvalue())
        else:
            handle = open(self.data, "rb")
        try:
            try:
                book = openpyxl.load_workbook(handle, read_only=True, data_only=data_only, keep_links=False)
            except Exception as exc:  # openpyxl raises many kinds for broken parts
                raise _damaged(self.path, exc) from None
            try:
                yield book
            finally:
                book.close()
        finally:
            handle.close()

    def _calamine(self) -> Any:
        """python-calamine, given bytes: it would otherwise choose the format by extension."""
        from python_calamine import CalamineWorkbook

        try:
            if isinstance(self.data, io.BytesIO):
                return CalamineWorkbook.from_filelike(io.BytesIO(self.data.getvalue()))
            with open(self.data, "rb") as handle:
                return CalamineWorkbook.from_filelike(handle)
        except Exception as exc:
            raise _damaged(self.path, exc) from None

    def _xls_sheets(self) -> list[SheetInfo]:
        book = self._calamine()
        result = []
        try:
            for meta in book.sheets_metadata:
                sheet = book.get_sheet_by_name(meta.name)
                state = {"visible": "visible", "hidden": "hidden"}.get(str(meta.visible).split(".")[-1].lower(),
                                                                       "veryHidden")
                result.append(SheetInfo(meta.name, state, sheet.height, sheet.width))
        except Exception as exc:
            raise _damaged(self.path, exc) from None
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


def _sheet_size(ws: Any) -> tuple[int, int]:
    """Rows and columns up to the last non-empty cell.

    The size stored in the sheet is trusted when present, except the bare
    ``A1`` some writers store for any sheet; then the sheet is scanned.
    """
    rows, cols = ws.max_row, ws.max_column
    if rows and cols and (rows, cols) != (1, 1):
        return rows, cols
    ws.reset_dimensions()
    rows = cols = 0
    for row_no, cells in enumerate(ws.iter_rows(values_only=True), start=1):
        filled = [col for col, value in enumerate(cells, start=1) if value is not None and value != ""]
        if filled:
            rows, cols = row_no, max(cols, filled[-1])
    return rows, cols


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
        return _duration_text(value), None
    if isinstance(value, (int, float)):
        return _number_text(value, number_format)
    return str(value), None


def _duration_text(value: dt.timedelta) -> str:
    """Elapsed time as Excel's ``[h]:mm:ss`` shows it: 26:00:00, not '1 day, 2:00:00'."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    seconds = value.days * 86400 + value.seconds
    text = f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if value.microseconds:
        text += f".{value.microseconds:06d}".rstrip("0")
    return text


def _number_text(value: int | float, number_format: str) -> tuple[str, str | None]:
    note = None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, float):
        text = _excel_digits(value)
        if abs(value) >= 1e15:
            return text, ("precision already lost in the source file: the number has more than 15 digits and "
                          "Excel keeps only 15. Re-export this column as text")
        return text, None
    if abs(value) >= 10**15:
        note = ("number has more than 15 digits: the file holds them all, but Excel keeps only 15 and loses the "
                "rest when it saves. Re-export this column as text")
    text = str(value)
    if number_format and _ZERO_FORMAT.match(number_format) and len(text) < len(number_format) and value >= 0:
        text = text.zfill(len(number_format))
        note = f"leading zeros restored from the cell format {number_format}"
    return text, note


def _excel_digits(value: float) -> str:
    """A double as Excel shows it: 15 significant digits, never a double's invented ones.

    1234567890123456789 is stored as …7024 in the file; Excel shows …460000.
    """
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    rounded = Decimal(f"{value:.15g}")
    if value == 0 or 1e-9 <= abs(value) < 1e21:
        return format(rounded, "f")
    return f"{value:.15G}"


def _check_zip(path: Path, data: io.BytesIO | Path) -> bool:
    """Refuse what is not a workbook, or would expand like a zip bomb, before any parsing.

    Returns whether the workbook asks to be recalculated when opened, in which
    case stored formula results may be placeholders.
    """
    try:
        with zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data.getvalue())) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
                kind = "a Word document" if "word/document.xml" in names else "a zip archive, not an Excel workbook"
                raise ImportFailed(f"{path.name} is {kind}. Import a CSV, TSV, TXT or Excel file.")
            _check_sizes(path, infos)
            workbook_part = "xl/workbook.xml" if "xl/workbook.xml" in names else \
                next(n for n in sorted(names) if n.endswith("workbook.xml"))
            return bool(_FULL_CALC_ON_LOAD.search(archive.read(workbook_part)))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _damaged(path, exc) from None


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    total = sum(i.file_size for i in infos)
    for info in infos:
        if info.file_size > BOMB_PART_BYTES and info.file_size > info.compress_size * MAX_RATIO:
            ratio = info.file_size // max(info.compress_size, 1)
            raise ImportFailed(f"{path.name}: part {info.filename} expands {ratio}× "
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
            _check_ole2_workbook(path)
            return path, "xls"
        if not password:
            raise PasswordRequired(f"{path.name} is password-protected. Enter its password to import it.")
        decrypted = io.BytesIO()
        try:
            office.load_key(password=password)
            office.decrypt(decrypted)
        except InvalidKeyError:
            raise WrongPassword(f"{path.name}: wrong password. Nothing was imported; try again.") from None
        except (FileFormatError, Exception) as exc:
            raise ImportFailed(f"{path.name} is protected in a way Steward cannot open ({exc}). "
                               "Save an unprotected copy in Excel and import that.") from None
    decrypted.seek(0)
    head = decrypted.getvalue()[:4]
    return decrypted, "xlsx" if head == b"PK\x03\x04" else "xls"


_OLE2_KINDS = {"WordDocument": "a Word document", "PowerPoint Document": "a PowerPoint presentation",
               "__substg1.0_0037001F": "an Outlook message", "__substg1.0_0037001E": "an Outlook message"}


def _check_ole2_workbook(path: Path) -> None:
    """An old-style Office file without a workbook stream is some other document: say which."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {entry[0] for entry in ole.listdir(streams=True, storages=False)}
    except Exception as exc:  # olefile raises OSError and several of its own for broken containers
        raise _damaged(path, exc) from None
    if streams & {"Workbook", "Book"}:
        return
    kind = next((name for stream, name in _OLE2_KINDS.items() if stream in streams),
                "an old-style Office file that is not an Excel workbook")
    raise ImportFailed(f"{path.name} is {kind}. Import a CSV, TSV, TXT or Excel file.")


def _damaged(path: Path, exc: BaseException, after_row: int | None = None) -> ImportFailed:
    if _caused_by(exc, DefusedXmlException):
        return ImportFailed(f"{path.name} contains XML entity or DTD declarations, which Excel never writes and "
                            "which can expand without limit; refused as unsafe. Nothing was imported.")
    where = f" after row {after_row}" if after_row else ""
    return ImportFailed(f"{path.name}: the workbook appears damaged or incompletely downloaded{where} "
                        f"({type(exc).__name__}). Nothing was imported. Download or save it again.")


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain; openpyxl wraps parser errors in ValueError."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False
