"""Long work started from a screen: one job at a time on the write worker, with progress and cancel.

:class:`WorkerJob` forwards what its job reports on signals that outlive the
job, after forgetting it, so a slot already sees that nothing is running. A
screen shows the progress its own way (an inline bar), or uses
:class:`JobProgress`, whose progress dialog appears only when the work lasts
over half a second.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from steward.errors import StewardError
from steward.progress import Progress
from steward.project import Project
from ui.diagnostics import where
from ui.workers import Job, JobRunner

log = logging.getLogger(__name__)

SHOW_PROGRESS_AFTER_MS = 500
STEPS = 1000   # progress widgets count in ints: done of total is scaled to this range


def on_worker(project: Project, work: Callable[[Project, Progress], Any]) -> Callable[[Progress], Any]:
    """Work on its own connection to the project, closed when done (SQLite connections stay on their thread)."""

    def run(progress: Progress) -> Any:
        copy = project.worker_copy()
        try:
            return work(copy, progress)
        finally:
            copy.close()

    return run


def steps(done: int, total: int) -> int:
    """``done`` of a positive ``total`` on the 0..STEPS scale of a progress bar or dialog."""
    return min(STEPS, done * STEPS // total)


def show_failure(parent: QWidget, title: str, error: Exception, stopped: str, unchanged: str) -> None:
    """Say why a job failed: a StewardError in its own words; anything else by its type only, logged with
    where it happened but not its message, which may quote customer data."""
    if isinstance(error, StewardError):
        QMessageBox.warning(parent, title, str(error))
        return
    log.error("%s: %s", title, where(type(error), error.__traceback__))
    QMessageBox.critical(parent, title, f"An unexpected problem ({type(error).__name__}) stopped {stopped}. "
                         f"{unchanged}")


class WorkerJob(QObject):
    """Runs one job at a time on the write worker and reports its outcome once it is forgotten."""

    progress = Signal(object, object)   # done, total
    succeeded = Signal(object)          # the work's return value
    failed = Signal(object)             # the exception
    cancelled = Signal()
    finished = Signal(str)              # 'succeeded' | 'failed' | 'cancelled', after the signal of that name

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.job: Job | None = None

    @property
    def running(self) -> bool:
        return self.job is not None

    def start(self, work: Callable[[Progress], Any], name: str) -> Job:
        job = Job(work, name=name)
        for signal, slot in self._connections(job):
            signal.connect(slot)
        self.job = job
        self._started()
        self.runner.start_write(job)
        return job

    def cancel(self) -> None:
        """Ask the job to stop at its next progress call; its transaction rolls back."""
        if self.job is not None:
            self.job.cancel()

    def abandon(self) -> None:
        """Cancel the job and ignore whatever it still reports (its project is being closed)."""
        job = self._forget()
        if job is not None:
            job.cancel()

    def _connections(self, job: Job) -> tuple[tuple[Any, Callable[..., None]], ...]:
        return ((job.signals.progress, self._on_job_progress),
                (job.signals.succeeded, self._on_job_succeeded),
                (job.signals.failed, self._on_job_failed),
                (job.signals.cancelled, self._on_job_cancelled))

    def _forget(self) -> Job | None:
        job, self.job = self.job, None
        if job is not None:
            for signal, slot in self._connections(job):
                signal.disconnect(slot)
            self._stopped()
        return job

    def _started(self) -> None:
        """Called when a job starts, before the worker has it."""

    def _stopped(self) -> None:
        """Called when the job is forgotten, before its outcome is reported."""

    def _on_job_progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)

    def _on_job_succeeded(self, result: object) -> None:
        self._forget()
        self.succeeded.emit(result)
        self.finished.emit("succeeded")

    def _on_job_failed(self, error: Exception) -> None:
        self._forget()
        self.failed.emit(error)
        self.finished.emit("failed")

    def _on_job_cancelled(self) -> None:
        self._forget()
        self.cancelled.emit()
        self.finished.emit("cancelled")


class JobProgress(WorkerJob):
    """A job behind a window-modal progress dialog shown after half a second, whose Cancel cancels the job.

    ``describe(done, total)``, when given, replaces the dialog's label as the work goes on.
    """

    def __init__(self, runner: JobRunner, parent: QWidget, title: str, label: str,
                 describe: Callable[[int, int], str] | None = None) -> None:
        super().__init__(runner, parent)
        self.title = title
        self.label = label
        self._window = parent
        self._describe = describe
        self.dialog: QProgressDialog | None = None   # while a job runs
        self.progress.connect(self._on_progress)

    def start(self, work: Callable[[Progress], Any], name: str = "") -> Job:
        return super().start(work, name or self.title)

    def _started(self) -> None:
        dialog = QProgressDialog(self.label, "Cancel", 0, STEPS, self._window)
        dialog.setWindowTitle(self.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
        dialog.canceled.connect(self._on_dialog_canceled)
        dialog.setValue(0)   # starts the timer that shows the dialog after the minimum duration
        self.dialog = dialog

    def _stopped(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self._on_dialog_canceled)
            dialog.close()
            dialog.deleteLater()

    def _on_dialog_canceled(self) -> None:
        self.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText("Cancelling…")

    def _on_progress(self, done: int, total: int) -> None:
        dialog = self.dialog
        if dialog is None or dialog.wasCanceled():
            return
        if total <= 0:            # the amount of work is unknown (a decision): a busy bar
            dialog.setRange(0, 0)
        else:
            dialog.setRange(0, STEPS)
            dialog.setValue(steps(done, total))
            if self._describe is not None:
                dialog.setLabelText(self._describe(done, total))
