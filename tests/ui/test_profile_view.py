"""The Profile screen: completeness per column as the core profiles it, a column's detail, caching and cancel."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QColor, QPalette

from steward.importer import ImportOptions, import_file
from steward.profile_sources import profile_project
from steward.progress import Progress
from steward.project import Project
from steward.sample import sample_csv
from ui.session import Changes, Session
from ui.views import profile_view
from ui.views.charts import LOW_COLOUR, Bar, BarChart
from ui.views.profile_view import ProfileView, column_title
from ui.workers import JobRunner


@pytest.fixture
def session(tmp_path: Path, qapp) -> Session:
    project = Project.create(tmp_path / "p.steward")
    import_file(project, sample_csv(), ImportOptions())
    opened = Session(project)
    yield opened
    project.close()


@pytest.fixture
def view(qtbot, session: Session) -> ProfileView:
    runner = JobRunner()
    widget = ProfileView(runner)
    qtbot.addWidget(widget)
    widget.set_session(session)
    with qtbot.waitSignal(widget.profiled, timeout=20_000):
        widget.show()                      # profiling starts when the screen is first shown
    yield widget
    widget.set_session(None)
    runner.wait()


def test_the_chart_shows_every_column_with_the_cores_filled_share(view: ProfileView, session: Session) -> None:
    expected = profile_project(session.project)[0]
    bars = view.chart.bars
    assert [b.label for b in bars] == [column_title(c) for c in expected.columns]
    assert [b.value for b in bars] == pytest.approx([c.filled / c.rows for c in expected.columns])
    company = next(c for c in expected.columns if c.label == "company")
    assert company.filled < company.rows and bars[company.position].caption == f"{company.filled_share:.0%}"
    assert bars[0].label == "customer_id → customer_id"
    assert view.source_combo.count() == 1 and "293 records" in view.source_combo.currentText()


def test_choosing_a_column_shows_its_values_patterns_kind_and_placeholders(view: ProfileView, session: Session,
                                                                          qtbot, qtmodeltester) -> None:
    company = next(c for c in profile_project(session.project)[0].columns if c.label == "company")
    view.chart.set_current(0)
    for _ in range(company.position):
        qtbot.keyClick(view.chart, Qt.Key.Key_Down)
    assert view.current_column() == company
    assert "company" in view.column_title.text()
    values = view.values_model
    assert values.rowCount() == len(company.top_values) > 0
    first_value, first_count = company.top_values[0]
    assert values.index(0, 0).data() == first_value and values.index(0, 1).data() == f"{first_count:,}"
    assert values.index(0, 2).data() == f"{first_count / company.filled:.1%}"
    assert view.patterns_model.index(0, 0).data() == company.patterns[0][0]
    assert [view.placeholders_model.index(r, 0).data() for r in range(view.placeholders_model.rowCount())] == \
        [v for v, _ in company.placeholders] != []
    assert view.facts["Kind"].text().startswith(company.kind)
    assert view.facts["Length"].text() == f"{company.min_length} to {company.max_length} characters"
    assert f"{company.filled:,} of {company.rows:,}" in view.facts["Filled"].text()
    for model in (values, view.patterns_model, view.placeholders_model):
        qtmodeltester.check(model)


def test_the_profile_is_kept_until_an_import_changes_it(view: ProfileView, session: Session, qtbot,
                                                        write) -> None:
    kept = view.profiles
    session.changed.emit(Changes("reject_cluster", 1))     # a decision does not change what was imported
    assert view.job is None and view.profiles is kept
    path = write("more.csv", "customer_id,email\n1,a@example.com\n2,\n")
    result = import_file(session.project, path, ImportOptions())
    with qtbot.waitSignal(view.profiled, timeout=20_000):
        session.changed.emit(Changes("import", result.source_id))
    assert view.source_combo.count() == 2
    view.source_combo.setCurrentIndex(1)
    assert [b.value for b in view.chart.bars] == [1.0, 0.5]
    view.hide()
    session.changed.emit(Changes("map_column", 0))
    assert view.job is None                                  # hidden: profiled again only when shown
    with qtbot.waitSignal(view.profiled, timeout=20_000):
        view.show()
    assert view.source_combo.currentIndex() == 1             # the chosen source stays chosen


def test_cancel_keeps_the_previous_profile(view: ProfileView, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = view.profiles

    def endless(project: Project, progress: Progress) -> list:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            progress(1, 100)
            time.sleep(0.01)
        raise AssertionError("never cancelled")

    monkeypatch.setattr(profile_view, "profile_project", endless)
    view.refresh_action.trigger()
    assert view.job is not None and not view.refresh_action.isEnabled() and view.cancel_action.isEnabled()
    with qtbot.waitSignal(view.job.signals.cancelled, timeout=5_000):
        view.cancel_action.trigger()
    assert view.job is None and view.profiles is kept and view.chart.bars
    assert "cancelled" in view.status_label.text() and view.refresh_action.isEnabled()


def test_no_project_clears_the_screen(view: ProfileView) -> None:
    view.set_session(None)
    assert view.chart.bars == [] and view.source_combo.count() == 0 and view.values_model.rowCount() == 0
    assert not view.refresh_action.isEnabled()
    assert view.refresh_action.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut


def test_the_chart_paints_its_bars_at_any_size(qtbot) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.set_bars([Bar("full", 1.0, "100%"), Bar("half", 0.5, "50%"), Bar("a much longer label " * 4, 0.1, "10%")])
    highlight = chart.palette().color(QPalette.ColorRole.Highlight)
    for size in (QSize(0, 0), QSize(40, 20), QSize(300, 120), QSize(1200, 500)):
        chart.resize(size)
        image = chart.grab().toImage()
        assert image.size() == size or size.isEmpty()
        for bar, (label, track, filled) in zip(chart.bars, chart.layout_rows()):
            assert abs(filled.width() - track.width() * bar.value) <= 1
            assert label.right() < track.left() or track.width() == 0
            if filled.width() > 4 and size.height() > filled.bottom():
                colour = QColor(image.pixel(filled.center()))
                assert colour == (LOW_COLOUR if bar.value < 0.5 else highlight)
    row = chart.row_height()
    assert chart.bar_at(QPoint(5, 8 + row + 2)) == 1 and chart.bar_at(QPoint(5, 8 + 3 * row + 2)) == -1
    assert chart.sizeHint().height() >= 3 * row
