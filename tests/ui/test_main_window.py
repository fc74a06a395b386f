"""The main window end to end: open a project, import through the file dialog, see the rows."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from steward import store
from steward.project import Project
from ui import workers
from ui.settings import Settings
from ui.views.import_dialog import RejectedRowsDialog
from ui.views.main_window import MainWindow

WAIT_MS = 15_000


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def finish_wizard(window: MainWindow) -> None:
    """Accept the import wizard's choices as detected, if it opened."""
    wizard = window.imports.wizard
    if wizard is not None:
        wizard.next()
        wizard.accept()


def import_via_menu(qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, path: Path) -> str:
    choose_file(monkeypatch, path)
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS) as blocker:
        window.import_action.trigger()
        finish_wizard(window)
    return blocker.args[0]


def gate_imports(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Hold imports at their first progress report: (entered, release) events for the test."""
    entered, release = threading.Event(), threading.Event()
    real_import = workers.import_file

    def slow_import(project, path, options, progress, then=None):
        def gated(done: int, total: int) -> None:
            entered.set()
            release.wait(10)
            progress(done, total)
        return real_import(project, path, options, progress=gated, then=then)

    monkeypatch.setattr(workers, "import_file", slow_import)
    return entered, release


def record_total(path: Path) -> tuple[list[str], int]:
    """What the project file holds, read on a fresh read-only connection."""
    with Project.open(path, read_only=True) as project:
        sources = store.sources(project)
        return [s.name for s in sources], sum(s.record_count for s in sources)


def test_open_project_then_import_shows_source_and_rows(qtbot, window, tmp_path, write, monkeypatch, customer_csv) -> None:
    path = tmp_path / "p.steward"
    Project.create(path).close()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    window.open_action.trigger()
    assert window.project is not None and window.project.path == path
    assert window.stack.currentWidget() is window.workspace
    assert not window.rejected_action.isEnabled()

    csv = write("clients.csv", customer_csv(320) + "\n")  # a trailing blank line is rejected, not dropped
    assert import_via_menu(qtbot, window, monkeypatch, csv) == "succeeded"

    assert [window.source_model.data(window.source_model.index(r)) for r in range(window.source_model.rowCount())] \
        == ["clients"]
    assert window.source_list.currentIndex().row() == 0
    model = window.record_view.model()
    assert model.rowCount() == 320
    assert model.data(model.index(319, 1)) == "Person 320"
    assert window.counts_label.text() == ("clients: 320 records, 1 rejected    |    1 source · 320 records · "
                                          "0 proposals to decide · 0 open failures · quality not measured yet")
    summary = window.imports.summary_dialog
    assert summary is not None and summary.isVisible()
    assert summary.result.imported == 320 and summary.result.rejected == 1
    assert window.rejected_action.isEnabled()
    window.close_project()
    assert record_total(path) == (["clients"], 320)


def test_the_welcome_page_imports_a_file_into_a_new_project_beside_it(qtbot, window, write, monkeypatch,
                                                                    customer_csv) -> None:
    csv = write("dealer.csv", customer_csv(25))
    choose_file(monkeypatch, csv)
    offered: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda _parent, _title, suggested, *a, **k: offered.append(suggested)
                                     or (suggested, "")))
    assert window.stack.currentWidget() is window.welcome
    button = next(b for b in window.welcome.findChildren(QPushButton) if b.text() == "Import a file…")
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS) as blocker:
        button.click()
        finish_wizard(window)
    assert blocker.args[0] == "succeeded"
    assert offered == [str(csv.with_suffix(".steward"))]
    assert window.project.path == csv.with_suffix(".steward") and window.stack.currentWidget() is window.workspace
    window.close_project()
    assert record_total(csv.with_suffix(".steward")) == (["dealer"], 25)


def test_a_project_made_for_an_import_that_was_declined_goes_again(qtbot, window, write, monkeypatch,
                                                                   customer_csv) -> None:
    csv = write("dealer.csv", customer_csv(5))
    choose_file(monkeypatch, csv)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda _parent, _title, suggested, *a, **k: (suggested, "")))
    assert window.import_into_new_project()
    window.imports.wizard.reject()
    assert window.project is None and window.stack.currentWidget() is window.welcome
    assert not csv.with_suffix(".steward").exists() and not Path(str(csv.with_suffix(".steward")) + ".lock").exists()
    assert window.welcome.recent_list.count() == 0


def test_summary_lists_warnings_and_opens_rejected_rows(qtbot, window, tmp_path, write, monkeypatch) -> None:
    window.open_project(tmp_path / "p.steward", create=True)
    csv = write("broken.csv", "id,name\n1,Ann\n2,Bob,extra\n3\n")
    assert import_via_menu(qtbot, window, monkeypatch, csv) == "succeeded"
    summary = window.imports.summary_dialog
    assert summary.show_rejected_button is not None
    assert any("notes" in warning for warning in summary.warnings)
    summary.show_rejected_button.click()
    dialogs = window.findChildren(RejectedRowsDialog)
    assert len(dialogs) == 1
    rejected = dialogs[0].model
    assert rejected.rowCount() == 1
    assert rejected.data(rejected.index(0, 0)) == "3"
    assert rejected.data(rejected.index(0, 2)) == "2,Bob,extra⏎"


def test_cat_69_cancel_rolls_the_import_back(qtbot, window, tmp_path, write, monkeypatch, customer_csv) -> None:
    window.open_project(tmp_path / "p.steward", create=True)
    entered, release = gate_imports(monkeypatch)
    choose_file(monkeypatch, write("big.csv", customer_csv(3000)))
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS) as blocker:
        window.import_action.trigger()
        finish_wizard(window)
        qtbot.waitUntil(entered.is_set)
        dialog = window.imports.progress_dialog
        assert not dialog.isVisible()                # not shown for short work …
        qtbot.waitUntil(dialog.isVisible, timeout=3000)  # … but after about half a second
        assert not window.import_action.isEnabled()  # one import at a time
        dialog.canceled.emit()                       # the user presses Cancel
        release.set()
    assert blocker.args == ["cancelled"]
    assert window.imports.progress_dialog is None
    assert window.source_model.rowCount() == 0
    assert "cancelled" in window.statusBar().currentMessage()
    assert window.import_action.isEnabled()
    assert store.sources(window.project) == []
    path = window.project.path
    window.close_project()
    assert record_total(path) == ([], 0)


def test_import_error_is_shown_and_nothing_changes(qtbot, window, tmp_path, write, monkeypatch, customer_csv) -> None:
    window.open_project(tmp_path / "p.steward", create=True)
    assert import_via_menu(qtbot, window, monkeypatch, write("good.csv", customer_csv(5))) == "succeeded"
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append((title, text))))
    assert import_via_menu(qtbot, window, monkeypatch, write("empty.csv", b"")) == "failed"
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "Import failed" and "empty" in text and "Traceback" not in text
    assert window.source_model.rowCount() == 1
    path = window.project.path
    window.close_project()
    assert record_total(path) == (["good"], 5)


@pytest.mark.parametrize("answer, sources", [
    (QMessageBox.StandardButton.Yes, ["again", "again (2)"]),
    (QMessageBox.StandardButton.No, ["again"]),
])
def test_duplicate_file_asks_before_importing_again(qtbot, window, tmp_path, write, monkeypatch, answer, sources,
                                                   customer_csv) -> None:
    window.open_project(tmp_path / "p.steward", create=True)
    csv = write("again.csv", customer_csv(4))
    assert import_via_menu(qtbot, window, monkeypatch, csv) == "succeeded"
    asked: list[str] = []

    def question(parent, title, text, *args):
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    choose_file(monkeypatch, csv)
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS) as blocker:
        window.import_action.trigger()
        finish_wizard(window)
    assert blocker.args == ["succeeded" if answer == QMessageBox.StandardButton.Yes else "declined"]
    assert len(asked) == 1 and "identical" in asked[0]
    assert [s.name for s in store.sources(window.project)] == sources
    assert [window.source_model.data(window.source_model.index(r)) for r in range(len(sources))] == sources


def test_open_errors_are_messages_and_recent_projects_are_remembered(qtbot, window, tmp_path, write,
                                                                    monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text)))
    assert not window.open_project(write("list.csv", "a,b\n1,2\n"))
    assert "not a Steward project" in shown[0]
    assert window.project is None and window.stack.currentWidget() is window.welcome

    first, second = tmp_path / "one.steward", tmp_path / "two.steward"
    assert window.open_project(first, create=True)
    assert window.open_project(second, create=True)
    assert window.windowTitle().startswith("two")
    assert Settings().recent_projects() == [second.resolve(), first.resolve()]
    window.close_project()
    assert window.welcome.recent_list.count() == 2

    holder = Project.open(first)                        # another Steward holds the lock … in this process
    holder.close()
    other = MainWindow(Settings())
    qtbot.addWidget(other)
    assert other.open_project(first)
    assert not window.open_project(first)               # the second window is refused, with a message
    assert "in use" in shown[-1]


def test_geometry_and_splitter_are_restored(qtbot, tmp_path) -> None:
    first = MainWindow(Settings())
    qtbot.addWidget(first)
    first.resize(620, 460)  # within the offscreen screen, which restoreGeometry clamps to
    first.splitter.setSizes([150, 400])
    sizes = first.splitter.sizes()
    assert sizes[0] < sizes[1]
    first.close()
    second = MainWindow(Settings())
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (620, 460)
    assert second.splitter.sizes() == sizes


def test_shortcuts(window) -> None:
    assert window.new_action.shortcut().toString() == "Ctrl+N"
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    assert window.import_action.shortcut().toString() == "Ctrl+I"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert not window.import_action.isEnabled()        # nothing to import into yet


def test_protected_workbook_asks_for_the_password_until_it_fits(qtbot, window, tmp_path, monkeypatch) -> None:
    import openpyxl
    from msoffcrypto.format.ooxml import OOXMLFile
    from PySide6.QtWidgets import QInputDialog

    book = openpyxl.Workbook()
    book.active.append(["id", "name"])
    book.active.append(["00123", "Ann"])
    plain, protected = tmp_path / "plain.xlsx", tmp_path / "locked.xlsx"
    book.save(plain)
    with open(plain, "rb") as source, open(protected, "wb") as target:
        OOXMLFile(source).encrypt("s3cret", target)
    window.open_project(tmp_path / "p.steward", create=True)
    answers = iter([("guess", True), ("s3cret", True)])
    prompts: list[str] = []

    def get_text(parent, title, label, echo, *args):
        prompts.append(label)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    assert import_via_menu(qtbot, window, monkeypatch, protected) == "succeeded"
    assert "password-protected" in prompts[0] and "wrong password" in prompts[1]
    assert [s.name for s in store.sources(window.project)] == ["locked"]
    assert window.record_view.model().data(window.record_view.model().index(0, 0)) == "00123"


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_cat_69_closing_during_an_import_asks_then_cancels_cleanly(qtbot, window, tmp_path, write, monkeypatch,
                                                                  customer_csv, answer) -> None:
    window.open_project(tmp_path / "p.steward", create=True)
    entered, release = gate_imports(monkeypatch)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda parent, title, text, *a: asked.append(text) or answer))
    choose_file(monkeypatch, write("big.csv", customer_csv(3000)))
    path = window.project.path
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS) as blocker:
        window.import_action.trigger()
        finish_wizard(window)
        qtbot.waitUntil(entered.is_set)
        if answer == QMessageBox.StandardButton.No:
            assert window.close_project() is False
            assert window.project is not None
            release.set()
        else:
            release.set()
            assert window.close_project() is True
            assert window.project is None
    assert len(asked) == 1 and "import is still running" in asked[0]
    if answer == QMessageBox.StandardButton.No:
        assert blocker.args == ["succeeded"]
        window.close_project()
        assert record_total(path) == (["big"], 3000)
    else:
        assert record_total(path) == ([], 0)


def test_rejected_rows_dialog_shows_a_bounded_window_of_many(qtbot, window, tmp_path, write, monkeypatch) -> None:
    from ui import import_flow

    monkeypatch.setattr(import_flow, "SHOWN_REJECTED_ROWS", 5)
    window.open_project(tmp_path / "p.steward", create=True)
    lines = ["a,b", "1,2"] + [f"{i},x,extra" for i in range(12)]
    assert import_via_menu(qtbot, window, monkeypatch, write("many.csv", "\n".join(lines) + "\n")) == "succeeded"
    dialog = import_flow.show_rejected_rows(window.project, store.sources(window.project)[0].id, window)
    assert dialog.model.rowCount() == 5
    assert any("Showing the first 5; the command 'steward rejected' lists them all" in label.text()
               for label in dialog.findChildren(type(window.counts_label)))


def test_workbook_with_several_sheets_offers_them_in_the_wizard(qtbot, window, tmp_path, monkeypatch) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Q3"
    book.active.append(["id", "name"])
    book.active.append(["007", "Ann"])
    other = book.create_sheet("Q4")
    other.append(["id", "name"])
    other.append(["008", "Bob"])
    other.append(["009", "Cleo"])
    path = tmp_path / "dealers.xlsx"
    book.save(path)
    window.open_project(tmp_path / "p.steward", create=True)
    choose_file(monkeypatch, path)
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS) as blocker:
        window.import_action.trigger()
        page = window.imports.wizard.preview_page
        combo = page.sheet_combo
        assert [combo.itemText(i) for i in range(combo.count())] == ["'Q3' (2 rows)", "'Q4' (3 rows)"]
        combo.setCurrentIndex(1)
        assert page.model.data(page.model.index(0, 1)) == "008"
        finish_wizard(window)
    assert blocker.args == ["succeeded"]
    (source,) = store.sources(window.project)
    assert source.sheet == "Q4" and source.record_count == 2


def test_the_duplicates_screen_reviews_with_undo_from_the_edit_menu(qtbot, window, tmp_path) -> None:
    from steward.importer import ImportOptions, import_file
    from steward.match_store import match_project
    from steward.sample import sample_csv
    path = tmp_path / "s.steward"
    with Project.create(path) as project:
        import_file(project, sample_csv(), ImportOptions())
        match_project(project)
    window.open_project(path)
    window.workspace.actions_by_name["Duplicates"].trigger()
    assert window.workspace.current_name() == "Duplicates"
    queue = window.review_view.queue_model
    before = queue.rowCount()
    assert before > 0 and "44 proposals to decide" in window.counts_label.text()
    window.review_view.merge_action.trigger()
    assert queue.rowCount() == before - 1 and "43 proposals to decide" in window.counts_label.text()
    assert window.undo_action.isEnabled() and window.undo_action.text().startswith("&Undo Merge proposal")
    window.undo_action.trigger()
    assert queue.rowCount() == before and "44 proposals to decide" in window.counts_label.text()
    window.redo_action.trigger()
    assert queue.rowCount() == before - 1
