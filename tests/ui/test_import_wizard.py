"""The import wizard: overrides re-preview at once, the mapping reaches the project, files can be dropped."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QLabel

from steward import store
from steward.project import Project
from steward.preview import preview_file
from ui.models.preview_model import PreviewModel
from ui.views.import_dialog import RejectedRowsDialog
from ui.views.import_wizard import ImportWizard

WAIT_MS = 15_000
CP1252 = "kundennummer;name;ort;email\n1;Jürgen Müller;Köln;j@example.com\n2;Zoë Weiß;Gießen;\n3;Ann;Bonn;a@example.com\n"


def labels_of(dialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def cell(page, row: int, column: int) -> str:
    return page.model.data(page.model.index(row, column))


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def open_wizard(window, tmp_path: Path, path: Path) -> ImportWizard:
    window.open_project(tmp_path / "p.steward", create=True)
    assert window.import_path(path)
    assert window.imports.wizard is not None
    return window.imports.wizard


def test_another_encoding_re_previews_at_once(qtbot, window, tmp_path, write) -> None:
    wizard = open_wizard(window, tmp_path, write("kunden.csv", CP1252, "cp1252"))
    page = wizard.preview_page
    assert page.encoding_combo.currentText().startswith("Detected: cp1252 (guessed, confidence")
    assert cell(page, 0, 2) == "Jürgen Müller"
    choose(page.encoding_combo, "cp1251")
    assert cell(page, 0, 2) == "Jьrgen Mьller" and page.isComplete()
    choose(page.encoding_combo, "utf-8")
    assert page.model.rowCount() == 0 and not page.isComplete()
    assert "not valid utf-8" in page.status.text()
    page.replace_check.setChecked(True)
    assert cell(page, 0, 2) == "J\ufffdrgen M\ufffdller" and page.isComplete()
    page.replace_check.setChecked(False)
    choose(page.encoding_combo, "cp1252")
    assert cell(page, 1, 3) == "Gießen"
    assert wizard.options().encoding == "cp1252"


def test_delimiter_and_header_overrides_re_preview(qtbot, window, tmp_path, write) -> None:
    wizard = open_wizard(window, tmp_path, write("kunden.csv", CP1252, "cp1252"))
    page = wizard.preview_page
    assert page.delimiter_combo.currentText() == "Detected: semicolon"
    assert page.model.columnCount() == 5 and page.model.headerData(2, Qt.Orientation.Horizontal) == "name"
    choose(page.delimiter_combo, ",")
    assert page.model.columnCount() == 2 and cell(page, 0, 1) == "1;Jürgen Müller;Köln;j@example.com"
    choose(page.delimiter_combo, "other")
    assert page.other_delimiter.isEnabled()
    page.other_delimiter.setText(";")
    assert page.model.columnCount() == 5 and wizard.options().delimiter == ";"
    assert page.header_combo.currentText() == "Detected: row 1"
    choose(page.header_combo, 0)
    assert page.model.headerData(1, Qt.Orientation.Horizontal) == "Column 1"
    assert [cell(page, 0, c) for c in range(1, 5)] == ["kundennummer", "name", "ort", "email"]
    assert "all 4 rows" in page.status.text()
    choose(page.header_combo, 2)
    assert page.model.headerData(2, Qt.Orientation.Horizontal) == "Jürgen Müller"
    assert page.model.rejected_count() == 1 and "would not be imported" in page.status.text()
    choose(page.header_combo, 9)
    assert not page.isComplete() and "only 4 rows" in page.status.text()


def test_mapping_suggestions_and_an_override_reach_the_project(qtbot, window, tmp_path, write) -> None:
    wizard = open_wizard(window, tmp_path, write("kunden.csv", CP1252, "cp1252"))
    wizard.next()
    mapping = wizard.mapping_page
    assert [combo.currentData() for combo in mapping.combos] == ["customer_id", "full_name", "city", "email"]
    assert mapping.table.item(1, 1).text() == "Jürgen Müller · Zoë Weiß · Ann"
    choose(mapping.combos[3], "")
    choose(mapping.combos[2], "region")
    choose(mapping.combos[1], "customer_id")          # a field belongs to one column: the first loses it
    assert mapping.combos[0].currentData() == ""
    mapping.name_edit.setText("Kunden Köln")
    assert wizard.options().mapping == {"#1": "", "#2": "customer_id", "#3": "region", "#4": ""}
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS) as blocker:
        wizard.accept()
    assert blocker.args == ["succeeded"]
    (source,) = store.sources(window.project)
    assert source.name == "Kunden Köln" and source.encoding == "cp1252" and source.record_count == 3
    assert [c.field for c in store.columns(window.project, source.id)] == [None, "customer_id", "region", None]
    summary = window.imports.summary_dialog
    assert summary.result.imported == 3 and summary.result.rejected == 0
    assert "2 mapped to known fields" in labels_of(summary)


def test_rejected_rows_are_counted_and_viewable_after_the_wizard(qtbot, window, tmp_path, write) -> None:
    wizard = open_wizard(window, tmp_path, write("broken.csv", "id,name\n1,Ann\n2,Bob,extra\n\n3,Cleo\n"))
    assert wizard.preview_page.model.rejected_count() == 2
    wizard.next()
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS):
        wizard.accept()
    summary = window.imports.summary_dialog
    assert (summary.result.imported, summary.result.rejected) == (2, 2)
    summary.show_rejected_button.click()
    (dialog,) = window.findChildren(RejectedRowsDialog)
    assert dialog.model.rowCount() == 2 and dialog.model.data(dialog.model.index(0, 2)) == "2,Bob,extra⏎"


def test_cancelling_the_wizard_imports_nothing(qtbot, window, tmp_path, write) -> None:
    wizard = open_wizard(window, tmp_path, write("a.csv", "id,name\n1,Ann\n"))
    with qtbot.waitSignal(window.imports.finished) as blocker:
        wizard.reject()
    assert blocker.args == ["declined"]
    assert window.imports.wizard is None and store.sources(window.project) == []
    assert window.import_action.isEnabled()


def test_a_newer_export_refreshes_its_source_and_the_carry_over_is_undoable(qtbot, window, tmp_path, write) -> None:
    wizard = open_wizard(window, tmp_path, write("march.csv", "customer_id,name\n1,Ann\n2,Bob\n"))
    wizard.next()
    assert not wizard.mapping_page.refresh_check.isEnabled()    # nothing to refresh yet
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS):
        wizard.accept()
    window.imports.summary_dialog.close()
    assert window.import_path(write("april.csv", "customer_id,name\n1,Ann\n2,Bob\n3,Cleo\n"))
    wizard = window.imports.wizard
    wizard.next()
    page = wizard.mapping_page
    page.refresh_check.setChecked(True)
    assert page.source_combo.currentText() == "march"
    choose(page.key_combo, "customer_id")
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS) as blocker:
        wizard.accept()
    assert blocker.args == ["succeeded"]
    march, april = store.sources(window.project)
    assert march.superseded_by == april.id
    assert "'march': 2 rows linked to earlier ones (0 changed), 1 new, 0 gone." in labels_of(window.imports.summary_dialog)
    assert window.undo_action.text() == "&Undo Refresh march"
    window.undo_action.trigger()
    march, april = store.sources(window.project)
    assert march.superseded_by is None and april.record_count == 3


def drag_events(path: Path) -> tuple[QDragEnterEvent, QDropEvent, QMimeData]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    return enter, drop, mime


def test_dropping_a_csv_opens_the_wizard(qtbot, window, tmp_path, write) -> None:
    csv = write("dropped.csv", "id,name\n1,Ann\n")
    enter, _drop, _mime = drag_events(csv)
    window.dragEnterEvent(enter)
    assert not enter.isAccepted()                 # no project to import into yet
    window.open_project(tmp_path / "p.steward", create=True)
    for name in ("notes.pdf", "other.steward"):
        refused, _, _ = drag_events(write(name, b"x"))
        window.dragEnterEvent(refused)
        assert not refused.isAccepted(), name
    enter, drop, _mime = drag_events(csv)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    window.dropEvent(drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: window.imports.wizard is not None)
    assert window.imports.wizard.path == csv
    assert window.imports.wizard.preview_page.model.rowCount() == 1


def test_dropping_a_project_on_an_empty_window_opens_it(qtbot, window, tmp_path) -> None:
    path = tmp_path / "dropped.steward"
    Project.create(path).close()
    enter, drop, _mime = drag_events(path)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: window.project is not None)
    assert window.project.path == path


def test_preview_model(qtmodeltester, write) -> None:
    model = PreviewModel()
    model.set_preview(preview_file(write("m.csv", "id,name\n1,Ann\n2,Bob,extra\n3\n")))
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and model.columnCount() == 3
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) == \
        "Not imported: 3 fields where the header has 2"
    assert model.data(model.index(2, 0), Qt.ItemDataRole.ToolTipRole) == \
        "Imported with notes: missing trailing fields: had 1 of 2"
    model.set_preview(None)
    assert model.rowCount() == 0 and model.columnCount() == 0
