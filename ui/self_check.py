"""``steward-app --self-check``: prove that an installed or frozen Steward works, without anyone at the screen.

It does what a new user does first: the window appears, the bundled sample is
opened and Find Duplicates runs through the window's own action (the core's
matching on the write worker). It prints what it saw and exits 0, or prints
what went wrong and exits 1. The project and the settings live in a temporary
folder, so nothing is left behind and the user's own settings are not touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from steward import store
from steward.errors import StewardError
from steward.match_store import MatchSummary
from steward.sample import SAMPLE_PROJECT, open_sample_project
from ui.settings import Settings
from ui.views.main_window import MainWindow

TIME_LIMIT_S = 300
POLL_MS = 100


def seconds_since_process_start() -> float | None:
    """On Linux, from the kernel's record of when this process started, so imports and a frozen app's loader
    count too; None elsewhere."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")   # field 22, "starttime", in clock ticks since boot
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class SelfCheck:
    """The steps, each started from the event loop once the previous one has finished."""

    def __init__(self, folder: Path, started: float) -> None:
        self.folder = folder
        self.started = started
        self.matching_started = 0.0
        self.problem: str | None = None
        self.report: list[str] = []
        self.store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(Settings(self.store))
        self.watchdog = QTimer()
        self.watchdog.setInterval(POLL_MS)
        self.watchdog.timeout.connect(self._on_watchdog_timeout)

    def run(self) -> int:
        previous_hook = sys.excepthook
        sys.excepthook = self._on_exception
        self.watchdog.start()
        self.window.show()
        QTimer.singleShot(0, self._window_shown)   # runs once the loop has shown and painted the window
        try:
            QApplication.exec()
        finally:
            sys.excepthook = previous_hook
            self.watchdog.stop()
            self.window.close_project(confirm=False)
            self.window.close()
            self.store.sync()
        if self.problem is not None:
            print(f"Self-check FAILED: {self.problem}", file=sys.stderr, flush=True)
            return 1
        print("Self-check passed:", "; ".join(self.report), flush=True)
        return 0

    def fail(self, problem: str) -> None:
        if self.problem is None:
            self.problem = problem
        QApplication.exit(1)   # also ends a message box's own loop

    def _window_shown(self) -> None:
        if not self.window.isVisible():
            self.fail("the main window did not appear")
            return
        since_start = seconds_since_process_start()
        shown = (f"window shown {since_start:.2f} s after the process started" if since_start is not None else
                 f"window shown {time.perf_counter() - self.started:.2f} s after start-up code began")
        print(shown, flush=True)
        self.report.append(shown)
        try:
            open_sample_project(self.folder).close()   # the sample built from the bundled CSV, as the app does
        except StewardError as error:
            self.fail(f"the bundled sample could not be built: {error}")
            return
        if not self.window.open_project(self.folder / SAMPLE_PROJECT) or self.window.project is None:
            self.fail("the sample project did not open")
            return
        sources = store.sources(self.window.project)
        records = sum(s.record_count for s in sources)
        if records == 0:
            self.fail("the sample project has no records")
            return
        self.report.append(f"{records} records in {len(sources)} source(s)")
        self.matching_started = time.perf_counter()
        self.window.find_duplicates_action.trigger()
        job = self.window.long_job
        if job is None:
            self.fail("Find Duplicates did not start")
            return
        job.succeeded.connect(self._on_matched)
        job.finished.connect(self._on_matching_finished)

    def _on_matched(self, summary: MatchSummary) -> None:
        took = time.perf_counter() - self.matching_started
        if summary.clusters == 0:
            self.fail("matching found no duplicates in the sample, which has some by design")
            return
        self.report.append(f"matching found {summary.clusters} clusters ({summary.auto} automatic, "
                           f"{summary.review} to review) among {summary.records} records in {took:.2f} s")

    def _on_matching_finished(self, outcome: str) -> None:
        if outcome != "succeeded":
            self.fail(f"Find Duplicates {outcome}")
        elif self.problem is None:
            QApplication.exit(0)

    def _on_watchdog_timeout(self) -> None:
        """A message box would wait for a click that never comes: report it instead."""
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            self.fail(f"the window said '{box.windowTitle()}': {' '.join(box.text().split())}")
        elif time.perf_counter() - self.started > TIME_LIMIT_S:
            self.fail(f"not done after {TIME_LIMIT_S} s")

    def _on_exception(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(exc_type, exc, tb)
        self.fail(f"unexpected {exc_type.__name__} (traceback above)")


def run_self_check(started: float) -> int:
    """Run the check (the QApplication exists) in a temporary folder removed afterwards; 0 when it worked.

    ``started`` is the ``time.perf_counter()`` of the program's start, for the time to the window.
    """
    with tempfile.TemporaryDirectory(prefix="steward-self-check-") as folder:
        return SelfCheck(Path(folder), started).run()
