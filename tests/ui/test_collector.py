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


def test_nothing_is_collected_while_a_job_runs_and_the_whole_heap_only_now_and_then(qapp, monkeypatch) -> None:
    owner = QObject()                        # not the application's: its collector stays the only one there
    collector = Collector(owner)
    collector.timer.stop()
    monkeypatch.setattr(collector_module, "FULL_EVERY", 2)
    running = [True]
    monkeypatch.setattr(collector_module, "work_running", lambda: running[0])
    young, old = Cycle(), Cycle()
    alive_young, alive_old = weakref.ref(young), weakref.ref(old)
    del young
    gc.collect(1)                            # ``old`` survives a collection of the young: now in the oldest generation
    del old
    young = Cycle()
    alive_young = weakref.ref(young)
    del young
    collector._on_timer_timeout()            # a job runs: the worker's objects are not walked
    assert alive_young() is not None and alive_old() is not None
    running[0] = False
    collector._on_timer_timeout()            # the young generations
    assert alive_young() is None and alive_old() is not None
    collector._on_timer_timeout()            # the whole heap, now and then
    assert alive_old() is None
