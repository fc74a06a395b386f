"""Making and resetting training exercises from the window.

Both build a project file on the worker (``steward.trainer``) while no project
is open in the window, behind a progress dialog whose Cancel leaves nothing
behind, and then open the result. A reset closes the exercise first, since
the core refuses to replace a project that is open, and opens it again
whatever the outcome.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMessageBox

from steward import trainer
from ui.job_progress import JobProgress, show_failure
from ui.views.exercise_dialog import ExerciseDialog

if TYPE_CHECKING:
    from ui.views.main_window import MainWindow


class TrainingFlow(QObject):
    """New Training Exercise… and Reset Exercise… for one window."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.job: JobProgress | None = None     # while an exercise is being made or reset

    def new_exercise(self) -> bool:
        """Ask for the exercise, make it on the worker, then open it; False if nothing was started.

        The open project is closed only once the exercise can be made, and opened again if making it fails or
        is cancelled."""
        window = self.window
        if self.job is not None:
            return False
        dialog = ExerciseDialog(window.settings.last_folder("project"), window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        wanted = dialog.request()
        if wanted.path.exists() or not wanted.path.parent.is_dir():
            QMessageBox.warning(window, "New training exercise",
                                f"{wanted.path} already exists. Choose a new file name." if wanted.path.exists()
                                else f"The folder {wanted.path.parent} does not exist. Choose another place.")
            return False
        previous = window.project.path if window.project is not None else None
        if not window.close_project():
            return False
        self._start("New training exercise", f"Making {wanted.records:,} records, then checking and matching them…",
                    lambda progress: trainer.create_demo_project(wanted.path, wanted.records, wanted.seed,
                                                                 wanted.locales, progress=progress),
                    wanted.path, "Nothing was created.", fallback=previous)
        return True

    def reset(self) -> bool:
        """Put the open exercise back to its start, keeping the trained project as a backup."""
        window = self.window
        if window.project is None or self.job is not None:
            return False
        path = window.project.path
        if QMessageBox.question(window, "Reset exercise",
                                "Start the exercise again from the same list? Every decision goes; the project "
                                "as it is now is kept as a backup file beside it.") != QMessageBox.StandardButton.Yes:
            return False
        if not window.close_project():
            return False
        self._start("Reset exercise", "Making the exercise again…",
                    lambda progress: trainer.reset_demo_project(path, progress=progress), path,
                    "The exercise is as it was.", fallback=path)
        return True

    def abandon(self) -> None:
        """Cancel and forget the running build (the window is closing); the core leaves nothing of it."""
        job, self.job = self.job, None
        if job is not None:
            job.abandon()

    def _start(self, title: str, label: str, work: Any, path: Path, unchanged: str, fallback: Path | None) -> None:
        """Run ``work`` and open ``path`` when it succeeded, else ``fallback`` (the project open before)."""
        window = self.window
        job = JobProgress(window.runner, window, title, label)
        self.job = job

        def succeeded(summary: trainer.DemoSummary) -> None:
            kept = f" The trained project was kept as {summary.backup.name}." if summary.backup else ""
            window.statusBar().showMessage(f"{title}: {summary.exercise.records:,} records, {summary.clusters:,} "
                                           f"proposals, {summary.failures:,} failures.{kept}", 12_000)

        def finished(outcome: str) -> None:
            self.job = None
            if outcome == "cancelled":
                window.statusBar().showMessage(f"{title} cancelled. {unchanged}", 8000)
            opened = path if outcome == "succeeded" else fallback
            if opened is not None and opened.exists():
                window.open_project(opened)

        job.succeeded.connect(succeeded)
        job.failed.connect(lambda error: show_failure(window, title, error, title.lower(), unchanged))
        job.finished.connect(finished)
        job.start(work)
