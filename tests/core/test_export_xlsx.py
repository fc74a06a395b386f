"""XLSX export as a security boundary and a faithful copy: catalogue items 15, 46, 47 and 49."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from steward.errors import StewardError
from steward.io import export
from steward.io.export import ExportResult, write_table, write_xlsx
from steward.io.xlsx import MAX_CELL_CHARS, MAX_COLUMNS

AWKWARD = ["=1+1", '=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "＝1+1", "#N/A", "#REF!", "00123",
           "12345678901234567890", "1e5", "TRUE", "张三", "😀 𠮷", "a\nb", "\tindented", " padded ", "'quoted",
           "\x7f"]


@pytest.fixture
def system_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder openpyxl streams sheets through, watched so a test can see it is left empty."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def read_sheets(path: Path) -> dict[str, list[list[object]]]:
    book = load_workbook(path)
    return {sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()] for sheet in book}


def test_cat_46_every_value_is_a_text_cell_equal_to_what_was_written(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    header = ["=header", *(f"c{i}" for i in range(1, len(AWKWARD)))]
    assert write_table(path, header, [AWKWARD, list(reversed(AWKWARD))]) == ExportResult(2, 0, 1)
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows())
    assert [[cell.data_type for cell in row] for row in rows] == [["s"] * len(AWKWARD)] * 3
    assert [[cell.value for cell in row] for row in rows] == [header, AWKWARD, list(reversed(AWKWARD))]


def test_cat_46_empty_values_read_back_empty_and_keep_their_row(tmp_path: Path) -> None:
    # XLSX has no empty text distinct from an empty cell: both read back as None.
    path = tmp_path / "out.xlsx"
    write_xlsx(path, ["a", "b", "c"], [["", "x", ""], ["", "", ""]])
    assert read_sheets(path) == {"Sheet1": [["a", "b", "c"], [None, "x", None], [None, None, None]]}


def test_cat_15_a_cell_of_exactly_the_limit_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    longest = "x" * (MAX_CELL_CHARS - 2) + "😀"  # the emoji counts twice, as in Excel
    write_xlsx(path, ["notes"], [[longest]])
    assert read_sheets(path)["Sheet1"][1] == [longest]


def test_cat_15_rows_beyond_a_sheet_continue_on_further_sheets_each_with_the_header(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    rows = [[str(i), f"name {i}"] for i in range(7)]
    assert write_xlsx(path, ["id", "name"], rows, max_rows=3) == ExportResult(7, 0, 4)
    sheets = read_sheets(path)
    assert list(sheets) == ["Sheet1", "Sheet2", "Sheet3", "Sheet4"]
    assert all(content[0] == ["id", "name"] for content in sheets.values())
    assert [row for content in sheets.values() for row in content[1:]] == rows


def test_rows_that_fill_the_last_sheet_exactly_add_no_empty_sheet(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    assert write_xlsx(path, ["id"], [["1"], ["2"], ["3"], ["4"]], max_rows=3).sheets == 2
    assert read_sheets(path) == {"Sheet1": [["id"], ["1"], ["2"]], "Sheet2": [["id"], ["3"], ["4"]]}


def test_no_rows_still_writes_the_header(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    assert write_xlsx(path, ["id", "name"], []) == ExportResult(0, 0, 1)
    assert read_sheets(path) == {"Sheet1": [["id", "name"]]}


def assert_refused_leaving_everything_as_it_was(folder: Path, system_temp: Path, value: str, problem: str) -> None:
    """A bad value in row 3, on the second sheet, is refused; the earlier export and both folders are untouched."""
    path = folder / "out.xlsx"
    write_xlsx(path, ["id", "notes"], [["1", "old"]])
    before = path.read_bytes()
    rows = [["1", "fine"], ["2", "fine"], ["3", value], ["4", "never read"]]
    with pytest.raises(StewardError) as raised:
        write_xlsx(path, ["id", "notes"], rows, max_rows=3)
    message = str(raised.value)
    assert f"Cannot write {path}: row 3, column 'notes' " in message
    assert problem in message and "Export as CSV instead" in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["out.xlsx", "system-temp"]
    assert list(system_temp.iterdir()) == []


@pytest.mark.parametrize(("value", "problem"), [
    ("x" * (MAX_CELL_CHARS + 1), "is 32,768 characters long; an XLSX cell holds at most 32,767"),
    ("😀" * (MAX_CELL_CHARS // 2 + 1), "is 32,768 characters long"),
], ids=["ascii", "counted-in-utf16"])
def test_cat_15_a_cell_longer_than_excel_holds_is_refused_not_cut(tmp_path: Path, system_temp: Path, value: str,
                                                                  problem: str) -> None:
    assert_refused_leaving_everything_as_it_was(tmp_path, system_temp, value, problem)


@pytest.mark.parametrize(("value", "problem"), [
    ("a\x00b", "U+0000"),
    ("\x01", "U+0001"),
    ("line\x0btab", "U+000B"),
    ("\x1f", "U+001F"),
    ("\ufffe", "U+FFFE"),
    ("one\r\ntwo", "carriage return"),
    ("_x0041_", "'_x0041_', which Excel would read as an escaped character"),
], ids=["nul", "soh", "vt", "us", "non-character", "carriage-return", "excel-escape"])
def test_cat_47_a_character_a_workbook_cannot_hold_is_refused(tmp_path: Path, system_temp: Path, value: str,
                                                              problem: str) -> None:
    assert_refused_leaving_everything_as_it_was(tmp_path, system_temp, value, problem)


def test_cat_47_a_header_cell_is_named_by_its_position(tmp_path: Path) -> None:
    with pytest.raises(StewardError, match=r"the header, column number 2 contains the character U\+0000"):
        write_xlsx(tmp_path / "out.xlsx", ["id", "no\x00te"], [])
    assert list(tmp_path.iterdir()) == []


def test_cat_15_more_columns_than_a_sheet_holds_are_refused(tmp_path: Path) -> None:
    header = [f"c{i}" for i in range(1, MAX_COLUMNS + 2)]
    with pytest.raises(StewardError, match=r"the header has 16,385 columns; .* column 'c16385' does not fit"):
        write_xlsx(tmp_path / "wide.xlsx", header, [])
    with pytest.raises(StewardError, match=r"row 2 has 16,385 columns; .* column number 16385 does not fit"):
        write_xlsx(tmp_path / "wide.xlsx", ["a"], [["1"], ["x"] * (MAX_COLUMNS + 1)])
    assert list(tmp_path.iterdir()) == []


def test_cat_49_disk_full_keeps_the_previous_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out.xlsx"
    write_xlsx(path, ["a"], [["old"]])
    before = path.read_bytes()

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(export.os, "fsync", disk_full)
    with pytest.raises(StewardError, match=r"out.xlsx: the disk is full. The previous file, if any, is unchanged"):
        write_xlsx(path, ["a"], [["new"]])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_cat_49_an_error_while_producing_rows_keeps_the_previous_workbook(tmp_path: Path, system_temp: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_xlsx(path, ["a"], [["old"]])

    def rows():
        yield ["new"]
        raise RuntimeError("reading failed")

    with pytest.raises(RuntimeError):
        write_xlsx(path, ["a"], rows())
    assert read_sheets(path) == {"Sheet1": [["a"], ["old"]]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx", "system-temp"]
    assert list(system_temp.iterdir()) == []


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(StewardError, match=r"the folder .*missing does not exist"):
        write_table(tmp_path / "missing" / "out.xlsx", ["a"], [["1"]])


@pytest.mark.parametrize("name", ["out.xlsx", "OUT.XLSX"])
def test_an_xlsx_name_writes_a_workbook(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    assert write_table(path, ["a"], [["=1+1"]]) == ExportResult(1, 0, 1)
    assert path.read_bytes().startswith(b"PK")
    assert read_sheets(path) == {"Sheet1": [["a"], ["=1+1"]]}


@pytest.mark.parametrize("name", ["out.csv", "out.txt", "out"])
def test_cat_45_any_other_name_writes_a_neutralised_csv(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    result = write_table(path, ["a", "b"], [["＝1+1", "x"], ["0012", "@z"], ["y", "z"]])
    assert result == ExportResult(3, 2, 1)
    assert path.read_bytes().decode("utf-8-sig") == '"a","b"\r\n"\'＝1+1","x"\r\n"0012","\'@z"\r\n"y","z"\r\n'


def test_csv_exact_mode_without_bom_through_the_dispatcher(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert write_table(path, ["a"], [["=1+1"]], bom=False, safe=False) == ExportResult(1, 0, 1)
    assert path.read_bytes() == b"a\r\n=1+1\r\n"
