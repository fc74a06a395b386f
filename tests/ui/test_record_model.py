"""The lazily paged record model: correct for Qt, and it reads only the pages it shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QIcon

from steward import store
from steward.importer import import_file
from ui.models import record_model
from ui.models.record_model import RecordModel
from ui.models.rejected_model import RejectedModel
from ui.models.source_model import SOURCE_ID_ROLE, SourceModel

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def test_record_model_passes_qt_model_tester(qtmodeltester, filled_project) -> None:
    project, source_id = filled_project
    model = RecordModel()
    model.set_source(project, source_id)
    assert model.rowCount() == 700
    assert model.columnCount() == 4
    qtmodeltester.check(model)


def test_empty_record_model_passes_qt_model_tester(qtmodeltester, filled_project) -> None:
    project, _ = filled_project
    model = RecordModel()
    qtmodeltester.check(model)
    model.set_source(project, 999)  # a source the project does not have
    assert (model.rowCount(), model.columnCount()) == (0, 0)
    assert model.data(model.index(0, 0)) is None
    qtmodeltester.check(model)


def test_values_and_headers_come_from_the_store(filled_project) -> None:
    project, source_id = filled_project
    model = RecordModel()
    model.set_source(project, source_id)
    assert model.data(model.index(0, 0)) == "000001"            # leading zeros kept
    assert model.data(model.index(698, 1)) == "Person 699"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "name"
    tooltip = model.headerData(1, Qt.Orientation.Horizontal, TOOLTIP)
    assert "Header in the file: name" in tooltip and "Mapped to: full_name" in tooltip
    assert model.headerData(4, Qt.Orientation.Horizontal) is None


def test_only_the_rows_asked_for_are_loaded_and_the_cache_stays_small(filled_project, monkeypatch) -> None:
    project, source_id = filled_project
    calls: list[tuple[int, int]] = []
    real = store.records

    def counting(project_, source_id_, offset, limit):
        calls.append((offset, limit))
        return real(project_, source_id_, offset, limit)

    monkeypatch.setattr(record_model.store, "records", counting)
    monkeypatch.setattr(record_model, "PAGE_SIZE", 10)
    monkeypatch.setattr(record_model, "CACHE_PAGES", 3)
    model = RecordModel()
    model.set_source(project, source_id)
    assert calls == []                                   # opening a source reads no records
    assert model.data(model.index(655, 0)) == "000656"
    assert calls == [(650, 10)]
    model.data(model.index(659, 2))                      # same page: served from the cache
    assert calls == [(650, 10)]
    for row in (0, 100, 200, 300):
        model.data(model.index(row, 0))
    assert model.cached_pages() == [10, 20, 30]          # least recently used pages dropped
    model.data(model.index(655, 0))
    assert calls[-1] == (650, 10)                        # evicted page is read again
    assert len(calls) == 6


def test_rows_with_notes_are_marked_in_the_row_header(filled_project) -> None:
    project, source_id = filled_project
    model = RecordModel()
    model.set_source(project, source_id)
    flagged, clean = 49, 48                               # row 50 of the file is short
    assert isinstance(model.headerData(flagged, Qt.Orientation.Vertical, Qt.ItemDataRole.DecorationRole), QIcon)
    assert isinstance(model.headerData(flagged, Qt.Orientation.Vertical, Qt.ItemDataRole.BackgroundRole), QBrush)
    tip = model.headerData(flagged, Qt.Orientation.Vertical, TOOLTIP)
    assert "missing trailing fields" in tip and "line 51" in tip
    assert model.headerData(clean, Qt.Orientation.Vertical, Qt.ItemDataRole.DecorationRole) is None
    assert model.headerData(clean, Qt.Orientation.Vertical, Qt.ItemDataRole.BackgroundRole) is None
    assert model.headerData(clean, Qt.Orientation.Vertical, DISPLAY) == "49"


def test_multi_line_values_show_on_one_line_with_the_full_text_in_the_tooltip(project, write) -> None:
    path = write("addr.csv", 'id,street\n1,"Flat 4B\n221 Baker Street"\n2,Main St\n')
    result = import_file(project, path)
    model = RecordModel()
    model.set_source(project, result.source_id)
    assert model.data(model.index(0, 1)) == "Flat 4B ⏎ 221 Baker Street"
    assert model.data(model.index(0, 1), TOOLTIP) == "Flat 4B\n221 Baker Street"
    assert model.data(model.index(1, 1), TOOLTIP) is None


def test_source_model(qtmodeltester, filled_project, write) -> None:
    project, source_id = filled_project
    model = SourceModel()
    qtmodeltester.check(model)
    model.reload(project)
    assert model.rowCount() == 1
    index = model.index(0)
    assert model.data(index) == "people"
    assert model.data(index, SOURCE_ID_ROLE) == source_id
    assert "700 records" in model.data(index, TOOLTIP)
    qtmodeltester.check(model)


def test_rejected_model(qtmodeltester, project, write) -> None:
    result = import_file(project, write("bad.csv", "a,b\n1,2\n\n3,4,5\n"))
    rows = store.rejected_rows(project, result.source_id)
    model = RejectedModel(rows)
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert [model.data(model.index(r, 0)) for r in range(2)] == ["3", "4"]
    assert model.data(model.index(0, 2)) == "⏎"            # a blank line shows what it held
    assert model.data(model.index(1, 2)) == "3,4,5⏎"
    assert "fields" in model.data(model.index(1, 1))
