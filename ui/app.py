"""Starting the desktop app: ``steward-app [PROJECT]`` or ``python -m ui [--sample] [PROJECT]``.

``--version`` and ``--self-check`` (see :mod:`ui.self_check`) let a packaged app be checked without a user.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Iterator

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from steward import __version__
from steward.resources import resource_path
from ui.collector import collect_on_gui_thread
from ui.diagnostics import where
from ui.self_check import run_self_check
from ui.settings import Settings
from ui.views.main_window import MainWindow

ORGANIZATION = "Steward"
APPLICATION = "Steward"
SWITCH_INTERVAL_S = 0.0005
log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="steward-app", description="Steward desktop app.")
    parser.add_argument("project", nargs="?", type=Path, help="project file to open")
    parser.add_argument("--sample", action="store_true", help="open the bundled sample project")
    parser.add_argument("--version", action="version", version=f"steward-app {__version__}")
    parser.add_argument("--self-check", action="store_true",
                        help="open the sample in a temporary folder, find its duplicates, print a summary and exit "
                             "(0 when everything worked)")
    args, _qt_args = parser.parse_known_args(argv)
    return args


def application(argv: list[str]) -> QApplication:
    """The QApplication with the names QSettings and QStandardPaths rely on."""
    app = QApplication.instance() or QApplication(argv)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setOrganizationDomain("steward.invalid")
    QCoreApplication.setApplicationName(APPLICATION)
    collect_on_gui_thread(app)
    # A worker busy in Python holds the interpreter until another thread has waited this long; the window enters
    # Python for every cell it paints, so the default 5 ms would add up to stalls of a second while a job runs.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    style = resource_path("style.qss")
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def start(argv: list[str]) -> MainWindow:
    """Build the application and the window and open what the arguments ask for (no event loop)."""
    application([sys.argv[0] if sys.argv else "steward-app", *argv])
    args = parse_args(argv)
    window = MainWindow(Settings())
    window.show()
    if args.sample:
        window.open_sample()
    elif args.project is not None:
        window.open_project(args.project)
    return window


def show_unexpected_error(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Last-resort hook: log where it happened and tell the user, without the message (it may hold customer data)."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.error("Unexpected error: %s", where(exc_type, tb))
    if QApplication.instance() is not None:
        QMessageBox.critical(None, "Unexpected error",
                             f"Steward hit an unexpected problem ({exc_type.__name__}). Your project file is safe: "
                             "every change is saved in a single step or not at all.\n\n"
                             "If it happens again, please report what you were doing.")


@contextmanager
def quit_on_signals() -> Iterator[None]:
    """Ctrl+C or SIGTERM end the event loop normally, so the project is closed and its lock released.

    Python handles signals only when it runs, hence the idle timer. The previous
    handlers come back when the loop ends.
    """
    previous = {signum: signal.signal(signum, lambda *_: QApplication.quit())
                for signum in (signal.SIGINT, signal.SIGTERM)}
    timer = QTimer()
    timer.timeout.connect(lambda: None)
    timer.start(250)
    try:
        yield
    finally:
        timer.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``steward-app`` and ``python -m ui``."""
    started = time.perf_counter()
    multiprocessing.freeze_support()  # worker processes of a frozen (PyInstaller) build start here
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = sys.argv[1:] if argv is None else argv
    if parse_args(argv).self_check:
        application([sys.argv[0] if sys.argv else "steward-app", *argv])
        return run_self_check(started)
    window = start(argv)
    sys.excepthook = show_unexpected_error
    try:
        with quit_on_signals():
            return QApplication.exec()
    finally:
        window.close_project(confirm=False)  # the loop has ended: cancel any import without asking
        window.close()  # saves the window state
