"""Undo and redo from the window's actions, with big steps on the write worker.

Undoing a merge of 10,000 proposals takes about a second, redoing it a few:
too long for the window to stand still. A step of a decision that touched
many records or proposals is taken on the worker behind the progress dialog
(Cancel rolls it back); the stack then moves as if the step had run there
(the command finds its step already taken). Small steps run at once, as
Ctrl+Z in a text editor does.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from steward import operations
from steward.errors import StewardError
from ui.job_progress import JobProgress, on_worker
from ui.session import DecisionCommand, Outcome, Session
from ui.workers import JobRunner

BACKGROUND_SIZE = 500   # records and proposals a decision touched, above which its steps go to the worker


class UndoSteps(QObject):
    """Takes one undo or redo step of a session's stack at a time."""

    def __init__(self, runner: JobRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.jobs = JobProgress(runner, parent, "Undo", "Undoing…")
        self.jobs.succeeded.connect(self._on_jobs_succeeded)
        self.jobs.failed.connect(self._on_jobs_failed)
        self.jobs.cancelled.connect(self._forget)
        self._pending: tuple[str, DecisionCommand, QUndoStack] | None = None

    @property
    def running(self) -> bool:
        return self.jobs.running

    def step(self, kind: str, session: Session | None) -> None:
        """Undo (``kind`` 'undo') or redo the session's next step; ignored while a step is being taken."""
        if session is None or self.jobs.running:
            return
        stack = session.undo_stack
        index = stack.index() - 1 if kind == "undo" else stack.index()
        command = stack.command(index) if 0 <= index < stack.count() else None
        if not isinstance(command, DecisionCommand) or command.size < BACKGROUND_SIZE:
            stack.undo() if kind == "undo" else stack.redo()
            return
        self._pending = (kind, command, stack)
        self.jobs.title = "Undo" if kind == "undo" else "Redo"
        self.jobs.label = f"{self.jobs.title}: {command.text()}…"
        entry_id = command.entry_id
        self.jobs.start(on_worker(session.project, lambda copy, progress: Outcome.of(operations.revert(
            copy, entry_id, kind=kind, progress=progress))), kind)

    def abandon(self) -> None:
        """Forget a step being taken (its project is closing; the worker was cancelled)."""
        self.jobs.abandon()
        self._forget()

    def _on_jobs_succeeded(self, outcome: Outcome) -> None:
        self._finish(outcome)

    def _on_jobs_failed(self, error: Exception) -> None:
        if not isinstance(error, StewardError):
            self._forget()
            raise error   # a bug: the application's exception hook shows and logs it
        self._finish(error)   # the command drops itself and the session says why

    def _finish(self, outcome: Outcome | StewardError) -> None:
        if self._pending is None:
            return
        kind, command, stack = self._pending
        self._pending = None
        command.prepared = outcome
        stack.undo() if kind == "undo" else stack.redo()

    def _forget(self) -> None:
        self._pending = None
