"""Long project-wide work started from the window: finding duplicates and merging every auto-match.

Each runs on the write worker with its own connection, behind a progress
dialog that appears after half a second and whose Cancel rolls the work back.
A merge-auto is one decision: when it is done it is pushed on the session's
undo stack as already applied.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from steward import golden_ops, operations
from steward.errors import StewardError
from steward.match_store import match_project
from ui.job_progress import JobProgress, on_worker
from ui.session import Changes, Outcome, Session
from ui.workers import JobRunner

__all__ = ["JobProgress", "find_duplicates", "merge_auto"]


def _progress(runner: JobRunner, parent: QWidget, title: str, label: str) -> JobProgress:
    """A JobProgress whose failure is told in a message box, or for a bug raised to the exception hook."""
    jobs = JobProgress(runner, parent, title, label)

    def on_failed(error: Exception) -> None:
        if not isinstance(error, StewardError):
            raise error   # a bug: the application's exception hook shows and logs it
        QMessageBox.warning(parent, title, f"{error}\n\nNothing was changed.")

    jobs.failed.connect(on_failed)
    return jobs


def find_duplicates(session: Session, runner: JobRunner, parent: QWidget) -> JobProgress:
    """Match the project on the worker; the proposals replace the previous ones."""
    jobs = _progress(runner, parent, "Find duplicates", "Finding duplicates…")
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
    jobs = _progress(runner, parent, "Merge auto-matches", f"Merging {len(clusters):,} proposals…")
    jobs.succeeded.connect(lambda entry: session.applied(entry, f"Merge {len(clusters):,} auto-matches"))
    jobs.start(on_worker(session.project, lambda copy, progress: Outcome.of(operations.perform(
        copy, golden_ops.MergeClusters(clusters), progress=progress))))
    return jobs
