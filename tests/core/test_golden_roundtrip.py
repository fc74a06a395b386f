"""Property P2 for the golden view (G1): importing our own ``export --golden`` gives back every value.

A record on its own comes back with its values, a golden record with its survivors'. The exact CSV
is byte-for-byte; the safe CSV differs only by the documented ``'`` before a cell a spreadsheet would
run; XLSX holds every value as a text cell, so formula-looking values come back as the text they are.
The crosswalk export comes back as the membership the project holds.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from openpyxl import load_workbook

from steward import golden, operations, store
from steward.cli import main
from steward.golden_ops import MergeRecords
from steward.importer import ImportOptions, import_file
from steward.project import Project
from steward.survivorship import RULES

HEADERS = ["name", "email", "phone", "city"]   # all four map to canonical fields, so --golden exports them
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")   # docs/cli.md, bad-inputs item 10
SPECIAL = ["", "=1+1", '=HYPERLINK("http://x.example","click")', "+44 20 7946 0958", "-5", "@SUM(A1)",
           "＝1+1", "＋1", "－x", "＠x", "\tlead", "\nlead", "0012", "000", "#N/A", "TRUE", "1e5",
           "1234567890123456789", "张三", "髙橋①", "😀", "Müller", " padded ", "a\nb", "'quoted", '"', ",",
           "\x7f", "\x85", "a\u2028b", "\u00a0"]
NOT_IN_XLSX = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")  # see xlsx refusals
CSV_ONLY = ["\r", "a\r\nb", "_x0041_", "x\x01y", "\x1b[0m"]

_csv_cell = st.one_of(st.sampled_from(SPECIAL + CSV_ONLY),
                      st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufeff"),
                              max_size=10))
_xlsx_characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
    map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), 0xFEFF, 0xFFFE, 0xFFFF])))
_xlsx_cell = st.one_of(st.sampled_from(SPECIAL), st.text(_xlsx_characters, max_size=10)).filter(
    lambda v: not NOT_IN_XLSX.search(v))


def _tables(cell: st.SearchStrategy[str]) -> st.SearchStrategy[list[list[str]]]:
    return st.lists(st.lists(cell, min_size=len(HEADERS), max_size=len(HEADERS)), min_size=1, max_size=7)


# Which golden record each row joins: rows sharing a label above 0 are merged, label 0 stays on its own.
_groups = st.lists(st.integers(min_value=0, max_value=2), min_size=7, max_size=7)
_settings = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _project(folder: Path, rows: list[list[str]], groups: list[int], rule: str) -> Path:
    """A project of ``rows`` with the rows of each group merged under ``rule``."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([HEADERS] + rows)
    source = folder / "people.csv"
    source.write_text(text.getvalue(), encoding="utf-8")
    path = folder / "p.steward"
    with Project.create(path) as project:
        result = import_file(project, source, ImportOptions(header_row=1))
        assert [c.field for c in store.columns(project, result.source_id)] == ["full_name", "email", "phone", "city"]
        ids = [r.id for r in store.records(project, result.source_id, 0, 100)]
        for label in (1, 2):
            together = tuple(r for r, g in zip(ids, groups) if g == label)
            if len(together) >= 2:
                operations.perform(project, MergeRecords(together, rule))
    return path


def _expected(path: Path) -> dict[str, list[str]]:
    """Entity id → [records, values in HEADERS order]: a record's own values, or a golden record's survivors."""
    with Project.open(path, read_only=True) as project:
        [source] = store.sources(project)
        fields = [c.field for c in store.columns(project, source.id)]
        golden_of = dict(project.conn.execute("SELECT record_id, golden_id FROM golden_members"))
        expected = {}
        for record in store.records(project, source.id, 0, 100):
            if record.id not in golden_of:
                expected[f"R{record.id}"] = ["1"] + [record.values[i] if i < len(record.values) else ""
                                                     for i in range(len(HEADERS))]
            elif f"G{golden_of[record.id]}" not in expected:
                merged = golden.golden_record(project, golden_of[record.id])
                expected[merged.entity_id] = [str(len(merged.members))] + [merged.values[f].value for f in fields]
        return expected


def _reimported(export: Path, folder: Path) -> tuple[list[str], list[list[str]]]:
    """Import an export into a new project, as a user would, and read back its header and rows."""
    path = folder / f"again-{export.name}.steward"
    assert main(["import", str(path), str(export)]) == 0
    with Project.open(path, read_only=True) as project:
        [source] = store.sources(project)
        header = [c.header for c in store.columns(project, source.id)]
        return header, [r.values for r in store.records(project, source.id, 0, 100)]


def _as_entities(header: list[str], rows: list[list[str]]) -> dict[str, list[str]]:
    assert header == ["golden_id", "records"] + HEADERS
    entities = {row[0]: row[1:] for row in rows}
    assert len(entities) == len(rows), "an entity was exported twice"
    return entities


def _safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@_settings
@given(rows=_tables(_csv_cell), groups=_groups, rule=st.sampled_from(sorted(RULES)))
@example(rows=[["=1+1", "@x", "0012", "a\r\nb"], ["-5", "＝x", "\tx", ""], ["＋1", "＠", "\n", "😀"],
               ["－", "\r", "+1", "张三"]], groups=[1, 1, 0, 0, 0, 0, 0], rule="longest")
def test_p2_golden_csv_export_reimports_to_the_same_values(rows, groups, rule) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = _project(folder, rows, groups, rule)
        expected = _expected(path)
        exact, safe, crosswalk = folder / "exact.csv", folder / "safe.csv", folder / "crosswalk.csv"
        assert main(["export", str(path), "--golden", str(exact), "--crosswalk", str(crosswalk), "--exact"]) == 0
        assert main(["export", str(path), "--golden", str(safe)]) == 0

        assert _as_entities(*_reimported(exact, folder)) == expected
        assert _as_entities(*_reimported(safe, folder)) == {
            entity: [_safe(v) for v in values] for entity, values in expected.items()}

        header, links = _reimported(crosswalk, folder)
        assert header == ["source", "row", "golden_id"]
        with Project.open(path, read_only=True) as project:
            stored = project.conn.execute(
                "SELECT s.name, r.row_no, COALESCE('G' || m.golden_id, 'R' || r.id) FROM records r "
                "JOIN sources s ON s.id = r.source_id LEFT JOIN golden_members m ON m.record_id = r.id ORDER BY r.id")
            assert links == [[name, str(row), entity] for name, row, entity in stored]


@_settings
@given(rows=_tables(_xlsx_cell), groups=_groups, rule=st.sampled_from(sorted(RULES)))
@example(rows=[['=HYPERLINK("http://x.example","click")', "#N/A", "0012", "a\nb"], ["=1+1", "TRUE", "1e5", ""]],
         groups=[1, 1, 0, 0, 0, 0, 0], rule="longest")
@example(rows=[["=1", "=2", "=3", "=4"], ["#DIV/0!", "-1", "+1", "@1"]], groups=[0] * 7, rule="valid_first")
def test_p2_golden_xlsx_export_keeps_every_value_as_text_and_reimports_to_the_same_values(rows, groups, rule):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = _project(folder, rows, groups, rule)
        expected = _expected(path)
        out = folder / "golden.xlsx"
        assert main(["export", str(path), "--golden", str(out)]) == 0

        sheet = load_workbook(out).active
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value not in (None, "")]
        assert cells   # the header at least
        assert [(c.coordinate, c.value, c.data_type) for c in cells if c.data_type != "s" or
                not isinstance(c.value, str)] == []

        assert _as_entities(*_reimported(out, folder)) == expected


@pytest.mark.parametrize("value", ["a\rb", "_x0041_", "x\x01y", "x" * 32_768])
def test_golden_xlsx_refuses_a_value_it_cannot_hold_and_writes_nothing(tmp_path, value, capsys) -> None:
    """Refused rather than altered: the CSV export is the way to get such a value out exactly."""
    path = _project(tmp_path, [["Ann", "a@x.example", "", value], ["Bob", "", "", ""]], [0] * 7, "longest")
    out = tmp_path / "golden.xlsx"
    assert main(["export", str(path), "--golden", str(out)]) == 1
    assert "Cannot write" in capsys.readouterr().err
    assert not out.exists()
    exact = tmp_path / "golden.csv"
    assert main(["export", str(path), "--golden", str(exact), "--exact"]) == 0
    assert value in [v for values in _as_entities(*_reimported(exact, tmp_path)).values() for v in values]
