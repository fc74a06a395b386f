"""Review-desktop responsiveness on a big project: first paint of the review screen, and the event loop
during a background import.

    .venv/bin/python benchmarks/ops_bench.py --keep bench-data       # builds the matched 1M project once
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_bench.py bench-data/ops-1000000-seed1.steward

Works on a copy of the project (``Project.save_copy``, deleted afterwards).
Measures, in the real main window:

* open → first paint of the review screen: from ``open_project`` until the
  comparison grid of the first proposal has been painted;
* scrolling the proposal queue from top to bottom in 50 jumps;
* merging 20 proposals of the 'auto' queue with the Merge action, each until
  the next proposal is shown (the queue is updated in place, not read again);
* undoing and redoing a merge of 10,000 proposals from the Edit menu (on the
  worker) and the longest event-loop stall meanwhile;
* accepting every suggestion of a rule (``--accept-rule``, 697,336 for
  phone_format on the generated million) and undoing that, with the stalls;
* profiling, validating, exporting the golden records and finding duplicates
  (``--skip-match`` leaves that out), each on the worker, with the stalls;
* the longest gap between ticks of a 10 ms timer on the GUI thread while a
  generated 200,000-row CSV is imported on the write worker (the event loop
  must never stall over 100 ms).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from import_bench import machine  # noqa: E402  (sibling module; benchmarks/ is not a package)

MAX_FIRST_PAINT_S = 2.0
MAX_STALL_MS = 100.0


def stalls_during(app, start, running) -> tuple[float, float]:
    """Call ``start`` and run the event loop (idle between events, as the application's is) while
    ``running()``: (seconds, longest gap between ticks of a 10 ms timer in ms)."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    ticks = QElapsedTimer()
    longest = [0.0]
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: longest.__setitem__(0, max(longest[0], ticks.restart())))
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: None if running() else loop.quit())
    ticks.start()
    timer.start()
    started = time.perf_counter()
    start()
    poll.start()
    loop.exec()
    timer.stop()
    poll.stop()
    return time.perf_counter() - started, longest[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path, help="a matched project, e.g. the one ops_bench.py --keep builds")
    parser.add_argument("--import-rows", type=int, default=200_000, help="rows of the CSV imported in the background")
    parser.add_argument("--accept-rule", default="phone_format", help="the rule whose suggestions are all accepted")
    parser.add_argument("--skip-match", action="store_true", help="leave out Find Duplicates (minutes on 1M)")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from steward import demo_data
    from steward.project import Project
    from ui.app import application
    from ui.settings import Settings
    from ui.views.main_window import MainWindow

    folder = Path(tempfile.mkdtemp(prefix="gui-bench-"))
    try:
        print(machine())
        copy = folder / "copy.steward"
        with Project.open(args.project, read_only=True) as source:
            records = source.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            clusters = source.conn.execute("SELECT COUNT(*) FROM clusters").fetchone()[0]
            source.save_copy(copy)
        print(f"Project: {records:,} records, {clusters:,} proposals (a copy of {args.project})")
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))
        app = application(["gui-bench"])
        window = MainWindow(Settings())
        window.resize(1360, 860)
        window.show()
        window.workspace.show_screen("Duplicates")
        app.processEvents()

        painted: list[float] = []

        class PaintWatch(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
                if event.type() == QEvent.Type.Paint and window.review_view.comparison_model.rowCount() > 0 \
                        and not painted:
                    painted.append(time.perf_counter())
                return False

        watch = PaintWatch()
        window.review_view.grid.viewport().installEventFilter(watch)
        started = time.perf_counter()
        window.open_project(copy)
        deadline = time.perf_counter() + 60
        while not painted and time.perf_counter() < deadline:
            app.processEvents()
        first_paint = painted[0] - started if painted else float("nan")
        print(f"Open + first paint of the review screen: {first_paint:.3f} s "
              f"({'PASS' if first_paint < MAX_FIRST_PAINT_S else 'MISS'}, target < {MAX_FIRST_PAINT_S:.0f} s)")

        queue = window.review_view.queue
        rows = window.review_view.queue_model.rowCount()
        started = time.perf_counter()
        for step in range(51):
            queue.scrollTo(window.review_view.queue_model.index(min(rows - 1, step * rows // 50), 0))
            queue.viewport().repaint()
            app.processEvents()
        print(f"Queue of {rows:,} proposals scrolled top to bottom in 51 jumps: {time.perf_counter() - started:.3f} s")

        review_view = window.review_view
        review_view.queue_panel.set_status("auto")
        review_view.reload()
        queue_rows = review_view.queue_model.rowCount()
        started = time.perf_counter()
        review_view.reload()
        full_read = time.perf_counter() - started
        steps: list[float] = []
        for _ in range(20):
            shown = review_view.current_cluster_id()
            started = time.perf_counter()
            review_view.merge_action.trigger()
            app.processEvents()
            steps.append(time.perf_counter() - started)
            assert review_view.current_cluster_id() != shown
        steps.sort()
        print(f"Merge with M on the 'auto' queue of {queue_rows:,} proposals, to the next proposal shown: median "
              f"{steps[len(steps) // 2] * 1000:.0f} ms, max {steps[-1] * 1000:.0f} ms over 20 "
              f"(reading the whole queue again, as before: {full_read * 1000:.0f} ms)")

        from steward import golden_ops, operations
        batch = golden_ops.auto_clusters(window.project)[:10_000]
        entry = operations.perform(window.project, golden_ops.MergeClusters(tuple(batch)))
        window.session.applied(entry, f"Merge {len(batch):,} auto-matches")
        for kind, action in (("undo", window.undo_action), ("redo", window.redo_action)):
            seconds, stall = stalls_during(app, action.trigger, lambda: window.undo_steps.running)
            print(f"{kind.capitalize()} of a merge of {len(batch):,} proposals on the worker: {seconds:.1f} s, "
                  f"longest event-loop stall {stall:.0f} ms")

        from PySide6.QtWidgets import QMessageBox
        failures = window.failures_view
        window.workspace.show_screen("Rules & failures")
        failures.select_rule(args.accept_rule)
        suggested = failures.failure_model.rule.suggestions
        QMessageBox.question = staticmethod(lambda *_a, **_k: QMessageBox.StandardButton.Yes)   # the confirmation
        for what, action, running in (
                ("Accept all", failures.accept_all_action, lambda: failures.accept_job.running),
                ("Undo of it", window.undo_action, lambda: window.undo_steps.running)):
            seconds, stall = stalls_during(app, action.trigger, running)
            print(f"{what} {suggested:,} suggestions of {args.accept_rule} on the worker: {seconds:.1f} s, longest "
                  f"event-loop stall {stall:.0f} ms")
        window.workspace.show_screen("Duplicates")

        window.workspace.show_screen("Profile")
        app.processEvents()
        window.profile_view.cancel()          # showing the screen started a profile: measure one from the start
        while window.profile_view.worker.running:
            app.processEvents()
        exporting = window.export_dialog()
        exporting.set_choice("golden-csv")
        exporting.set_path(folder / "golden.csv")
        long_work = [
            ("Profile", window.profile_view.refresh, lambda: window.profile_view.worker.running),
            ("Validate (F5)", failures.validate_action.trigger, lambda: failures.busy),
            ("Export golden records (CSV)", exporting.start, lambda: exporting.worker.running),
        ]
        if not args.skip_match:
            long_work.append(("Find duplicates", window.find_duplicates, lambda: window.runner.busy))
        for what, start, running in long_work:
            seconds, stall = stalls_during(app, start, running)
            print(f"{what} on the worker: {seconds:.1f} s, longest event-loop stall {stall:.0f} ms "
                  f"({'PASS' if stall <= MAX_STALL_MS else 'MISS'}, target ≤ {MAX_STALL_MS:.0f} ms)")
        exporting.close()
        window.workspace.show_screen("Duplicates")

        review_view.queue_panel.set_status("to review")   # as the window opened: the import's stall as measured before
        review_view.reload()
        csv_path = folder / "more.csv"
        demo_data.write_csv(csv_path, demo_data.generate(args.import_rows, 7))
        ticks = QElapsedTimer()
        longest = [0.0]
        timer = QTimer()
        timer.setInterval(10)

        def tick() -> None:
            longest[0] = max(longest[0], ticks.restart())

        timer.timeout.connect(tick)
        done: list[str] = []
        window.imports.finished.connect(done.append)
        ticks.start()
        timer.start()
        started = time.perf_counter()
        window.imports.start(window.project, csv_path)   # as the import wizard does when finished
        while not done:
            app.processEvents()
            if window.imports.summary_dialog is not None:
                window.imports.summary_dialog.close()
        seconds = time.perf_counter() - started
        timer.stop()
        print(f"Background import of {args.import_rows:,} rows ({done[0]}, {seconds:.1f} s): longest event-loop "
              f"stall {longest[0]:.0f} ms ({'PASS' if longest[0] <= MAX_STALL_MS else 'MISS'}, "
              f"target ≤ {MAX_STALL_MS:.0f} ms)")
        window.close_project(confirm=False)
        window.close()
        QApplication.processEvents()
        print(f"Peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
