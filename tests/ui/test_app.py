"""Starting the app: arguments, the sample project in the data folder, the last-resort error hook."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from steward import store
from steward.project import Project
from steward.sample import SAMPLE_PROJECT, SAMPLE_SOURCE
from ui import app
from ui.views.main_window import MainWindow, sample_folder


def test_sample_is_created_in_the_data_folder_then_reopened(qtbot, tmp_path) -> None:
    folder = sample_folder()
    assert folder.is_relative_to(tmp_path / "data")   # the autouse fixture's XDG_DATA_HOME
    assert folder == Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    window = app.start(["--sample"])
    qtbot.addWidget(window)
    assert window.project is not None
    assert window.project.path == folder / SAMPLE_PROJECT
    assert [s.name for s in window.source_model.sources] == [SAMPLE_SOURCE]
    assert window.record_model.rowCount() > 250
    assert window.record_model.data(window.record_model.index(0, 0)).startswith("0")   # customer_id kept as text
    assert "Sample customers" in window.counts_label.text()
    window.close()
    assert window.project is None

    again = app.start(["--sample"])                   # second start opens, does not import again
    qtbot.addWidget(again)
    assert [s.name for s in again.source_model.sources] == [SAMPLE_SOURCE]
    again.close()


def test_project_argument_is_opened(qtbot, tmp_path) -> None:
    path = tmp_path / "given.steward"
    Project.create(path).close()
    window = app.start([str(path)])
    qtbot.addWidget(window)
    assert window.project is not None and window.project.path == path
    assert window.isVisible()


def test_unknown_qt_arguments_are_ignored() -> None:
    args = app.parse_args(["-style", "fusion", "--sample"])
    assert args.sample is True


def test_main_opens_the_project_and_releases_it_when_the_loop_ends(qtbot, tmp_path, monkeypatch) -> None:
    path = tmp_path / "run.steward"
    Project.create(path).close()
    seen: list[Path] = []

    def fake_exec() -> int:
        # Running the real loop inside pytest stops PySide calling Python overrides in later tests.
        [window] = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        qtbot.addWidget(window)
        seen.append(window.project.path)
        seen.append(signal.getsignal(signal.SIGTERM))
        return 3

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    hook, term = sys.excepthook, signal.getsignal(signal.SIGTERM)
    try:
        assert app.main([str(path)]) == 3
        assert sys.excepthook is app.show_unexpected_error
    finally:
        sys.excepthook = hook
    assert seen[0] == path
    assert callable(seen[1]) and seen[1] is not term    # SIGTERM quits the loop cleanly while it runs …
    assert signal.getsignal(signal.SIGTERM) is term     # … and the previous handler is back afterwards
    assert Path(str(path) + ".lock").read_bytes() == b""  # released: the lock file is empty
    with Project.open(path) as reopened:               # not locked by the finished app
        assert store.sources(reopened) == []


def test_cat_70_unexpected_errors_are_shown_without_their_message(qtbot, monkeypatch, caplog) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text, *a: shown.append(text)))
    try:
        raise ValueError("Müller, jurgen.mueller@example.com")
    except ValueError as exc:
        app.show_unexpected_error(type(exc), exc, exc.__traceback__)
    assert len(shown) == 1
    assert "ValueError" in shown[0] and "example.com" not in shown[0]
    assert "ValueError" in caplog.text and "example.com" not in caplog.text and "Müller" not in caplog.text


@pytest.mark.parametrize("module", ["ui.__main__"])
def test_module_entry_uses_an_absolute_import(module: str) -> None:
    source = Path(__import__("ui").__file__).with_name("__main__.py").read_text(encoding="utf-8")
    assert "from ui.app import main" in source
