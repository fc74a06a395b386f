"""Running core work off the GUI thread, with progress and cooperative cancel.

A :class:`Job` wraps one call into the core that takes a progress callback.
Its :class:`JobSignals` live on the GUI thread, so slots connected to them run
there. Jobs never touch widgets. Cancelling sets a flag; the next progress
call raises :class:`steward.errors.Cancelled` inside the core, whose
transaction then rolls back.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from steward.errors import Cancelled
from steward.importer import ImportOptions, ImportResult, import_file
from steward.progress import Progress
from steward.project import Project

PROGRESS_INTERVAL = 0.1  # seconds between progress signals


class JobSignals(QObject):
    """What a job reports; ``object`` carries Python ints past 2**31 bytes."""

    progress = Signal(object, object)   # done, total
    succeeded = Signal(object)          # the work's return value
    failed = Signal(object)             # the exception (StewardError: str() is the user message)
    cancelled = Signal()
    finished = Signal(object)           # the job, after any of the three above


class Job(QRunnable):
    """One call ``work(progress)`` on a pool thread."""

    def __init__(self, work: Callable[[Progress], Any], name: str = "job") -> None:
        super().__init__()
        self.setAutoDelete(False)  # the Python side owns the job until it is finished
        self.name = name
        self.signals = JobSignals()
        self._work = work
        self._cancel = threading.Event()
        self.done = threading.Event()   # set when the work is over, before the signals reach the GUI thread
        self._last_report = 0.0

    def cancel(self) -> None:
        """Ask the work to stop at its next progress call."""
        self._cancel.set()

    def _report(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled()
        now = time.monotonic()
        if now - self._last_report >= PROGRESS_INTERVAL or 0 < total <= done:
            self._last_report = now
            self.signals.progress.emit(done, total)

    def run(self) -> None:
        try:
            try:
                result = self._work(self._report)
            except Cancelled:
                signal, args = self.signals.cancelled, ()
            except Exception as exc:  # shown to the user by the slot; a job must never kill the pool
                signal, args = self.signals.failed, (exc,)
            else:
                # Work that finished before noticing a cancel is committed: report it as done.
                signal, args = self.signals.succeeded, (result,)
            self.done.set()   # before the outcome reaches the GUI thread, so the runner is no longer busy there
            signal.emit(*args)
        finally:
            self.done.set()
            self.signals.finished.emit(self)


class JobRunner(QObject):
    """Starts jobs and keeps them alive until they finish.

    Writes go to a pool of one thread so that they are serialised, as SQLite
    allows one writer.
    """

    _all: "weakref.WeakSet[JobRunner]" = weakref.WeakSet()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        JobRunner._all.add(self)
        self.write_pool = QThreadPool(self)
        self.write_pool.setMaxThreadCount(1)
        self._running: set[Job] = set()
        # Finished jobs are kept until the next start, so a wrapper is never
        # freed while its pool thread is still returning from run().
        self._finished: list[Job] = []

    @property
    def busy(self) -> bool:
        """A job is still working (closing the project must wait for it or cancel it); a job whose work is
        over while its finished signal is still on its way no longer counts."""
        return any(not job.done.is_set() for job in self._running)

    def cancel_all(self) -> None:
        for job in list(self._running):
            job.cancel()

    def start_write(self, job: Job) -> Job:
        self._finished.clear()
        self._running.add(job)
        job.signals.finished.connect(self._on_job_finished)
        self.write_pool.start(job)
        return job

    def _on_job_finished(self, job: Job) -> None:
        self._running.discard(job)
        self._finished.append(job)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the write pool is idle (used when closing a project)."""
        return self.write_pool.waitForDone(msecs)


def work_running() -> bool:
    """Some window's job is working (the collector then puts off a full collection)."""
    return any(runner.busy for runner in list(JobRunner._all))


def import_work(project: Project, path: str, options: ImportOptions,
                then: Callable[[Project, ImportResult], None] | None = None) -> Callable[[Progress], ImportResult]:
    """The work of importing ``path``, on its own connection to the project, closed when done.

    ``then(connection's project, result)`` runs inside the import's transaction (a refresh's carry-over).
    """

    def work(progress: Progress) -> ImportResult:
        copy = project.worker_copy()
        try:
            after = None if then is None else (lambda result: then(copy, result))
            return import_file(copy, path, options, progress=progress, then=after)
        finally:
            copy.close()

    return work
