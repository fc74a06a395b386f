"""Cyclic garbage is collected on the GUI thread, never by whichever worker happens to allocate."""

from __future__ import annotations

import gc
import weakref

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
