"""Garbage collection on the GUI thread only.

Python's cyclic collector runs on whichever thread happens to allocate when a
threshold is crossed. If that is a worker thread and the garbage holds Qt
objects (a closed window, its thread pool), Qt deletes GUI objects off the
GUI thread and the process crashes. So automatic collection is off while the
application runs and a timer on the GUI thread collects instead (as Anki does).

A collection walks every object of the generations it collects, the worker's
included: while a job runs, the millions of objects a matching run holds made a
collection of the young generations take seconds on the GUI thread. So the
timer does nothing while a job runs (the worker frees its own objects as it
goes; only reference cycles wait), collects the young generations otherwise,
and the whole heap (about 90 ms with a million-record project open) every half
minute.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from ui.workers import work_running

INTERVAL_MS = 2_000
FULL_EVERY = 15        # timer ticks (without a job running) between full collections


class Collector(QObject):
    """Collects cyclic garbage every couple of seconds, on the thread it lives on (the GUI thread)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        gc.disable()
        self._ticks = 0
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()

    def _on_timer_timeout(self) -> None:
        if work_running():
            return
        self._ticks += 1
        if self._ticks >= FULL_EVERY:
            self._ticks = 0
            gc.collect()
        else:
            gc.collect(1)


def collect_on_gui_thread(app: QObject) -> Collector:
    """Install the collector once per application."""
    existing = app.findChild(Collector)
    return existing if existing is not None else Collector(app)
