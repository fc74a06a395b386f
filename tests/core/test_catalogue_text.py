"""Bad-input catalogue, text files: sections A (1-3), B (16-23), C (24-37), D (38-44).

Each test id carries the catalogue item number (``cat-NN``).
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata

import pytest

from steward import store
from steward.errors import EncodingError, ImportFailed
from steward.importer import ImportOptions, import_file
from steward.io.sniff import detect_encoding
from steward.project import Project

from .helpers import import_and_read, project_state


def _csv(rows: list[list[str]], delimiter: str = ",", lineterminator: str = "\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator).writerows(rows)
    return buffer.getvalue()


# -- A. File and container ---------------------------------------------------------

def test_cat_01_empty_file_is_refused(project, write):
    path = write("empty.csv", b"")
    before = project_state(project)
    with pytest.raises(ImportFailed, match=r"empty.csv: the file is empty \(0 bytes\)"):
        import_file(project, path)
    assert project_state(project) == before


def test_cat_02_header_only_file_reports_zero_rows(project, write):
    path = write("header.csv", "name,email\r\n")
    with pytest.raises(ImportFailed, match=r"header.csv: 0 data rows found"):
        import_file(project, path)
    assert store.sources(project) == []


@pytest.mark.parametrize("name", ["list.xlsx", "list.xls", "list.dat"])
def test_cat_03_text_with_a_wrong_extension_is_read_as_text(project, write, name):
    path = write(name, "name,email\r\nAnna,anna@example.com\r\n")
    result, headers, rows = import_and_read(project, path)
    assert result.kind == "csv"
    assert headers == ["name", "email"] and rows == [["Anna", "anna@example.com"]]


@pytest.mark.parametrize("content,what", [
    (b"SQLite format 3\x00" + bytes(200), "an SQLite database"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 4, "a PDF document"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "an image"),
    (bytes(range(256)) * 8, "a binary file"),
])
def test_cat_03_binary_files_are_named_and_refused(project, write, content, what):
    path = write("customers.csv", content)
    with pytest.raises(ImportFailed, match=f"customers.csv is {what}"):
        import_file(project, path)
    assert store.sources(project) == []


# -- B. Encoding ---------------------------------------------------------------------

ROWS = [["id", "name", "city"], ["001", "José Núñez", "Málaga"], ["002", "François Müller", "Zürich"]]


def test_cat_16_utf8_bom_is_not_part_of_the_first_header(project, write):
    path = write("bom.csv", codecs.BOM_UTF8 + _csv(ROWS).encode("utf-8"))
    result, headers, rows = import_and_read(project, path)
    assert headers[0] == "id"
    assert result.encoding_method == "bom"
    assert rows == ROWS[1:]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_cat_17_excel_unicode_text_utf16_with_bom_and_tabs(project, write, encoding):
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    path = write("unicode.txt", bom + _csv(ROWS, delimiter="\t").encode(encoding))
    result, headers, rows = import_and_read(project, path)
    assert result.delimiter == "\t"
    assert headers == ROWS[0] and rows == ROWS[1:]


def test_cat_18_utf16_without_bom_is_recognised(project, write):
    path = write("nobom.txt", _csv(ROWS, delimiter="\t").encode("utf-16-le"))
    result, headers, rows = import_and_read(project, path)
    assert result.encoding == "utf-16-le" and result.encoding_method == "utf-16-heuristic"
    assert rows == ROWS[1:]
    assert any("encoding guessed" in w for w in result.warnings)


def test_cat_19_cp1252_is_guessed_with_low_confidence_and_can_be_overridden(project, write):
    rows = [["id", "name"], ["1", "José Núñez"], ["2", "“Quoted” – €5"], ["3", "Ærø Ståle"]]
    path = write("win.csv", _csv(rows).encode("cp1252"))
    guess = detect_encoding(path)
    assert guess.encoding == "cp1252" and not guess.certain and guess.confidence < 1
    result, _, stored = import_and_read(project, path)
    assert stored == rows[1:]
    assert result.encoding_confidence is not None and result.encoding_confidence < 1
    assert any("encoding guessed as cp1252" in w for w in result.warnings)
    result2, _, stored2 = import_and_read(project, path, encoding="cp1250", allow_duplicate=True)
    assert result2.encoding_method == "user" and stored2[0] == ["1", "José Núńez"]


def test_cat_20_gbk_family_is_decoded_as_gb18030(project, write):
    rows = [["客户编号", "姓名", "地址"], ["0001", "𠮷田 张三", "北京市朝阳区"], ["0002", "李四", "上海市浦东新区"]]
    path = write("gbk.csv", _csv(rows).encode("gb18030"))
    result, headers, stored = import_and_read(project, path)
    assert result.encoding == "gb18030"
    assert headers == rows[0] and stored == rows[1:]
    assert result.mapping[:2] == ["customer_id", "full_name"]


def test_cat_21_shift_jis_family_is_decoded_as_cp932(project, write):
    rows = [["顧客番号", "氏名", "住所"], ["0001", "髙橋 一郎", "東京都千代田区丸の内1-1 ①番地"],
            ["0002", "山田 花子", "大阪府大阪市北区梅田2-2"], ["0003", "佐藤 次郎", "神奈川県横浜市西区"]]
    path = write("sjis.csv", _csv(rows).encode("cp932"))
    result, _, stored = import_and_read(project, path)
    assert result.encoding == "cp932"
    assert stored == rows[1:]


def test_cat_22_invalid_bytes_in_utf8_report_line_and_offset_or_are_replaced_and_flagged(project, write):
    text = _csv([["id", "name"], ["1", "Zoë"], ["2", "Anna"]]).encode("utf-8")
    broken = text.replace("Anna".encode(), b"An\xffna")
    path = write("mostly.csv", broken)
    offset = broken.index(b"\xff")
    with pytest.raises(EncodingError, match=rf"line 3 \(byte offset {offset}: 0xff\) are not valid utf-8"):
        import_file(project, path, ImportOptions(encoding="utf-8"))
    assert store.sources(project) == []
    result, _, stored = import_and_read(project, path, encoding="utf-8", replace_invalid=True)
    assert stored == [["1", "Zoë"], ["2", "An\ufffdna"]]
    flagged = store.records(project, result.source_id)
    assert flagged[0].flags == [] and flagged[1].flags == ["invalid bytes replaced by \ufffd"]


def test_cat_23_nfc_nfd_nbsp_and_zero_width_are_stored_raw(project, write):
    values = [unicodedata.normalize("NFC", "Müller"), unicodedata.normalize("NFD", "Müller"),
              "A\u00a0B", "zero\u200bwidth"]
    path = write("unicode.csv", _csv([["v"]] + [[v] for v in values]))
    _, _, stored = import_and_read(project, path, header_row=1)
    assert [r[0] for r in stored] == values


# -- C. CSV structure ----------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_cat_24_delimiter_is_sniffed_over_parsed_records(project, write, delimiter):
    rows = [["name", "note", "city"], ["Anna", "likes , ; | and tabs\t", "Berlin"], ["Bob", "x", "Köln"]]
    path = write("d.csv", _csv(rows, delimiter=delimiter))
    result, headers, stored = import_and_read(project, path)
    assert result.delimiter == delimiter
    assert headers == rows[0] and stored == rows[1:]


def test_cat_24_single_column_file_is_valid(project, write):
    path = write("emails.csv", "email\r\nanna@example.com\r\nbob@example.com\r\n")
    _, headers, stored = import_and_read(project, path)
    assert headers == ["email"] and stored == [["anna@example.com"], ["bob@example.com"]]


def test_cat_24_delimiter_can_be_overridden(project, write):
    path = write("d.csv", "a;b,c\r\n1;2,3\r\n")
    _, headers, stored = import_and_read(project, path, delimiter=",")
    assert headers == ["a;b", "c"] and stored == [["1;2", "3"]]


def test_cat_25_european_csv_keeps_decimal_commas_as_text(project, write):
    path = write("eu.csv", "Name;Umsatz;PLZ\r\nMüller GmbH;1.234,56;01067\r\n")
    result, _, stored = import_and_read(project, path)
    assert result.delimiter == ";" and stored == [["Müller GmbH", "1.234,56", "01067"]]


def test_cat_26_quoted_newlines_are_one_record_with_its_first_line(project, write):
    text = 'name,address\r\nAnna,"Hauptstr. 1\r\n10115 Berlin"\r\nBob,"Line 1\nLine 2\nLine 3"\r\nCleo,x\r\n'
    path = write("multi.csv", text)
    result, _, stored = import_and_read(project, path)
    assert stored == [["Anna", "Hauptstr. 1\r\n10115 Berlin"], ["Bob", "Line 1\nLine 2\nLine 3"], ["Cleo", "x"]]
    assert [r.line_no for r in store.records(project, result.source_id)] == [2, 4, 7]


def test_cat_27_mixed_crlf_lf_and_lone_cr(project, write):
    path = write("mixed.csv", "name,city\r\nAnna,Berlin\nBob,Köln\rCleo,Bonn\r\n")
    result, _, stored = import_and_read(project, path)
    assert stored == [["Anna", "Berlin"], ["Bob", "Köln"], ["Cleo", "Bonn"]]
    assert result.imported + result.rejected == 3


def test_cat_28_ragged_rows_long_ones_quarantined_short_ones_padded_and_flagged(project, write):
    text = "a,b,c\r\n1,2,3\r\n4,5\r\n6,7,8,9\r\n10,11,12,\r\n"
    path = write("ragged.csv", text)
    result, _, stored = import_and_read(project, path)
    assert stored == [["1", "2", "3"], ["4", "5", ""], ["10", "11", "12"]]
    assert (result.imported, result.rejected) == (3, 1)
    records = store.records(project, result.source_id)
    assert records[1].flags == ["missing trailing fields: had 2 of 3"]
    assert records[2].flags == ["1 empty fields beyond the header dropped"]
    rejected = store.rejected_rows(project, result.source_id)
    assert [(r.line_no, r.raw_text, r.reason) for r in rejected] == [(4, "6,7,8,9\r\n", "4 fields where the header has 3")]


def test_cat_29_duplicate_headers_are_both_kept(project, write):
    path = write("dup.csv", "email,name,email\r\na@x.org,Anna,b@x.org\r\n")
    result, headers, stored = import_and_read(project, path)
    assert headers == ["email", "name", "email"] and stored == [["a@x.org", "Anna", "b@x.org"]]
    assert result.labels == ["email", "name", "email (2)"]
    assert any("duplicate header 'email' (columns 1 and 3)" in w for w in result.warnings)
    assert result.mapping == ["email", "full_name", None]


def test_cat_30_blank_headers_get_a_flagged_placeholder(project, write):
    path = write("blank.csv", "name,,city\r\nAnna,x,Berlin\r\n")
    result, headers, _ = import_and_read(project, path)
    assert headers == ["name", "", "city"] and result.labels[1] == "Column 2"
    assert any("column 2 has a blank header" in w for w in result.warnings)


def test_cat_31_case_only_duplicate_headers_are_a_non_event(project, write):
    path = write("case.csv", "Email,email\r\nA@X.ORG,a@x.org\r\n")
    _, headers, stored = import_and_read(project, path)
    assert headers == ["Email", "email"] and stored == [["A@X.ORG", "a@x.org"]]


def test_cat_32_no_header_row_detected_or_forced(project, write):
    path = write("noheader.csv", "00123,anna@example.com,+49 30 1234\r\n00124,bob@example.com,+49 30 5678\r\n")
    result, _, stored = import_and_read(project, path)
    assert result.header_row is None and result.labels == ["Column 1", "Column 2", "Column 3"]
    assert stored[0] == ["00123", "anna@example.com", "+49 30 1234"] and len(stored) == 2
    words = write("words.csv", "Anna,Berlin\r\nBob,Köln\r\n")
    forced, _, stored2 = import_and_read(project, words, header_row=0)
    assert forced.header_row is None and stored2 == [["Anna", "Berlin"], ["Bob", "Köln"]]


def test_cat_33_blank_lines_are_counted_not_silently_dropped(project, write):
    path = write("blank.csv", 'name,city\r\n\r\nAnna,Berlin\r\n,\r\n""\r\nBob,Köln\r\n')
    result, _, stored = import_and_read(project, path)
    assert stored == [["Anna", "Berlin"], ["", ""], ["", ""], ["Bob", "Köln"]]
    assert result.rejected == 1 and store.rejected_rows(project, result.source_id)[0].reason == "blank line"
    assert result.rows_in_file == 5


def test_cat_34_nul_bytes_are_removed_and_the_cells_flagged(project, write):
    path = write("nul.csv", b"name,city\r\nAn\x00na,Berlin\r\nBob,K\x00\x00oln\r\n")
    result, _, stored = import_and_read(project, path)
    assert stored == [["Anna", "Berlin"], ["Bob", "Koln"]]
    flags = [r.flags for r in store.records(project, result.source_id)]
    assert flags == [["column 1: NUL bytes removed"], ["column 2: NUL bytes removed"]]
    raw = project.conn.execute("SELECT count(*) FROM records WHERE instr(vals, char(0)) > 0").fetchone()[0]
    assert raw == 0


def test_cat_35_huge_field_gives_a_clear_error_naming_row_and_column(project, write):
    big = "x" * (1 << 20 + 1)
    path = write("huge.csv", f"name,notes\r\nAnna,short\r\nBob,{big}\r\n")
    with pytest.raises(ImportFailed, match=r"huge.csv, record starting at line 3, column 2: a value is larger than 1 MiB"):
        import_file(project, path)
    assert store.sources(project) == []


def test_cat_35_fields_below_the_limit_import_whole(project, write):
    big = "y" * 500_000
    path = write("large.csv", f"name,notes\r\nBob,{big}\r\n")
    _, _, stored = import_and_read(project, path)
    assert stored == [["Bob", big]]


def test_cat_36_very_wide_file(project, write):
    width = 2500
    header = [f"c{i}" for i in range(width)]
    row = [str(i) for i in range(width)]
    path = write("wide.csv", _csv([header, row]))
    result, headers, stored = import_and_read(project, path)
    assert len(headers) == width and stored == [row]


HOSTILE = ["]", '"', "'", "line\nbreak", "", "rowid", "SELECT * FROM records; --", "x" * 5000, "Email", "email", "id"]


def test_cat_37_hostile_header_text_is_data_and_survives_reopen(write, tmp_path):
    path = write("hostile.csv", _csv([HOSTILE, [str(i) for i in range(len(HOSTILE))]]))
    with Project.create(tmp_path / "hostile.steward") as project:
        _, headers, stored = import_and_read(project, path, header_row=1)
    assert headers == HOSTILE and stored == [[str(i) for i in range(len(HOSTILE))]]
    with Project.open(tmp_path / "hostile.steward") as reopened:
        source = store.sources(reopened)[0]
        assert [c.header for c in store.columns(reopened, source.id)] == HOSTILE


# -- D. Type inference and value semantics ----------------------------------------------

def test_cat_38_leading_zeros_stay(project, write):
    path = write("zeros.csv", "zip,phone,customer\r\n02134,0049301234,000000123\r\n")
    _, _, stored = import_and_read(project, path)
    assert stored == [["02134", "0049301234", "000000123"]]
    stored_type = project.conn.execute("SELECT typeof(json_extract(vals, '$[0]')) FROM records").fetchone()[0]
    assert stored_type == "text"


def test_cat_39_na_null_none_nan_are_real_values(project, write):
    values = ["NA", "Null", "None", "N/A", "nan", "NaN", "#N/A", "-"]
    path = write("na.csv", _csv([["country"]] + [[v] for v in values]))
    _, _, stored = import_and_read(project, path, header_row=1)
    assert [r[0] for r in stored] == values


def test_cat_40_long_numeric_ids_with_gaps_keep_every_digit(project, write):
    rows = [["id", "name"], ["1234567890123456789", "a"], ["", "b"], ["98765432109876543210987", "c"]]
    path = write("ids.csv", _csv(rows))
    _, _, stored = import_and_read(project, path)
    assert stored == rows[1:]


def test_cat_41_ids_already_in_scientific_notation_are_kept_verbatim(project, write):
    path = write("sci.csv", "customer_id,name\r\n1.23457E+18,Anna\r\n")
    _, _, stored = import_and_read(project, path)
    assert stored == [["1.23457E+18", "Anna"]]


def test_cat_42_values_starting_with_formula_characters_are_kept_on_import(project, write):
    values = ["+44 20 7946 0958", "-call back", "=1+1", "@SUM(A1)", "=HYPERLINK(\"http://x\")"]
    path = write("f.csv", _csv([["v"]] + [[v] for v in values]))
    _, _, stored = import_and_read(project, path, header_row=1)
    assert [r[0] for r in stored] == values


def test_cat_43_ambiguous_dates_are_not_parsed(project, write):
    path = write("dates.csv", "dob,updated\r\n01/02/2024,2024-02-01T10:00\r\n")
    _, _, stored = import_and_read(project, path)
    assert stored == [["01/02/2024", "2024-02-01T10:00"]]


def test_cat_44_leading_trailing_spaces_tabs_and_nbsp_are_preserved(project, write):
    values = ["  Anna  ", "\tBob", "Cleo\u00a0", " "]
    path = write("spaces.csv", _csv([["name"]] + [[v] for v in values], delimiter=","))
    _, _, stored = import_and_read(project, path, header_row=1, delimiter=",")
    assert [r[0] for r in stored] == values


def test_cat_19_legacy_bytes_after_the_first_megabyte_are_still_detected(project, write):
    ascii_rows = [["id", "name"]] + [[f"{i:06d}", f"Person {i}"] for i in range(120_000)]
    text = _csv(ascii_rows + [["999999", "José Núñez"]])
    path = write("late.csv", text.encode("cp1252"))
    assert path.stat().st_size > (1 << 20)
    result, _, stored = import_and_read(project, path)
    assert result.encoding == "cp1252" and result.encoding_method == "detected"
    assert stored[-1] == ["999999", "José Núñez"] and len(stored) == 120_001
    assert len(store.sources(project)) == 1


def test_cat_26_broken_quoting_is_kept_aside_not_merged_or_changed(project, write):
    path = write("quotes.csv", 'id,name\r\n1,Anna\r\n2,"Bob" Jr\r\n3,Carl\r\n4,"Dora\r\n5,Eve\r\n')
    result, _, stored = import_and_read(project, path)
    assert stored == [["1", "Anna"], ["3", "Carl"]]
    assert (result.imported, result.rejected) == (2, 2)
    rejected = store.rejected_rows(project, result.source_id)
    assert [(r.line_no, r.raw_text) for r in rejected] == [(3, '2,"Bob" Jr\r\n'), (5, '4,"Dora\r\n5,Eve\r\n')]
    assert rejected[0].reason.startswith("broken quoting on line 3")
    assert rejected[1].reason == "unclosed quote: the value opened on line 5 runs to the end of the file"


def test_row_numbers_count_every_data_row_so_rejected_rows_leave_gaps(project, write):
    path = write("gaps.csv", "a,b\r\n1,2\r\n3,4,5\r\n\r\n6,7\r\n")
    result, _, stored = import_and_read(project, path)
    records = store.records(project, result.source_id)
    assert [(r.row_no, r.line_no, r.values) for r in records] == [(1, 2, ["1", "2"]), (4, 5, ["6", "7"])]


def test_cat_20_a_tiny_gb18030_file_is_not_read_as_big5(project, write):
    rows = [["id", "姓名", "手机"], ["001", "张三", "013812345678"]]
    path = write("gb.txt", _csv(rows, delimiter="\t", lineterminator="\n").encode("gb18030"))
    result, headers, stored = import_and_read(project, path)
    assert result.encoding == "gb18030"
    assert headers == rows[0] and stored == rows[1:]
