"""The review screen on the sample project: the queue, the side-by-side grid, picks, fixes and keyboard decisions."""

from __future__ import annotations

import shutil
from itertools import combinations
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow

from steward import golden, operations, review
from steward.golden_ops import MergeClusters, MergeRecords, SplitRecord
from steward.importer import ImportOptions, import_file
from steward.operations import FixValue, RejectCluster
from steward.project import Project
from steward.sample import sample_csv
from ui.models.cluster_model import ClusterModel
from ui.models.comparison_model import FIRST_MEMBER, FIX_MARK, GOLDEN_COLUMN, REASON_COLUMN, VALUE_ROLE, ComparisonModel
from ui.session import Session
from ui.views.review_view import ReviewView


@pytest.fixture(scope="module")
def matched(tmp_path_factory: pytest.TempPathFactory, build_sample) -> Path:
    """The sample validated and matched once; each test works on its own copy."""
    return build_sample(tmp_path_factory.mktemp("review_view") / "sample.steward")


@pytest.fixture
def session(matched: Path, tmp_path: Path, qapp) -> Session:
    copy = tmp_path / "copy.steward"
    shutil.copy(matched, copy)
    project = Project.open(copy)
    opened = Session(project)
    yield opened
    project.close()


@pytest.fixture
def view(session: Session, qtbot) -> ReviewView:
    """The screen in an active window, so its single-key shortcuts fire as they do for a steward."""
    window = QMainWindow()
    window.resize(1280, 800)
    shown = ReviewView()
    window.setCentralWidget(shown)
    qtbot.addWidget(window)
    shown.set_session(session)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield shown                              # the window stays referenced (alive) until the test ends


def members(project: Project, cluster_id: int) -> list[int]:
    return [r for (r,) in project.conn.execute(
        "SELECT record_id FROM cluster_members WHERE cluster_id = ? ORDER BY record_id", (cluster_id,))]


def golden_of(project: Project, record_ids: list[int]) -> set[int]:
    marks = ",".join("?" * len(record_ids))
    return {g for (g,) in project.conn.execute(
        f"SELECT golden_id FROM golden_members WHERE record_id IN ({marks})", record_ids)}


def not_duplicates(project: Project) -> set[tuple[int, int]]:
    return set(project.conn.execute("SELECT a, b FROM not_duplicates").fetchall())


def test_both_models_pass_the_model_tester(session: Session, qtmodeltester) -> None:
    project = session.project
    queue = ClusterModel()
    queue.set_queue(project, review.cluster_ids(project, "all"))
    assert queue.rowCount() == len(review.cluster_ids(project, "all")) > 0
    qtmodeltester.check(queue)
    comparison = ComparisonModel()
    detail = review.cluster_detail(project, queue.cluster_id(0))
    comparison.set_detail(detail)
    assert comparison.columnCount() == len(detail.members) + 2 and comparison.rowCount() == len(detail.fields)
    qtmodeltester.check(comparison)
    comparison.set_detail(None)
    assert comparison.rowCount() == comparison.columnCount() == 0


def test_the_queue_reads_summaries_only_for_the_pages_shown(session: Session) -> None:
    queue = ClusterModel()
    ids = review.cluster_ids(session.project, "all")
    queue.set_queue(session.project, ids)
    assert queue.page_loads == 0
    first = queue.index(0, 0).data()
    assert first == review.summaries(session.project, ids[:1])[0].name and queue.page_loads == 1


def test_keyboard_review_merge_not_duplicates_split_and_undo(view: ReviewView, session: Session, qtbot) -> None:
    project = session.project
    assert view.queue_panel.query()[0] == "auto"        # nothing to review by hand: the auto proposals are shown
    queue = review.cluster_ids(project, "auto")
    first, second, third = queue[:3]
    view.queue.setFocus()
    assert view.current_cluster_id() == first

    merged = members(project, first)
    qtbot.keyClick(view.queue, Qt.Key.Key_M)
    assert len(golden_of(project, merged)) == 1
    assert project.conn.execute("SELECT COUNT(*) FROM golden_members").fetchone()[0] == len(merged)
    assert view.current_cluster_id() == second and first not in review.cluster_ids(project, "auto")

    rejected = members(project, second)
    qtbot.keyClick(view.queue, Qt.Key.Key_N)
    assert not_duplicates(project) == set(combinations(rejected, 2))
    assert view.current_cluster_id() == third

    before_split = not_duplicates(project)
    parts = members(project, third)
    view.grid.setFocus()
    qtbot.keyClick(view.grid, Qt.Key.Key_Right)
    qtbot.keyClick(view.grid, Qt.Key.Key_Right)
    assert view.grid.currentIndex().column() == FIRST_MEMBER     # past the golden columns, on the first record
    record = view.selected_records()[0]
    assert record == parts[0]
    qtbot.keyClick(view.grid, Qt.Key.Key_S)
    others = [r for r in parts if r != record]
    assert not_duplicates(project) == before_split | {(min(record, o), max(record, o)) for o in others}
    assert record not in members(project, third)

    session.undo_stack.undo()
    assert not_duplicates(project) == before_split and members(project, third) == parts
    back = view.queue_model.row_of(third)
    assert back is not None
    view.queue.setCurrentIndex(view.queue_model.index(back, 0))
    assert [m.record_id for m in view.comparison_model.detail.members] == parts
    assert len(golden_of(project, merged)) == 1


def test_next_and_previous_and_defer_with_a_note(view: ReviewView, session: Session, qtbot,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    queue = review.cluster_ids(session.project, "auto")
    view.queue.setFocus()
    qtbot.keyClick(view.queue, Qt.Key.Key_J)
    qtbot.keyClick(view.queue, Qt.Key.Key_J)
    qtbot.keyClick(view.queue, Qt.Key.Key_K)
    assert view.current_cluster_id() == queue[1]
    monkeypatch.setattr(view, "ask_text", lambda title, label, text: "call the branch first")
    qtbot.keyClick(view.queue, Qt.Key.Key_D)
    status, note = session.project.conn.execute("SELECT status, note FROM clusters WHERE id = ?",
                                                (queue[1],)).fetchone()
    assert (status, note) == ("deferred", "call the branch first")
    assert view.current_cluster_id() == queue[2]
    view.queue_panel.filter_combo.setCurrentText("deferred")
    assert view.queue_model.rowCount() == 1 and "call the branch first" in view.title.text()


def test_a_pick_changes_the_golden_preview_and_the_merge(view: ReviewView, session: Session, qtbot) -> None:
    project = session.project
    model = view.comparison_model
    found = None
    for row in range(view.queue_model.rowCount()):
        view.queue.setCurrentIndex(view.queue_model.index(row, 0))
        detail = model.detail
        for name in detail.fields:
            survivor = detail.golden[name]
            other = next((m for m in detail.members if m.record_id != survivor.record_id
                          and m.values.get(name, "").strip() and m.values[name] != survivor.value), None)
            if other is not None:
                found = (name, other)
                break
        if found:
            break
    assert found is not None
    name, other = found
    cell = model.index(detail.fields.index(name), model.column_of(other.record_id))
    view.grid.scrollTo(cell)
    qtbot.mouseClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=view.grid.visualRect(cell).center())
    assert model.index(cell.row(), GOLDEN_COLUMN).data(VALUE_ROLE) == other.values[name]
    assert model.index(cell.row(), REASON_COLUMN).data() == "picked"
    assert view.picks == {name: other.record_id}

    cluster_id = view.current_cluster_id()
    view.merge()
    (golden_id,) = golden_of(project, members(project, cluster_id))
    record = golden.golden_record(project, golden_id)
    assert record.picks == {name: other.record_id} and record.values[name].value == other.values[name]


def test_accepting_a_suggestion_from_the_failures_pane_creates_a_fix(view: ReviewView, session: Session) -> None:
    project = session.project
    for row in range(view.queue_model.rowCount()):
        view.queue.setCurrentIndex(view.queue_model.index(row, 0))
        failures = view.comparison_model.detail.failures
        if any(f.suggestion for f in failures):
            break
    position, failure = next((i, f) for i, f in enumerate(failures) if f.suggestion)
    assert project.conn.execute("SELECT COUNT(*) FROM fixes").fetchone()[0] == 0
    view.failures_panel.accept_button(position).click()
    fixes = project.conn.execute("SELECT record_id, value FROM fixes").fetchall()
    assert fixes == [(failure.record_id, failure.suggestion)]
    shown = next(m for m in view.comparison_model.detail.members if m.record_id == failure.record_id)
    assert failure.field in shown.fixed
    cell = view.comparison_model.index(view.comparison_model.detail.fields.index(failure.field),
                                       view.comparison_model.column_of(shown.record_id))
    assert cell.data().startswith(FIX_MARK)
    session.undo_stack.undo()
    assert project.conn.execute("SELECT COUNT(*) FROM fixes").fetchone()[0] == 0


def test_edit_the_selected_value(view: ReviewView, session: Session, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    model = view.comparison_model
    row = model.detail.fields.index("email")
    member = model.member(FIRST_MEMBER + 1)
    view.grid.setCurrentIndex(model.index(row, FIRST_MEMBER + 1))
    asked = []
    monkeypatch.setattr(view, "ask_text", lambda title, label, text: asked.append(text) or "new@example.com")
    view.grid.setFocus()
    qtbot.keyClick(view.grid, Qt.Key.Key_E)
    assert asked == [member.values["email"]]
    position = review.field_position(session.project, member.record_id, "email")
    assert session.project.conn.execute("SELECT record_id, position, value FROM fixes").fetchall() == \
        [(member.record_id, position, "new@example.com")]
    assert model.index(row, FIRST_MEMBER + 1).data(VALUE_ROLE) == "new@example.com"


def test_search_narrows_the_queue(view: ReviewView, session: Session, qtbot) -> None:
    everything = view.queue_model.rowCount()
    detail = view.comparison_model.detail
    email = next(v for m in detail.members if (v := m.values.get("email", "")) and "@" in v)
    qtbot.keyClicks(view.queue_panel.search, email + " mnsdejk")    # typed letters are text, not decisions
    assert session.project.conn.execute("SELECT COUNT(*) FROM golden_members").fetchone()[0] == 0
    assert session.undo_stack.count() == 0
    view.queue_panel.search.setText(email)
    qtbot.waitUntil(lambda: view.queue_model.rowCount() < everything)
    assert detail.summary.id in [view.queue_model.cluster_id(r) for r in range(view.queue_model.rowCount())]
    view.queue_panel.search.setText("nobody-has-this-text")
    qtbot.waitUntil(lambda: view.queue_model.rowCount() == 0)
    assert view.stack.currentIndex() == 0 and "No proposals match" in view.empty_label.text()


def test_an_unmatched_project_says_what_to_do_and_no_project_clears(tmp_path: Path, qtbot) -> None:
    project = Project.create(tmp_path / "new.steward")
    try:
        import_file(project, sample_csv(), ImportOptions())
        shown = ReviewView()
        qtbot.addWidget(shown)
        shown.set_session(Session(project))
        assert shown.queue_model.rowCount() == 0 and shown.stack.currentIndex() == 0
        assert shown.empty_label.text() == "No proposals to review — run Find duplicates"
        assert not shown.merge_action.isEnabled()
        shown.set_session(None)
        assert shown.empty_label.text() == "No project open" and shown.comparison_model.detail is None
    finally:
        project.close()


def _shown_ids(view: ReviewView) -> list[int]:
    return [view.queue_model.cluster_id(row) for row in range(view.queue_model.rowCount())]


@pytest.mark.parametrize("status", ["auto", "all", "to review"])
def test_the_queue_updated_after_each_decision_is_the_queue_read_afresh(view: ReviewView, session: Session,
                                                                        status: str) -> None:
    project = session.project
    view.queue_panel.set_status(status)
    view.reload()
    assert _shown_ids(view) == review.cluster_ids(session.project, status)
    auto = review.cluster_ids(project, "auto")
    big = next(c for c in auto if len(members(project, c)) >= 3)
    others = [c for c in auto if c != big]
    fixed = members(project, others[3])[0]
    decisions = [
        MergeClusters((others[0],)),
        RejectCluster(others[1]),
        operations.defer(others[2], "ask the dealer"),
        FixValue(fixed, 3, "Somebody Else"),
        MergeRecords(tuple(members(project, big)[:2]), cluster_id=big),   # the rest goes back to review
        SplitRecord(members(project, others[0])[0]),                      # a merged proposal needs a look again
    ]
    for decision in decisions:
        session.perform(decision, decision.action)
        assert _shown_ids(view) == review.cluster_ids(project, *view.queue_panel.query()[:2]), decision
    for _ in decisions:
        session.undo_stack.undo()
        assert _shown_ids(view) == review.cluster_ids(project, *view.queue_panel.query()[:2])


def test_a_decision_takes_its_proposal_out_without_reading_the_queue_again(view: ReviewView, session: Session,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    project = session.project
    queue = review.cluster_ids(project, "auto")
    view.queue.setCurrentIndex(view.queue_model.index(1, 0))
    reads = []
    monkeypatch.setattr(review, "cluster_ids", lambda *args: reads.append(args) or [])
    pages = view.queue_model.page_loads
    session.perform(MergeClusters((queue[1],)), "merge")
    assert reads == [] and _shown_ids(view) == [queue[0], *queue[2:]]
    assert view.queue_model.page_loads - pages <= 1        # only the page shown is read again
    assert view.current_cluster_id() == queue[2]          # on to the next proposal
    session.undo_stack.undo()                              # it comes back: only a fresh read knows where
    assert len(reads) == 1
