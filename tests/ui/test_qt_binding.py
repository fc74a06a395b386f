"""The Qt binding itself: a version whose processEvents() loses references to None aborts long sessions."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication


def test_process_events_keeps_references_to_none(qapp: QApplication) -> None:
    before = sys.getrefcount(None)
    for _ in range(2000):
        qapp.processEvents()
    assert sys.getrefcount(None) > before - 1000   # PySide6 6.12.0 loses one per call (pyproject excludes it)
