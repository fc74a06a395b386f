"""The Export dialog: each kind written on the worker with the expected rows, options, refusals and cancel."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QMessageBox

from steward import audit, store, validation
from steward.audit_export import AUDIT_COLUMNS
from steward.errors import Cancelled
from steward.export_jobs import EXPORTERS, ExportOptions, Written
from steward.exports import CLUSTER_COLUMNS, CROSSWALK_COLUMNS, FAILURE_COLUMNS
from steward.golden_ops import MergeClusters, auto_clusters
from steward.importer import ImportOptions, import_file
from steward.match_store import match_project
from steward.operations import perform
from steward.progress import Progress
from steward.project import Project
from steward.rule_store import propose_rules, save_rules
from steward.sample import sample_csv
from ui.views.export_dialog import CHOICES, ExportDialog
from ui.workers import JobRunner

MERGED = 3


@pytest.fixture
def project(tmp_path: Path, qapp) -> Project:
    opened = Project.create(tmp_path / "sample.steward")
    import_file(opened, sample_csv(), ImportOptions())
    save_rules(opened, propose_rules(opened))
    validation.validate(opened)
    match_project(opened)
    perform(opened, MergeClusters(auto_clusters(opened)[:MERGED]))
    yield opened
    opened.close()


@pytest.fixture
def dialog(qtbot, project: Project) -> ExportDialog:
    runner = JobRunner()
    opened = ExportDialog(project, runner)
    qtbot.addWidget(opened)
    yield opened
    runner.wait()


def export(qtbot, dialog: ExportDialog, key: str, path: Path) -> list:
    dialog.set_choice(key)
    dialog.set_path(path)
    with qtbot.waitSignal(dialog.export_finished, timeout=30_000) as finished:
        dialog.export_button.click()
    return finished.args


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def count(project: Project, query: str) -> int:
    return project.conn.execute(query).fetchone()[0]


def test_each_kind_is_written_with_its_header_and_rows(qtbot, dialog: ExportDialog, project: Project,
                                                       tmp_path: Path) -> None:
    records = store.sources(project)[0].record_count
    customers = records - count(project, "SELECT COUNT(*) FROM golden_members") + MERGED
    expected = {  # choice: (header start, data rows)
        "golden-csv": (["golden_id", "records"], customers),
        "crosswalk": (CROSSWALK_COLUMNS, records),
        "failures": (FAILURE_COLUMNS + ["customer_id"], count(project, "SELECT COUNT(*) FROM failures")),
        "records": (["source", "row", "customer_id"], records),
        "clusters": (CLUSTER_COLUMNS + ["customer_id"], records),
        "audit": (AUDIT_COLUMNS, count(project, "SELECT COUNT(*) FROM audit")),
    }
    for key, (header, rows) in expected.items():
        target = tmp_path / f"{key}.csv"
        assert export(qtbot, dialog, key, target) == ["succeeded"], key
        table = read_csv(target)
        assert table[0][:len(header)] == header and len(table) - 1 == rows > 0, key
        assert dialog.last_written is not None and dialog.last_written.rows == rows
        assert f"Wrote {rows:,} " in dialog.result_label.text()
        assert f"Audit trail head: {audit.head_hash(project)}" in dialog.result_label.text()
    golden_ids = [row[0] for row in read_csv(tmp_path / "golden-csv.csv")[1:]]
    assert sum(g.startswith("G") for g in golden_ids) == MERGED


def test_golden_records_as_a_workbook_and_the_report(qtbot, dialog: ExportDialog, project: Project,
                                                     tmp_path: Path) -> None:
    assert export(qtbot, dialog, "golden-xlsx", tmp_path / "golden.xlsx") == ["succeeded"]
    rows = list(openpyxl.load_workbook(tmp_path / "golden.xlsx", read_only=True).worksheets[0].iter_rows(
        values_only=True))
    assert rows[0][:2] == ("golden_id", "records") and len(rows) - 1 == dialog.last_written.rows
    assert sum(str(row[0]).startswith("G") for row in rows[1:]) == MERGED
    assert export(qtbot, dialog, "report", tmp_path / "report.html") == ["succeeded"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and audit.head_hash(project) in page


def test_neutralising_is_an_option_and_is_reported(qtbot, dialog: ExportDialog, tmp_path: Path) -> None:
    assert export(qtbot, dialog, "records", tmp_path / "safe.csv") == ["succeeded"]
    neutralised = dialog.last_written.neutralised
    assert neutralised > 0 and f"{neutralised:,} cells starting with" in dialog.result_label.text()
    dialog.safe_check.setChecked(False)
    dialog.bom_check.setChecked(False)
    assert export(qtbot, dialog, "records", tmp_path / "exact.csv") == ["succeeded"]
    assert dialog.last_written.neutralised == 0 and "prefixed" not in dialog.result_label.text()
    raw = (tmp_path / "exact.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and (tmp_path / "safe.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    cells = {cell for row in read_csv(tmp_path / "exact.csv") for cell in row}
    assert any(cell.startswith("+") for cell in cells)


def test_the_file_name_and_options_follow_the_choice(dialog: ExportDialog, project: Project, tmp_path: Path) -> None:
    dialog.set_choice("golden-csv")
    assert dialog.path() == project.path.parent / "sample-golden.csv"
    dialog.set_choice("golden-xlsx")
    assert dialog.path().name == "sample-golden.xlsx"
    assert not dialog.safe_check.isEnabled() and not dialog.bom_check.isEnabled()
    dialog.set_choice("report")
    assert dialog.path().name == "sample-report.html"
    dialog.set_path(tmp_path / "mine.html")
    dialog.set_choice("audit")
    assert dialog.path() == tmp_path / "mine.csv"
    assert not dialog.safe_check.isEnabled() and dialog.bom_check.isEnabled() and not dialog.source_combo.isEnabled()
    dialog.set_choice("records")
    assert dialog.source_combo.isEnabled() and dialog.source_combo.count() == 2
    dialog.source_combo.setCurrentIndex(1)
    assert dialog.options() == ExportOptions(safe=True, bom=True, source="customers")
    assert len({choice.key for choice in CHOICES}) == len(CHOICES) == len(dialog.choice_buttons)
    dialog.path_edit.clear()
    assert not dialog.export_button.isEnabled()


def test_a_missing_folder_shows_the_error_and_writes_nothing(qtbot, dialog: ExportDialog, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    before = sorted(tmp_path.rglob("*"))
    assert export(qtbot, dialog, "golden-xlsx", tmp_path / "missing" / "golden.xlsx") == ["failed"]
    assert len(shown) == 1 and "does not exist" in shown[0]
    assert sorted(tmp_path.rglob("*")) == before
    assert dialog.result_label.text() == "Nothing was written." and dialog.export_button.isEnabled()


def test_cancel_leaves_the_previous_file(qtbot, dialog: ExportDialog, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "records.csv"
    target.write_text("previous")

    def endless(project: Project, path: Path, options: ExportOptions, progress: Progress) -> Written:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            progress(1, 100)
            time.sleep(0.01)
        raise AssertionError("never cancelled")

    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    monkeypatch.setitem(EXPORTERS, "records", endless)
    dialog.set_choice("records")
    dialog.set_path(target)
    dialog.export_button.click()
    assert dialog.job is not None and not dialog.path_edit.isEnabled() and dialog.close_button.text() == "Cancel"
    with qtbot.waitSignal(dialog.export_finished, timeout=5_000) as finished:
        dialog.reject()                                   # Escape cancels instead of closing
    assert finished.args == ["cancelled"] and dialog.job is None
    assert target.read_text() == "previous" and "cancelled" in dialog.result_label.text()


def test_an_existing_file_is_replaced_only_when_confirmed(qtbot, dialog: ExportDialog, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "audit.csv"
    target.write_text("previous")
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.No)
    dialog.set_choice("audit")
    dialog.set_path(target)
    assert dialog.start() is None and target.read_text() == "previous"
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    assert export(qtbot, dialog, "audit", target) == ["succeeded"]
    assert read_csv(target)[0] == AUDIT_COLUMNS
