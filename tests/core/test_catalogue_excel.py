"""Bad Excel inputs from the catalogue (docs: bad-inputs.md, section A), one test per item.

Every workbook is generated here, in the test's folder, so nothing binary is
committed. A refused file must leave the project exactly as it was; an
imported one must hold every value exactly as the cell shows it, as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Callable, Sequence

import openpyxl
import pytest

from steward.errors import PasswordRequired, WrongPassword
import xlsxwriter
import xlwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward import store
from steward.cli import main as cli_main
from steward.errors import Cancelled, ImportFailed
from steward.importer import ImportOptions, ImportResult, import_file
from steward.io import excel
from steward.project import Project

Rows = Sequence[Sequence[Any]]


# -- building workbooks ---------------------------------------------------------------------------


def make_xlsx(path: Path, rows: Rows, *, title: str = "Contacts",
              setup: Callable[[Any, Any], None] | None = None) -> Path:
    """An openpyxl-written workbook with one sheet holding ``rows`` from A1."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    if setup is not None:
        setup(book, sheet)
    book.save(path)
    return path


def make_xls(path: Path, sheets: dict[str, Rows], *, hidden: Sequence[str] = ()) -> Path:
    """A legacy BIFF8 .xls written by xlwt; strings stay text cells."""
    book = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        if name in hidden:
            sheet.visibility = 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def rewrite_zip(path: Path, edit: Callable[[str, bytes], bytes | None]) -> Path:
    """Rewrite a zip part by part; ``edit`` returns new bytes, or None to drop the part."""
    parts = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            parts.append((info.filename, archive.read(info.filename)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            changed = edit(name, data)
            if changed is not None:
                archive.writestr(name, changed)
    return path


SHEET1 = "xl/worksheets/sheet1.xml"


# -- checking outcomes ----------------------------------------------------------------------------


def snapshot(project: Project) -> tuple:
    """Everything an import writes, to prove a refused import wrote nothing."""
    conn = project.conn
    return (
        store.sources(project),
        conn.execute("SELECT count(*) FROM records").fetchone()[0],
        conn.execute("SELECT count(*) FROM rejected_rows").fetchone()[0],
        conn.execute("SELECT count(*) FROM columns").fetchone()[0],
    )


def refused(project: Project, path: Path, options: ImportOptions | None = None) -> str:
    """Import ``path`` expecting a refusal; return the message after checking nothing changed."""
    before = snapshot(project)
    with pytest.raises(ImportFailed) as info:
        import_file(project, path, options)
    message = str(info.value)
    assert path.name in message
    assert snapshot(project) == before
    assert not project.conn.in_transaction
    return message


def values(project: Project, result: ImportResult) -> list[list[str]]:
    return [r.values for r in store.records(project, result.source_id, 0, 10_000)]


def flags(project: Project, result: ImportResult) -> list[list[str]]:
    return [r.flags for r in store.records(project, result.source_id, 0, 10_000)]


def headers(project: Project, result: ImportResult) -> list[str]:
    return [c.header for c in store.columns(project, result.source_id)]


# -- 1, 2: empty and header-only --------------------------------------------------------------------


def test_cat_01_empty_xlsx_is_refused_with_a_clear_message(project, write):
    path = write("contacts.xlsx", b"")
    message = refused(project, path)
    assert "empty" in message and "0 bytes" in message
    assert store.sources(project) == []


def test_cat_02_header_only_xlsx_imports_nothing(project, tmp_path):
    path = make_xlsx(tmp_path / "header-only.xlsx", [["id", "name", "email"]])
    message = refused(project, path)
    assert "0 data rows" in message and "only a header row" in message
    assert store.sources(project) == []


def test_cat_02_xlsx_whose_only_sheet_is_empty_names_the_sheet(project, tmp_path):
    path = make_xlsx(tmp_path / "blank.xlsx", [])
    message = refused(project, path)
    assert "no visible sheet with data" in message and "'Contacts' (0 rows)" in message
    assert store.sources(project) == []


# -- 3: wrong extension, routed by magic bytes --------------------------------------------------------


def test_cat_03_csv_renamed_xlsx_imports_as_text(project, write):
    path = write("contacts.xlsx", "id,name\n00123,Zoë\n")
    result = import_file(project, path)
    assert result.kind == "csv"
    assert values(project, result) == [["00123", "Zoë"]]


@pytest.mark.parametrize("suffix", [".xls", ".csv", ".txt"])
def test_cat_03_xlsx_renamed_imports_as_workbook(project, tmp_path, suffix):
    path = make_xlsx(tmp_path / f"contacts{suffix}", [["id", "name"], ["00123", "Zoë"]])
    result = import_file(project, path)
    assert result.kind == "xlsx" and result.sheet == "Contacts"
    assert values(project, result) == [["00123", "Zoë"]]


def test_cat_03_xls_renamed_xlsx_imports_as_legacy_workbook(project, tmp_path):
    path = make_xls(tmp_path / "contacts.xlsx", {"Contacts": [["id", "name"], ["00123", "Zoë"]]})
    result = import_file(project, path)
    assert result.kind == "xls"
    assert values(project, result) == [["00123", "Zoë"]]


def test_cat_03_office_file_that_is_not_a_workbook_is_refused(project, tmp_path):
    data = make_xls(tmp_path / "source.xls", {"Contacts": [["id"], ["1"]]}).read_bytes()
    assert data.count("Workbook".encode("utf-16-le")) == 1
    path = tmp_path / "contacts.xls"
    path.write_bytes(data.replace("Workbook".encode("utf-16-le"), "Notebook".encode("utf-16-le")))
    message = refused(project, path)
    assert "not an Excel workbook" in message and "damaged" not in message


def test_cat_03_zip_that_is_not_a_workbook_is_refused(project, tmp_path):
    path = tmp_path / "contacts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    message = refused(project, path)
    assert "not an Excel workbook" in message


# -- 4: damaged workbooks ---------------------------------------------------------------------------


def _good_source(project: Project, tmp_path: Path) -> None:
    """A source already in the project, which a failed import must leave alone."""
    import_file(project, make_xlsx(tmp_path / "earlier.xlsx", [["id", "name"], ["1", "Ann"]]))
    assert len(store.sources(project)) == 1


def test_cat_04_truncated_xlsx_is_reported_damaged(project, tmp_path):
    _good_source(project, tmp_path)
    rows = [["id", "name"]] + [[f"{i:05d}", f"name {i}"] for i in range(500)]
    full = make_xlsx(tmp_path / "full.xlsx", rows).read_bytes()
    path = tmp_path / "download.xlsx"
    path.write_bytes(full[: len(full) // 2])
    message = refused(project, path)
    assert "damaged" in message and "Nothing was imported" in message
    assert [s.name for s in store.sources(project)] == ["earlier"]


def test_cat_04_truncated_xls_is_reported_damaged(project, tmp_path):
    _good_source(project, tmp_path)
    rows = [["id", "name"]] + [[f"{i:05d}", f"name {i}"] for i in range(500)]
    full = make_xls(tmp_path / "full.xls", {"Contacts": rows}).read_bytes()
    path = tmp_path / "download.xls"
    path.write_bytes(full[: len(full) // 2])
    message = refused(project, path)
    assert "damaged" in message
    assert [s.name for s in store.sources(project)] == ["earlier"]


def test_cat_04_sheet_broken_midway_names_the_row_and_imports_nothing(project, tmp_path):
    """The damage is only found while rows stream in: the import must still roll back whole."""
    _good_source(project, tmp_path)
    rows = [["id", "name"]] + [[f"{i:05d}", f"name {i}"] for i in range(1, 301)]
    path = make_xlsx(tmp_path / "broken.xlsx", rows)

    def cut(name: str, data: bytes) -> bytes:
        if name != SHEET1:
            return data
        at = data.index(b'<row r="201"')
        return data[:at] + b"<row r=\"201\"><c r=\"A201\" t=\"inlineStr\"><is><t>x</t></c></row>" + data[at:]

    rewrite_zip(path, cut)
    message = refused(project, path)
    assert "damaged" in message and "row 200" in message
    assert [s.name for s in store.sources(project)] == ["earlier"]


def test_cat_04_corrupted_compressed_sheet_is_reported_damaged(project, tmp_path):
    _good_source(project, tmp_path)
    rows = [["id", "name"]] + [[f"{i:05d}", f"person number {i} of a long list"] for i in range(2000)]
    path = make_xlsx(tmp_path / "flipped.xlsx", rows)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET1)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    for i in range(middle, middle + 64):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    message = refused(project, path)
    assert "damaged" in message
    assert [s.name for s in store.sources(project)] == ["earlier"]


# -- 5: password-protected workbooks ------------------------------------------------------------------


@pytest.fixture
def protected_xlsx(tmp_path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_xlsx(tmp_path / "plain.xlsx", [["id", "name"], ["00123", "Ann"]])
    path = tmp_path / "protected.xlsx"
    with open(plain, "rb") as source, open(path, "wb") as target:
        OOXMLFile(source).encrypt("s3cret", target)
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    return path


def test_cat_05_protected_xlsx_without_password_asks_for_it(project, protected_xlsx):
    message = refused(project, protected_xlsx)
    assert "password-protected" in message
    with pytest.raises(PasswordRequired) as raised:
        import_file(project, protected_xlsx)
    assert not isinstance(raised.value, WrongPassword)


def test_cat_05_protected_xlsx_with_wrong_password_says_so(project, protected_xlsx):
    message = refused(project, protected_xlsx, ImportOptions(password="guess"))
    assert "wrong password" in message.lower()
    with pytest.raises(WrongPassword):
        import_file(project, protected_xlsx, ImportOptions(password="guess"))


def test_cat_05_protected_xlsx_with_right_password_imports(project, protected_xlsx):
    result = import_file(project, protected_xlsx, ImportOptions(password="s3cret"))
    assert result.kind == "xlsx"
    assert values(project, result) == [["00123", "Ann"]]
    stored = project.conn.execute("SELECT options FROM sources").fetchone()[0]
    assert "s3cret" not in stored


# -- 6: legacy .xls ------------------------------------------------------------------------------------


def test_cat_06_legacy_xls_imports_as_text(project, tmp_path):
    rows = [
        ["customer_no", "name", "visits", "balance", "since"],
        ["00123", "Núñez", 42, 3.5, dt.date(2024, 2, 1)],
        ["000000000000123456789", "山田", 0, -0.25, dt.date(1999, 12, 31)],
    ]
    path = make_xls(tmp_path / "legacy.xls", {"Contacts": rows})
    result = import_file(project, path)
    assert result.kind == "xls" and result.sheet == "Contacts"
    assert headers(project, result) == rows[0]
    assert values(project, result) == [
        ["00123", "Núñez", "42", "3.5", "2024-02-01"],
        ["000000000000123456789", "山田", "0", "-0.25", "1999-12-31"],
    ]


def test_cat_06_xls_sheet_listing_shows_hidden_sheets(project, tmp_path):
    path = make_xls(tmp_path / "legacy.xls", {"Contacts": [["id"], ["1"]], "Old": [["id"], ["2"]],
                                             "Other": [["id"], ["3"]]}, hidden=["Old"])
    message = refused(project, path)
    assert "'Old' (2 rows, hidden)" in message and "'Contacts' (2 rows)" in message
    result = import_file(project, path, ImportOptions(sheet="Old"))
    assert values(project, result) == [["2"]]


# -- 7, 8: formulas ------------------------------------------------------------------------------------


def test_cat_07_formula_without_stored_value_is_flagged(project, tmp_path):
    path = make_xlsx(tmp_path / "script.xlsx", [["id", "price", "total"], ["1", 10, "=B2*2"]])
    result = import_file(project, path)
    assert values(project, result) == [["1", "10", ""]]
    [row_flags] = flags(project, result)
    assert any(f.startswith("column 3:") and "=B2*2" in f and "no stored value" in f for f in row_flags)


def test_cat_07_xlsxwriter_formula_with_placeholder_zero_is_flagged(project, tmp_path):
    path = tmp_path / "xlsxwriter.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Contacts")
    sheet.write_row(0, 0, ["id", "price", "total"])
    sheet.write_string(1, 0, "1")
    sheet.write_number(1, 1, 10)
    sheet.write_formula(1, 2, "=B2*2")
    book.close()
    result = import_file(project, path)
    assert values(project, result) == [["1", "10", "0"]]
    [row_flags] = flags(project, result)
    assert any(f.startswith("column 3:") and "=B2*2" in f and "not calculated" in f for f in row_flags)


def test_cat_08_formula_with_cached_value_imports_value_and_notes_formula(project, tmp_path):
    path = tmp_path / "cached.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Contacts")
    sheet.write_row(0, 0, ["id", "total", "label"])
    sheet.write_string(1, 0, "1")
    sheet.write_formula(1, 1, "=1+1", None, 7)          # cached 7 proves nothing is evaluated
    sheet.write_formula(1, 2, '="A"&"B"', None, "cached text")
    book.close()
    result = import_file(project, path)
    assert values(project, result) == [["1", "7", "cached text"]]
    [row_flags] = flags(project, result)
    assert "column 2: value of formula =1+1" in row_flags
    assert 'column 3: value of formula ="A"&"B"' in row_flags
    assert not any("not calculated" in f for f in row_flags)


def test_cat_08_cached_zero_from_a_calculated_workbook_is_trusted(project, tmp_path):
    """Once a workbook no longer asks for recalculation on load, a stored 0 is a real result."""
    path = make_xlsx(tmp_path / "saved.xlsx", [["id", "a", "diff"], ["1", 5, "=B2-B2"]])

    def cache_zero(name: str, data: bytes) -> bytes:
        if name == SHEET1:
            return data.replace(b"<f>B2-B2</f><v />", b"<f>B2-B2</f><v>0</v>")
        if name == "xl/workbook.xml":
            return data.replace(b' fullCalcOnLoad="1"', b"")
        return data

    rewrite_zip(path, cache_zero)
    with zipfile.ZipFile(path) as archive:
        assert b"<v>0</v>" in archive.read(SHEET1)
        assert b"fullCalcOnLoad" not in archive.read("xl/workbook.xml")
    result = import_file(project, path)
    assert values(project, result) == [["1", "5", "0"]]
    assert flags(project, result) == [["column 3: value of formula =B2-B2"]]


# -- 9: dates and times --------------------------------------------------------------------------------


def test_cat_09_date_and_time_cells_become_iso_text(project, tmp_path):
    rows = [
        ["id", "date", "datetime", "time", "duration"],
        ["1", dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 1, 13, 45, 30), dt.time(9, 30), dt.timedelta(hours=26)],
        ["2", dt.date(1999, 12, 31), dt.datetime(2000, 1, 1, 0, 0, 1), dt.time(0, 0), dt.timedelta(minutes=90)],
    ]
    path = make_xlsx(tmp_path / "dates.xlsx", rows)
    result = import_file(project, path)
    assert values(project, result) == [
        ["1", "2024-02-01", "2024-02-01 13:45:30", "09:30:00", "26:00:00"],
        ["2", "1999-12-31", "2000-01-01 00:00:01", "00:00:00", "1:30:00"],
    ]


def test_cat_09_dates_in_a_1904_workbook(project, tmp_path):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    def use_1904(book: Any, sheet: Any) -> None:
        book.epoch = CALENDAR_MAC_1904

    path = make_xlsx(tmp_path / "mac.xlsx", [["id", "since"], ["1", dt.datetime(2024, 2, 1)]], setup=use_1904)
    result = import_file(project, path)
    assert values(project, result) == [["1", "2024-02-01"]]


# -- 10, 11: numbers that already lost something ------------------------------------------------------


def test_cat_10_zero_padded_number_format_restores_leading_zeros(project, tmp_path):
    def zip_format(book: Any, sheet: Any) -> None:
        for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
            row[0].number_format = "00000"

    rows = [["id", "zip"], ["1", 2134], ["2", 123456], ["3", 0]]
    path = make_xlsx(tmp_path / "zips.xlsx", rows, setup=zip_format)
    result = import_file(project, path)
    assert values(project, result) == [["1", "02134"], ["2", "123456"], ["3", "00000"]]
    restored = "column 2: leading zeros restored from the cell format 00000"
    assert flags(project, result) == [[restored], [], [restored]]


def test_cat_11_number_beyond_15_digits_is_flagged_precision_lost(project, tmp_path):
    path = tmp_path / "ids.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Contacts")
    sheet.write_row(0, 0, ["id", "account"])
    sheet.write_string(1, 0, "1")
    sheet.write_number(1, 1, 1234567890123456789)      # stored as a double, as Excel does
    sheet.write_string(2, 0, "2")
    sheet.write_number(2, 1, 123456789012345)          # 15 digits: exact
    book.close()
    result = import_file(project, path)
    [first, second] = values(project, result)
    assert first == ["1", "1234567890123460000"]       # what Excel shows; never the double's false digits
    assert second == ["2", "123456789012345"]
    first_flags, second_flags = flags(project, result)
    assert any(f.startswith("column 2:") and "precision already lost" in f for f in first_flags)
    assert second_flags == []


def test_cat_11_long_integer_written_exactly_is_flagged_at_risk(project, tmp_path):
    """Some writers store all the digits; Excel would drop the last ones on its next save."""
    path = make_xlsx(tmp_path / "exact.xlsx", [["id", "account"], ["1", 1234567890123456789]])
    rewrite_zip(path, lambda name, data: data.replace(b"<v>1.234567890123457e+18</v>", b"<v>1234567890123456789</v>")
                if name == SHEET1 else data)
    with zipfile.ZipFile(path) as archive:
        assert b"<v>1234567890123456789</v>" in archive.read(SHEET1)
    result = import_file(project, path)
    assert values(project, result) == [["1", "1234567890123456789"]]
    [row_flags] = flags(project, result)
    assert any(f.startswith("column 2:") and "more than 15 digits" in f for f in row_flags)


# -- 12: several sheets ---------------------------------------------------------------------------------


def _several_sheets(path: Path) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Contacts"
    for row in [["id", "name"], ["1", "Ann"], ["2", "Bob"]]:
        first.append(row)
    for title, state, rows in [("Archive", "hidden", [["id", "name"], ["9", "Old"]]),
                               ("Secret", "veryHidden", [["id"], ["7"]]),
                               ("Notes", "visible", [["read me"]])]:
        sheet = book.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_cat_12_several_sheets_without_a_choice_lists_them(project, tmp_path):
    path = _several_sheets(tmp_path / "book.xlsx")
    message = refused(project, path)
    for described in ["'Contacts' (3 rows)", "'Archive' (2 rows, hidden)", "'Secret' (2 rows, veryHidden)",
                      "'Notes' (1 row)"]:
        assert described in message
    assert "Choose the sheet" in message


@pytest.mark.parametrize("sheet, expected", [("Contacts", [["1", "Ann"], ["2", "Bob"]]),
                                             ("Archive", [["9", "Old"]]),
                                             ("Secret", [["7"]])])
def test_cat_12_named_sheet_imports_even_when_hidden(project, tmp_path, sheet, expected):
    path = _several_sheets(tmp_path / "book.xlsx")
    result = import_file(project, path, ImportOptions(sheet=sheet))
    assert result.sheet == sheet and store.sources(project)[0].sheet == sheet
    assert values(project, result) == expected


def test_cat_12_unknown_sheet_name_lists_the_sheets(project, tmp_path):
    path = _several_sheets(tmp_path / "book.xlsx")
    message = refused(project, path, ImportOptions(sheet="contacts"))
    assert "no sheet named 'contacts'" in message and "'Contacts' (3 rows)" in message


def test_cat_12_single_visible_nonempty_sheet_is_the_default(project, tmp_path):
    def extra_sheets(book: Any, sheet: Any) -> None:
        book.create_sheet("Empty")
        hidden = book.create_sheet("Lookup")
        hidden.append(["code", "label"])
        hidden.append(["x", "y"])
        hidden.sheet_state = "hidden"

    path = make_xlsx(tmp_path / "one.xlsx", [["id", "name"], ["1", "Ann"]], setup=extra_sheets)
    result = import_file(project, path)
    assert result.sheet == "Contacts"
    assert values(project, result) == [["1", "Ann"]]


def test_cat_12_wrong_stored_dimension_loses_no_cells(project, tmp_path):
    """Some writers store a sheet size smaller than the data; every cell must still arrive."""
    rows = [["id", "name", "email"], ["1", "Ann", "ann@example.com"], ["2", "Bob", "bob@example.com"]]
    path = make_xlsx(tmp_path / "dimension.xlsx", rows)
    rewrite_zip(path, lambda name, data: data.replace(b'<dimension ref="A1:C3" />', b'<dimension ref="A1:B2" />')
                if name == SHEET1 else data)
    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1:B2" />' in archive.read(SHEET1)
    result = import_file(project, path)
    assert headers(project, result) == rows[0]
    assert values(project, result) == rows[1:]


def test_cat_12_missing_stored_dimension_still_finds_the_data(project, tmp_path):
    rows = [["id", "name"], ["1", "Ann"], ["2", "Bob"]]
    path = make_xlsx(tmp_path / "nodimension.xlsx", rows)
    rewrite_zip(path, lambda name, data: data.replace(b'<dimension ref="A1:B3" />', b"")
                if name == SHEET1 else data)
    with zipfile.ZipFile(path) as archive:
        assert b"<dimension" not in archive.read(SHEET1)
    assert excel.Workbook(path, "xlsx").sheets() == [excel.SheetInfo("Contacts", "visible", 3, 2)]
    result = import_file(project, path)
    assert values(project, result) == rows[1:]


# -- 13: title rows and merged cells above the header -----------------------------------------------


def test_cat_13_title_rows_above_header_are_kept_as_rejected(project, tmp_path):
    def title(book: Any, sheet: Any) -> None:
        sheet.insert_rows(1, amount=2)
        sheet["A1"] = "Contact export 2024"
        sheet.merge_cells("A1:C1")

    rows = [["id", "name", "email"], ["1", "Ann", "ann@example.com"], ["2", "Bob", "bob@example.com"]]
    path = make_xlsx(tmp_path / "titled.xlsx", rows, setup=title)
    result = import_file(project, path)
    assert result.header_row == 3
    assert headers(project, result) == ["id", "name", "email"]
    assert values(project, result) == rows[1:]
    rejected = store.rejected_rows(project, result.source_id)
    assert [(r.line_no, r.reason) for r in rejected] == [(1, "title line above the header row"),
                                                        (2, "title line above the header row")]
    assert "Contact export 2024" in rejected[0].raw_text
    assert result.rows_in_file == result.imported + result.rejected == 4     # 5 sheet rows less the header


# -- 14: zip and XML bombs --------------------------------------------------------------------------


def test_cat_14_defusedxml_guards_openpyxl():
    import defusedxml  # noqa: F401
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail if anything tries to parse the workbook; a bomb must be refused before that."""

    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", forbidden)
    monkeypatch.setattr(excel.Workbook, "_calamine", forbidden)


def _with_part(path: Path, name: str, chunk: bytes, count: int) -> Path:
    """Add a part of ``count`` repeated chunks, streamed so it never sits in memory."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w") as part:
            for _ in range(count):
                part.write(chunk)
    return path


def test_cat_14_zip_bomb_part_is_refused_before_parsing(project, tmp_path, no_parsing):
    path = make_xlsx(tmp_path / "bomb.xlsx", [["id"], ["1"]])
    _with_part(path, "xl/media/padding.bin", b"\0" * (1 << 20), 60)
    assert path.stat().st_size < 1 << 20
    message = refused(project, path)
    assert "xl/media/padding.bin" in message and "zip bomb" in message


def test_cat_14_total_uncompressed_size_limit(project, tmp_path, monkeypatch, no_parsing):
    monkeypatch.setattr(excel, "MAX_UNCOMPRESSED", 1 << 20)
    path = make_xlsx(tmp_path / "huge.xlsx", [["id"], ["1"]])
    _with_part(path, "xl/media/big.bin", bytes(range(256)) * 64, 128)   # 2 MiB, modest ratio
    message = refused(project, path)
    assert "expands to 2 MiB" in message


def test_cat_14_small_thresholds_refuse_a_compressed_sheet(project, tmp_path, monkeypatch, no_parsing):
    monkeypatch.setattr(excel, "BOMB_PART_BYTES", 1 << 16)
    monkeypatch.setattr(excel, "MAX_RATIO", 10)      # the sheet below compresses about 14×
    rows = [["id"]] + [["same value"] for _ in range(5000)]
    path = make_xlsx(tmp_path / "repetitive.xlsx", rows)
    message = refused(project, path)
    assert SHEET1 in message and "zip bomb" in message


def test_cat_14_xml_entity_bomb_is_refused_quickly(project, tmp_path):
    path = make_xlsx(tmp_path / "laughs.xlsx", [["id"], ["1"]])
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i + 1, (b"&lol%d;" % i if i else b"&lol;") * 10)
                         for i in range(9))
              + b"]>\n")

    def inject(name: str, data: bytes) -> bytes:
        if name != SHEET1:
            return data
        assert b"<t>1</t>" in data
        return laughs + data.replace(b"<t>1</t>", b"<t>&lol9;</t>")

    rewrite_zip(path, inject)
    started = time.monotonic()
    message = refused(project, path)
    assert time.monotonic() - started < 5
    assert "XML" in message and "unsafe" in message


# -- values exactly as text, and back out again ---------------------------------------------------


EXACT_ROWS = [
    ["customer_id", "name", "city", "phone", "note"],
    ["000000000000123456789", "山田 太郎", "東京都", "+81 3-1234-5678", "=not a formula"],
    ["12345678901234567890123", "髙橋 𠮷", "서울", "0044 20 7946 0958", "  spaced  "],
    ["1.23457E+18", "Núñez", "Zürich", "-", "line one\nline two"],
]


def _text_cells(book: Any, sheet: Any) -> None:
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"


def test_cjk_and_long_numeric_text_ids_round_trip_through_export(project, tmp_path):
    path = make_xlsx(tmp_path / "international.xlsx", EXACT_ROWS, setup=_text_cells)
    result = import_file(project, path)
    assert headers(project, result) == EXACT_ROWS[0]
    assert values(project, result) == EXACT_ROWS[1:]
    assert flags(project, result) == [[], [], []]

    project.close()     # a fresh project's header reaches the main file when the WAL is checkpointed
    out = tmp_path / "records.csv"
    assert cli_main(["export", str(project.path), "--records", str(out), "--exact"]) == 0
    with open(out, encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.reader(handle))
    assert exported[0] == ["source", "row"] + EXACT_ROWS[0]
    assert [row[2:] for row in exported[1:]] == EXACT_ROWS[1:]
    assert [row[:2] for row in exported[1:]] == [["international", "1"], ["international", "2"],
                                                 ["international", "3"]]


_CELL_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00", min_codepoint=1)
    .filter(lambda c: c in "\t\n" or not (ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0xFFFE <= ord(c) <= 0xFFFF)),
    max_size=30,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_CELL_TEXT, _CELL_TEXT), min_size=1, max_size=5))
def test_xlsx_text_cells_import_exactly(cells: list[tuple[str, str]]):
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        rows = [["id", "a", "b"]] + [[f"{i:03d}", a, b] for i, (a, b) in enumerate(cells, start=1)]
        path = make_xlsx(base / "generated.xlsx", rows, setup=_text_cells)
        with Project.create(base / "p.steward") as project:
            result = import_file(project, path, ImportOptions(header_row=1))
            assert values(project, result) == rows[1:]


# -- 14: long reads report progress and can be cancelled -----------------------------------------


@pytest.mark.parametrize("maker", ["xlsx", "xls"])
def test_cat_14_workbook_rows_report_progress_and_cancel(tmp_path, monkeypatch, maker):
    monkeypatch.setattr(excel, "PROGRESS_ROWS", 10)
    rows = [["id"]] + [[f"{i:04d}"] for i in range(1, 35)]
    if maker == "xlsx":
        path, kind = make_xlsx(tmp_path / "long.xlsx", rows), "xlsx"
    else:
        path, kind = make_xls(tmp_path / "long.xls", {"Contacts": rows}), "ole2"
    book = excel.Workbook(path, kind)
    reports: list[tuple[int, int]] = []
    read = [r.values for r in book.rows("Contacts", progress=lambda done, total: reports.append((done, total)))]
    assert read == rows
    assert reports == [(10, 35), (20, 35), (30, 35), (35, 35)]

    def cancel(done: int, total: int) -> None:
        raise Cancelled()

    seen = []
    with pytest.raises(Cancelled):
        for row in excel.Workbook(path, kind).rows("Contacts", progress=cancel):
            seen.append(row)
    assert len(seen) == 9
