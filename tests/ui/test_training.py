"""Training exercises in the window: made from the start page, scored on the Training screen, reset to start."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton

from steward import golden_ops, review, scorecard, trainer, training_truth
from steward.errors import StewardError
from steward.project import Project
from steward.trainer import create_demo_project
from ui.views.exercise_dialog import ExerciseDialog
from ui.views.main_window import MainWindow

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def exercise(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("training") / "exercise.steward"
    create_demo_project(path, records=240, seed=7)
    return path


@pytest.fixture
def opened(exercise: Path, tmp_path: Path, window: MainWindow) -> MainWindow:
    copy = tmp_path / "exercise.steward"
    shutil.copy(exercise, copy)
    assert window.open_project(copy)
    return window


def test_the_training_screen_is_only_there_for_an_exercise(opened: MainWindow, matched_sample: Path,
                                                           opened_copy, tmp_path: Path) -> None:
    row = opened.workspace.names.index("Training")
    assert not opened.workspace.navigation.item(row).isHidden()
    assert opened.workspace.actions_by_name["Training"].isVisible()
    opened_copy(matched_sample, tmp_path / "plain.steward").close()
    opened.workspace.show_screen("Training")
    assert opened.open_project(tmp_path / "plain.steward")
    assert opened.workspace.navigation.item(row).isHidden() and opened.workspace.current_name() == "Sources"
    assert not opened.training_view.score_action.isEnabled()


def test_scoring_shows_the_core_scorecard_and_says_when_it_is_stale(opened: MainWindow, qtbot) -> None:
    view = opened.training_view
    opened.workspace.show_screen("Training")
    assert view.score_action.isEnabled() and "No score yet" in view.headline.text()
    with qtbot.waitSignal(view.scoring.succeeded, timeout=WAIT_MS):
        view.score_action.trigger()
    with Project.open(opened.project.path, read_only=True) as reader:
        expected = scorecard.score(reader)
    rows = scorecard.summary_rows(expected)
    assert view.figures.rowCount() == len(rows)
    assert [view.figures.item(r, 1).text() for r in range(len(rows))] == [figure for _, figure, _ in rows]
    assert f"Score {expected.score:.1f} / 100" in view.headline.text() and "since" not in view.headline.text()

    cluster = review.cluster_ids(opened.project, "auto")[0]
    opened.session.perform(golden_ops.MergeClusters((cluster,)), "Merge")
    assert "decisions were taken since" in view.headline.text()
    with qtbot.waitSignal(view.scoring.succeeded, timeout=WAIT_MS):
        view.score_action.trigger()
    assert view.card.merged_pairs > expected.merged_pairs


def test_reset_closes_makes_the_exercise_again_and_opens_it(opened: MainWindow, qtbot,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = opened.project.path
    start = review.cluster_ids(opened.project, "auto")
    opened.session.perform(golden_ops.MergeClusters(tuple(start[:3])), "Merge")
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    opened.workspace.show_screen("Training")
    assert opened.training_view.reset_action.isEnabled()
    opened.training_view.reset_action.trigger()
    assert opened.project is None                      # the core refuses to replace an open project
    qtbot.waitUntil(lambda: opened.training.job is None and opened.project is not None, timeout=WAIT_MS)
    assert opened.project.path == path
    assert review.cluster_ids(opened.project, "auto") == start
    assert opened.project.conn.execute("SELECT COUNT(*) FROM golden").fetchone()[0] == 0
    assert (path.parent / "exercise.before-reset.steward").exists()
    assert "trained project was kept as exercise.before-reset.steward" in opened.statusBar().currentMessage()


def test_a_new_exercise_from_the_start_page(window: MainWindow, qtbot, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "class.steward"

    def fill_in(dialog: ExerciseDialog) -> QDialog.DialogCode:
        dialog.path_edit.setText(str(target))
        dialog.records_spin.setValue(120)
        dialog.seed_spin.setValue(3)
        dialog.locale_boxes["zh"].setChecked(False)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExerciseDialog, "exec", fill_in)
    button = next(b for b in window.welcome.findChildren(QPushButton) if b.text() == "New training exercise…")
    button.click()
    qtbot.waitUntil(lambda: window.training.job is None and window.project is not None, timeout=WAIT_MS)
    assert window.project.path == target
    found = training_truth.exercise(window.project)
    assert (found.records, found.seed, found.locales) == (120, 3, ("en", "de"))
    assert not window.workspace.navigation.item(window.workspace.names.index("Training")).isHidden()


def test_a_taken_file_name_is_refused_before_the_open_project_is_closed(opened: MainWindow, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    taken = tmp_path / "taken.steward"
    Project.create(taken).close()
    before, current = taken.read_bytes(), opened.project.path
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: shown.append(text)))
    monkeypatch.setattr(ExerciseDialog, "exec",
                        lambda dialog: dialog.path_edit.setText(str(taken)) or QDialog.DialogCode.Accepted)
    assert not opened.new_exercise()
    assert shown and "already exists" in shown[0]
    assert taken.read_bytes() == before and opened.project.path == current


def test_a_failed_exercise_opens_the_project_that_was_open_before(opened: MainWindow, qtbot, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    current = opened.project.path
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: shown.append(text)))
    monkeypatch.setattr(ExerciseDialog, "exec", lambda dialog: dialog.path_edit.setText(
        str(tmp_path / "new.steward")) or QDialog.DialogCode.Accepted)

    def refuse(*_args, **_kwargs):
        raise StewardError("The disk is full.")

    monkeypatch.setattr(trainer, "create_demo_project", refuse)
    assert opened.new_exercise()
    qtbot.waitUntil(lambda: opened.training.job is None and opened.project is not None, timeout=WAIT_MS)
    assert shown == ["The disk is full."] and opened.project.path == current
    assert not (tmp_path / "new.steward").exists()


def test_quitting_while_an_exercise_is_made_cancels_it_and_leaves_nothing(window: MainWindow, qtbot, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "big.steward"
    started, go_on = threading.Event(), threading.Event()
    real = trainer.create_demo_project

    def held(*args, progress, **kwargs):
        def report(done: int, total: int) -> None:
            started.set()
            go_on.wait(10)
            progress(done, total)
        return real(*args, progress=report, **kwargs)

    monkeypatch.setattr(trainer, "create_demo_project", held)
    monkeypatch.setattr(ExerciseDialog, "exec", lambda dialog: dialog.path_edit.setText(str(target))
                        or QDialog.DialogCode.Accepted)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    assert window.new_exercise()
    assert started.wait(10) and window.runner.busy
    go_on.set()
    assert window.close()                                    # asked, cancelled, waited for
    assert not window.runner.busy and window.training.job is None and window.project is None
    assert [p.name for p in tmp_path.iterdir() if "steward" in p.name] == []      # hidden build files too


def test_a_failed_reset_opens_the_exercise_again_as_it_was(opened: MainWindow, qtbot,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = opened.project.path
    cluster = review.cluster_ids(opened.project, "auto")[0]
    opened.session.perform(golden_ops.MergeClusters((cluster,)), "Merge")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: shown.append(text)))

    def refuse(_path, progress):
        raise StewardError("The disk is full.")

    monkeypatch.setattr(trainer, "reset_demo_project", refuse)
    assert opened.training.reset()
    qtbot.waitUntil(lambda: opened.training.job is None and opened.project is not None, timeout=WAIT_MS)
    assert shown == ["The disk is full."]
    assert opened.project.path == path and cluster not in review.cluster_ids(opened.project, "auto")
