"""Cyclic garbage is collected on the GUI thread, never by whichever worker happens to allocate."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QObject

from ui import collector as collector_module
from ui.app import application
from ui.collector import INTERVAL_MS, Collector


class Cycle:
    """An object that refers to itself: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_application_turns_automatic_collection_off_and_collects_on_a_timer(qtbot) -> None:
    app = application(["steward-app"])
    collector = app.findChild(Collector)
    assert collector is not None and application(["steward-app"]).findChildren(Collector) == [collector]
    assert not gc.isenabled() and collector.timer.isActive() and collector.timer.interval() == INTERVAL_MS
    cycle = Cycle()
    alive = weakref.ref(cycle)
    del cycle
    for _ in range(10_000):                 # allocations that would trigger automatic collection
        [object() for _ in range(10)]
    assert alive() is not None              # … but it is off: the cycle waits for the GUI thread's timer
    with qtbot.waitSignal(collector.timer.timeout, timeout=INTERVAL_MS * 3):
        pass
    assert alive() is None


def test_the_whole_heap_is_collected_only_now_and_then_and_never_while_a_job_runs(qapp, monkeypatch) -> None:
    owner = QObject()                        # not the application's: its collector stays the only one there
    collector = Collector(owner)
    collector.timer.stop()
    monkeypatch.setattr(collector_module, "FULL_EVERY", 2)
    running = [True]
    monkeypatch.setattr(collector_module, "work_running", lambda: running[0])
    old = Cycle()
    alive = weakref.ref(old)
    gc.collect(1)                            # it survives a collection of the young: now in the oldest generation
    del old
    collector._on_timer_timeout()
    collector._on_timer_timeout()            # a full collection is due, but a job runs
    assert alive() is not None
    running[0] = False
    collector._on_timer_timeout()
    assert alive() is None
