"""Long project-wide work started from the window: finding duplicates and merging every auto-match.

Each runs on the write worker with its own connection, behind a progress
dialog that appears after half a second and whose Cancel rolls the work back.
A merge-auto is one decision: when it is done it is pushed on the session's
undo stack as already applied.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from steward import golden_ops, operations
from steward.errors import StewardError
from steward.match_store import match_project
from steward.progress import Progress
from steward.project import Project
from ui.session import Changes, Session
from ui.workers import Job, JobRunner

SHOW_PROGRESS_AFTER_MS = 500
STEPS = 1000


class JobProgress(QObject):
    """Runs one job on the write worker behind a cancellable progress dialog."""

    succeeded = Signal(object)
    finished = Signal(str)          # 'succeeded' | 'failed' | 'cancelled'

    def __init__(self, runner: JobRunner, parent: QWidget, title: str, label: str) -> None:
        super().__init__(parent)
        self._parent = parent
        self.dialog = QProgressDialog(label, "Cancel", 0, STEPS, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
        self.dialog.canceled.connect(self._on_dialog_canceled)
        self._runner = runner
        self.job: Job | None = None
        self.title = title

    def start(self, work: Callable[[Progress], Any]) -> Job:
        job = Job(work, name=self.title)
        job.signals.progress.connect(self._on_job_progress)
        job.signals.succeeded.connect(self._on_job_succeeded)
        job.signals.failed.connect(self._on_job_failed)
        job.signals.cancelled.connect(self._on_job_cancelled)
        self.job = job
        self.dialog.setValue(0)   # starts the timer that shows the dialog after the minimum duration
        self._runner.start_write(job)
        return job

    def _done(self, outcome: str) -> None:
        self.dialog.canceled.disconnect(self._on_dialog_canceled)
        self.dialog.close()
        self.dialog.deleteLater()
        self.job = None
        self.finished.emit(outcome)

    def _on_dialog_canceled(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.dialog.setLabelText("Cancelling…")

    def _on_job_progress(self, done: int, total: int) -> None:
        if total > 0 and not self.dialog.wasCanceled():
            self.dialog.setValue(min(STEPS, done * STEPS // total))

    def _on_job_succeeded(self, result: object) -> None:
        self.succeeded.emit(result)
        self._done("succeeded")

    def _on_job_failed(self, error: Exception) -> None:
        if not isinstance(error, StewardError):
            raise error   # a bug: the application's exception hook shows and logs it
        QMessageBox.warning(self._parent, self.title, f"{error}\n\nNothing was changed.")
        self._done("failed")

    def _on_job_cancelled(self) -> None:
        self._done("cancelled")


def on_worker(project: Project, work: Callable[[Project, Progress], Any]) -> Callable[[Progress], Any]:
    """Work on its own connection to the project, closed when done."""

    def run(progress: Progress) -> Any:
        copy = project.worker_copy()
        try:
            return work(copy, progress)
        finally:
            copy.close()

    return run


def find_duplicates(session: Session, runner: JobRunner, parent: QWidget) -> JobProgress:
    """Match the project on the worker; the proposals replace the previous ones."""
    jobs = JobProgress(runner, parent, "Find duplicates", "Finding duplicates…")
    jobs.succeeded.connect(lambda summary: session.changed.emit(Changes("match", 0)))
    jobs.start(on_worker(session.project, lambda copy, progress: match_project(copy, progress=progress)))
    return jobs


def merge_auto(session: Session, runner: JobRunner, parent: QWidget) -> JobProgress | None:
    """Merge every auto-match proposal as one decision on the worker, then make it undoable."""
    clusters = golden_ops.auto_clusters(session.project)
    if not clusters:
        QMessageBox.information(parent, "Merge auto-matches", "No auto-match proposals are waiting.")
        return None
    if QMessageBox.question(parent, "Merge auto-matches",
                            f"Merge all {len(clusters):,} auto-match proposals? This is one decision: "
                            "Undo takes it back as a whole.") != QMessageBox.StandardButton.Yes:
        return None
    jobs = JobProgress(runner, parent, "Merge auto-matches", f"Merging {len(clusters):,} proposals…")
    jobs.succeeded.connect(lambda entry: session.applied(entry, f"Merge {len(clusters):,} auto-matches"))
    jobs.start(on_worker(session.project, lambda copy, progress: operations.perform(
        copy, golden_ops.MergeClusters(clusters))))
    return jobs
