"""Property P1/P2: any table of strings survives import and ``export --records`` exactly.

Tables mix CJK, emoji, quotes, delimiters, newlines, leading zeros, ``NA``,
formula-looking text, blank cells and blank rows; each is written as CSV in
every supported encoding, imported, read back and exported.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from steward import store
from steward.cli import main
from steward.importer import ImportOptions, import_file
from steward.io.export import neutralise
from steward.project import Project

SPECIAL = ["", "NA", "null", "0012", "=1+1", "+44 20 7946 0958", "@SUM(A1)", "-x", '"', ",", ";", "\t", "|",
           "a\nb", "a\r\nb", "\r", "张三", "髙橋①", "😀", "Müller", " padded ", "1234567890123456789"]


def _alphabet(encoding: str) -> st.SearchStrategy[str]:
    """Characters the encoding can hold (drawn from its code table, not filtered afterwards)."""
    if encoding in ("cp1252", "cp932"):
        table = {bytes([b]).decode(encoding, "ignore") for b in range(256)}
        if encoding == "cp932":
            table |= {bytes([lead, trail]).decode(encoding, "ignore")
                      for lead in [*range(0x81, 0xA0), *range(0xE0, 0xFD)] for trail in range(0x40, 0xFD)}
        return st.sampled_from(sorted(c for c in table if len(c) == 1 and c not in "\x00\ufeff"))
    return st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufeff")


def _cells(encoding: str) -> st.SearchStrategy[str]:
    free = st.text(_alphabet(encoding), max_size=12)
    return st.one_of(st.sampled_from([s for s in SPECIAL if _encodable(s, encoding)]), free)


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _tables(encoding: str) -> st.SearchStrategy[list[list[str]]]:
    cell = _cells(encoding)
    return st.integers(min_value=1, max_value=5).flatmap(
        lambda width: st.lists(st.lists(cell, min_size=width, max_size=width), min_size=2, max_size=8))


def _roundtrip(table: list[list[str]], encoding: str, delimiter: str) -> None:
    header, rows = table[0], table[1:]
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(table)
    with tempfile.TemporaryDirectory() as folder:
        folder_path = Path(folder)
        source = folder_path / "table.csv"
        source.write_bytes(text.getvalue().encode(encoding))
        project_path = folder_path / "p.steward"
        given_encoding = None if encoding in ("utf-8", "utf-8-sig", "utf-16") else encoding
        with Project.create(project_path) as project:
            result = import_file(project, source, ImportOptions(encoding=given_encoding, delimiter=delimiter,
                                                                header_row=1))
            assert [c.header for c in store.columns(project, result.source_id)] == header
            stored = [r.values for r in store.records(project, result.source_id, 0, 100)]
            assert stored == rows
            assert result.imported + result.rejected == len(rows)
        for exact in (True, False):
            out = folder_path / f"out-{exact}.csv"
            args = ["export", str(project_path), "--records", str(out)] + (["--exact"] if exact else [])
            assert main(args) == 0
            with open(out, encoding="utf-8-sig", newline="") as handle:
                exported = list(csv.reader(handle))
            assert exported[0] == ["source", "row"] + header
            expected = [["table", str(i)] + (row if exact else [neutralise(v) for v in row])
                        for i, row in enumerate(rows, start=1)]
            if not exact:
                expected = [[neutralise(v) for v in r[:2]] + r[2:] for r in expected]
            assert exported[1:] == expected


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "gb18030", "cp932", "cp1252"]
_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _make_test(encoding: str):
    @_settings
    @given(table=_tables(encoding), delimiter=st.sampled_from([",", ";", "\t", "|"]))
    @example(table=[["a"], [""], ["NA"]], delimiter=",")
    @example(table=[["a", "b"], ["", ""], ["0012", "=1+1"]], delimiter=";")
    def test(table: list[list[str]], delimiter: str) -> None:
        _roundtrip(table, encoding, delimiter)

    test.__name__ = f"test_p1_roundtrip_{encoding.replace('-', '_')}"
    return test


for _encoding in ENCODINGS:
    globals()[f"test_p1_roundtrip_{_encoding.replace('-', '_')}"] = _make_test(_encoding)
