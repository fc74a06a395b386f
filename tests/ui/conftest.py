"""Qt test fixtures: settings and data folders redirected to the test's own tmp folder."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from steward.importer import import_file
from steward.project import Project
from ui.app import APPLICATION, ORGANIZATION
from ui.collector import collect_on_gui_thread
from ui.settings import Settings
from ui.views.main_window import MainWindow

HEADER = "customer_id,name,email,city\n"


@pytest.fixture(autouse=True, scope="session")
def gui_thread_collection(qapp):
    """As in the app: cyclic garbage (windows of finished tests) is collected on the GUI thread only."""
    collector = collect_on_gui_thread(qapp)
    yield collector
    gc.enable()


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp) -> Path:
    """Never read or write the user's real settings or data folder."""
    folder = tmp_path / "settings"
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return folder


def make_customer_csv(rows: int, *, flagged_every: int = 0) -> str:
    """A small valid customer list; every ``flagged_every``-th row is short (imported with a note)."""
    lines = [HEADER]
    for n in range(1, rows + 1):
        if flagged_every and n % flagged_every == 0:
            lines.append(f"{n:06d},Short Row {n}\n")
        else:
            lines.append(f"{n:06d},Person {n},person{n}@example.com,City {n % 17}\n")
    return "".join(lines)


@pytest.fixture
def customer_csv():
    """Text of a valid customer list: ``customer_csv(rows, flagged_every=0)``."""
    return make_customer_csv


@pytest.fixture
def filled_project(tmp_path: Path, write):
    """A project with one source of 700 records (three pages), every 50th with a note."""
    project = Project.create(tmp_path / "filled.steward")
    result = import_file(project, write("people.csv", make_customer_csv(700, flagged_every=50)))
    yield project, result.source_id
    project.close()


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    return win


@pytest.fixture(scope="session")
def matched_sample(tmp_path_factory: pytest.TempPathFactory, build_sample) -> Path:
    """The sample with the default rules, validated and matched: built once, the start of the screens' test
    projects (each copies it and decides what its tests need)."""
    return build_sample(tmp_path_factory.mktemp("matched_sample") / "sample.steward")


def _opened_copy(template: Path, target: Path) -> Project:
    with Project.open(template, read_only=True) as source:
        source.save_copy(target)
    return Project.open(target)


@pytest.fixture(scope="session")
def opened_copy():
    """``opened_copy(template, target)``: a writable copy of a project, leaving the template as it is."""
    return _opened_copy


@pytest.fixture
def session(template: Path, tmp_path: Path, opened_copy, qapp):
    """A session on a private copy of the test module's own ``template`` project (modules without one define
    their own ``session``)."""
    from ui.session import Session
    project = opened_copy(template, tmp_path / "p.steward")
    yield Session(project)
    project.close()
