"""The import preview shows what the import would store, and re-reads at once with other options."""

from __future__ import annotations

import openpyxl
import pytest

from steward import store
from steward.errors import EncodingError, ImportFailed
from steward.importer import ImportOptions, import_file
from steward.preview import preview_file

MESSY = ("Contact export 2024\n"
         "customer_id,name,email\n"
         "001,Ann Lee,ann@example.com\n"
         "002,Bob\n"
         "\n"
         "003,Cleo,cleo@example.com,surplus\n"
         "004,Dan,dan@example.com,\n")


def test_preview_shows_exactly_what_the_import_stores(project, write) -> None:
    path = write("messy.csv", MESSY)
    preview = preview_file(path)
    result = import_file(project, path)
    stored = [r.values for r in store.records(project, result.source_id, 0, 100)]
    rejected = {r.line_no: r.reason for r in store.rejected_rows(project, result.source_id, limit=100)}
    assert preview.header_row == result.header_row == 2
    assert preview.labels == result.labels and preview.suggestions == result.mapping
    assert [row.values for row in preview.rows if row.rejected is None] == stored
    assert {row.line_no: row.rejected for row in preview.rows if row.rejected} == rejected
    assert [row.notes for row in preview.rows if row.line_no == 4] == [("missing trailing fields: had 2 of 3",)]
    assert preview.delimiter == "," and preview.encoding.encoding == "utf-8" and not preview.more


def test_another_encoding_changes_the_text_at_once(write) -> None:
    path = write("cp1252.csv", "kundennummer;name;ort\n1;Jürgen Müller;Köln\n2;Zoë Weiß;Gießen\n", "cp1252")
    detected = preview_file(path)
    assert detected.encoding.encoding == "cp1252" and detected.encoding.method == "detected"
    assert detected.rows[0].values == ["1", "Jürgen Müller", "Köln"]
    cyrillic = preview_file(path, ImportOptions(encoding="cp1251"))
    assert cyrillic.encoding.method == "user"
    assert cyrillic.rows[0].values == ["1", "Jьrgen Mьller", "Kцln"]
    with pytest.raises(EncodingError, match="not valid utf-8"):
        preview_file(path, ImportOptions(encoding="utf-8"))
    replaced = preview_file(path, ImportOptions(encoding="utf-8", replace_invalid=True))
    assert replaced.rows[0].values[1] == "J\ufffdrgen M\ufffdller"
    assert replaced.rows[0].notes == ("invalid bytes replaced by \ufffd",)


def test_delimiter_and_header_overrides(write) -> None:
    path = write("semi.csv", "id;name\n1;Ann\n2;Bob\n")
    assert preview_file(path).headers == ["id", "name"]
    as_comma = preview_file(path, ImportOptions(delimiter=","))
    assert as_comma.headers == ["id;name"] and as_comma.rows[0].values == ["1;Ann"]
    no_header = preview_file(path, ImportOptions(header_row=0))
    assert no_header.header_row is None and no_header.detected_header_row == 1
    assert no_header.labels == ["Column 1", "Column 2"] and no_header.suggestions == [None, None]
    assert [row.values for row in no_header.rows] == [["id", "name"], ["1", "Ann"], ["2", "Bob"]]
    second = preview_file(path, ImportOptions(header_row=2))
    assert second.headers == ["1", "Ann"]
    assert [(row.values, row.rejected) for row in second.rows] == [
        (["id", "name"], "title line above the header row"), (["2", "Bob"], None)]
    with pytest.raises(ImportFailed, match="only 3 rows"):
        preview_file(path, ImportOptions(header_row=4))


def test_only_the_first_rows_are_read(write) -> None:
    path = write("long.csv", "id,name\n" + "".join(f"{n},Person {n}\n" for n in range(1, 121)))
    preview = preview_file(path, limit=50)
    assert len(preview.rows) == 50 and preview.more
    assert preview.rows[-1].values == ["50", "Person 50"]
    assert not preview_file(path, limit=120).more


def test_workbook_sheets_are_listed_and_the_suggested_one_previewed(tmp_path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Q3"
    book.active.append(["id", "name"])
    book.active.append(["007", "Ann"])
    other = book.create_sheet("Q4")
    other.append(["id", "name"])
    other.append(["008", "Bob"])
    path = tmp_path / "dealers.xlsx"
    book.save(path)
    first = preview_file(path)
    assert first.kind == "xlsx" and first.encoding is None and first.delimiter is None
    assert first.sheets == [("Q3", "'Q3' (2 rows)"), ("Q4", "'Q4' (2 rows)")]
    assert first.sheet == "Q3" and first.rows[0].values == ["007", "Ann"]
    chosen = preview_file(path, ImportOptions(sheet="Q4"))
    assert chosen.sheet == "Q4" and chosen.rows[0].values == ["008", "Bob"]
