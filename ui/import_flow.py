"""One user action, "import a file", from the chosen path to the summary.

Previews the file in the import wizard (asking for a workbook's password
first), runs the core import on the write worker behind the shared progress
dialog (in bytes read, shown only when the import takes a while), turns errors into messages (never tracebacks),
asks before importing the same file twice, and reports the result so the
window can refresh.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QProgressDialog, QWidget

from steward import audit, operations, store
from steward.errors import PasswordRequired, SheetChoiceNeeded, StewardError
from steward.importer import DuplicateSource, ImportOptions, ImportResult
from steward.preview import Preview, preview_file
from steward.project import Project
from steward.refresh import Refresh
from ui.diagnostics import where
from ui.session import Session
from ui.views.import_dialog import ImportSummaryDialog, RejectedRowsDialog, format_bytes
from ui.views.import_wizard import ImportWizard, RefreshChoice
from ui.job_progress import JobProgress
from ui.workers import JobRunner, import_work

log = logging.getLogger(__name__)

SHOWN_REJECTED_ROWS = 10_000  # a wrong delimiter can reject every row; the CLI lists them all


class ImportController(QObject):
    """Drives imports for one window; one import at a time."""

    imported = Signal(object)   # ImportResult, after a successful import
    finished = Signal(str)      # 'succeeded' | 'failed' | 'cancelled' | 'declined'

    def __init__(self, runner: JobRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self._runner = runner
        self._parent = parent
        self._project: Project | None = None
        self.jobs = JobProgress(runner, parent, "Importing", "Importing…", describe=self._describe)
        self.jobs.succeeded.connect(self._on_job_succeeded)
        self.jobs.failed.connect(self._on_job_failed)
        self.jobs.cancelled.connect(self._on_job_cancelled)
        self._path: Path | None = None
        self._options = ImportOptions()
        self._refresh: RefreshChoice | None = None
        self._session: Session | None = None
        self._carried: list[audit.Entry] = []
        self.wizard: ImportWizard | None = None
        self.summary_dialog: ImportSummaryDialog | None = None
        self.last_result: ImportResult | None = None

    @property
    def busy(self) -> bool:
        return self.jobs.running

    @property
    def progress_dialog(self) -> QProgressDialog | None:
        """The progress dialog while an import runs (shown after half a second)."""
        return self.jobs.dialog

    def begin(self, project: Project, path: Path, session: Session | None = None) -> ImportWizard | None:
        """Open the import wizard on ``path``; the import starts when it is finished.

        None when no wizard opened: busy, the file cannot be read at all (said in a message), or the user gave
        no password for a protected workbook; ``finished`` then says which.
        """
        if self.busy or self.wizard is not None:
            return None
        preview, options = self._first_preview(path)
        if preview is None:
            return None
        wizard = ImportWizard(project, path, preview, options, self._parent)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.accepted.connect(lambda: self._on_wizard_accepted(project, path, session))
        wizard.rejected.connect(self._on_wizard_rejected)
        self.wizard = wizard
        wizard.open()
        return wizard

    def _first_preview(self, path: Path) -> tuple[Preview | None, ImportOptions]:
        """The preview with detected options, asking for a password until one fits or the user gives up."""
        options = ImportOptions()
        while True:
            try:
                return _busy_preview(path, options), options
            except PasswordRequired as error:
                password, ok = QInputDialog.getText(self._parent, "Password", f"{error}\n\nPassword:",
                                                    QLineEdit.EchoMode.Password)
                if not (ok and password):
                    self.finished.emit("declined")
                    return None, options
                options = dataclasses.replace(options, password=password)
            except Exception as error:  # shown as a message, never a traceback
                self._report_failure(error)
                self.finished.emit("failed")
                return None, options

    def _on_wizard_accepted(self, project: Project, path: Path, session: Session | None) -> None:
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            self.start(project, path, wizard.options(), wizard.refresh_choice(), session)

    def _on_wizard_rejected(self) -> None:
        self.wizard = None
        self.finished.emit("declined")

    def start(self, project: Project, path: Path, options: ImportOptions | None = None,
              refresh: RefreshChoice | None = None, session: Session | None = None) -> bool:
        """Begin importing ``path``; False if nothing was started (busy, or the user backed out).

        With ``refresh`` the new source takes the place of an earlier one in the same transaction; the
        carry-over is pushed on ``session``'s undo stack (undoing it keeps the import).
        """
        if self.busy:
            return False
        options = options or ImportOptions()
        self._project, self._path, self._options = project, path, options
        self._refresh, self._session, self._carried = refresh, session, []
        self.jobs.label = f"Importing {path.name}…"
        self.jobs.start(import_work(project, str(path), options, self._carry_over(path, refresh)), "import")
        return True

    def cancel(self) -> None:
        """Ask the running import to stop; the core rolls it back."""
        self.jobs.cancel()

    def abandon(self) -> None:
        """Forget a running import whose project is being closed (after the worker was cancelled and joined)."""
        self.jobs.abandon()
        self._project = None

    def _carry_over(self, path: Path, refresh: RefreshChoice | None):
        """The ``then`` of a refreshing import: the Refresh decision, on the worker's connection."""
        if refresh is None:
            return None
        carried = self._carried

        def then(copy: Project, result: ImportResult) -> None:
            operation = Refresh(refresh.source_id, result.source_id, refresh.key)
            carried.append(operations.perform(copy, operation, f"{path.name} refreshes {refresh.source_name}"))

        return then

    # -- job signals -----------------------------------------------------------------

    def _describe(self, done: int, total: int) -> str:
        return (f"Importing {self._path.name if self._path else ''}…\n"
                f"{format_bytes(done)} of {format_bytes(total)} read")

    def _on_job_succeeded(self, result: ImportResult) -> None:
        self.last_result = result
        carried = self._carried[0] if self._carried else None
        if carried is not None and self._session is not None and self._refresh is not None:
            self._session.applied(carried, f"Refresh {self._refresh.source_name}")
        self.imported.emit(result)
        self._show_summary(result, carried)
        self.finished.emit("succeeded")

    def _on_job_failed(self, error: Exception) -> None:
        if isinstance(error, DuplicateSource) and self._project is not None and self._path is not None:
            answer = QMessageBox.question(self._parent, "Import anyway?",
                                          f"{error}\n\nImport it anyway?",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                          QMessageBox.StandardButton.No)
            if answer == QMessageBox.StandardButton.Yes:
                self.start(self._project, self._path, dataclasses.replace(self._options, allow_duplicate=True),
                           self._refresh, self._session)
                return
            self.finished.emit("declined")
            return
        if isinstance(error, SheetChoiceNeeded) and self._project is not None and self._path is not None:
            labels = [label for _, label in error.choices]
            default = [name for name, _ in error.choices].index(error.suggested)
            choice, ok = QInputDialog.getItem(self._parent, "Choose a sheet",
                                              f"{self._path.name} has several sheets. Import which one?",
                                              labels, default, False)
            if ok:
                sheet = error.choices[labels.index(choice)][0]
                self.start(self._project, self._path, dataclasses.replace(self._options, sheet=sheet),
                           self._refresh, self._session)
                return
            self.finished.emit("declined")
            return
        if isinstance(error, PasswordRequired) and self._project is not None and self._path is not None:
            password, ok = QInputDialog.getText(self._parent, "Password", f"{error}\n\nPassword:",
                                                QLineEdit.EchoMode.Password)
            if ok and password:
                self.start(self._project, self._path, dataclasses.replace(self._options, password=password),
                           self._refresh, self._session)
                return
            self.finished.emit("declined")
            return
        self._report_failure(error)
        self.finished.emit("failed")

    def _report_failure(self, error: BaseException) -> None:
        if isinstance(error, StewardError):
            QMessageBox.warning(self._parent, "Import failed", str(error))
            return
        # Not a user error: log where it happened, not the message (it may quote customer data).
        log.error("Import failed: %s", where(type(error), error.__traceback__))
        QMessageBox.critical(self._parent, "Import failed",
                             f"An unexpected problem ({type(error).__name__}) stopped the import. "
                             "Nothing was imported; the project is unchanged.")

    def _on_job_cancelled(self) -> None:
        self.finished.emit("cancelled")

    # -- afterwards --------------------------------------------------------------------

    def _show_summary(self, result: ImportResult, carried: audit.Entry | None) -> None:
        earlier = self._refresh.source_name if self._refresh is not None else None
        dialog = ImportSummaryDialog(result, self._parent, carried, earlier)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if dialog.show_rejected_button is not None:
            dialog.show_rejected_button.clicked.connect(lambda: self.show_rejected(result.source_id))
        dialog.destroyed.connect(self._on_summary_destroyed)
        self.summary_dialog = dialog
        dialog.open()

    def _on_summary_destroyed(self) -> None:
        self.summary_dialog = None

    def show_rejected(self, source_id: int) -> RejectedRowsDialog | None:
        """Open the rejected rows of a source of the current project."""
        if self._project is None:
            return None
        return show_rejected_rows(self._project, source_id, self._parent)


def _busy_preview(path: Path, options: ImportOptions) -> Preview:
    """The first rows under a wait cursor: a workbook may take a moment to open."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return preview_file(path, options)
    finally:
        QApplication.restoreOverrideCursor()


def show_rejected_rows(project: Project, source_id: int, parent: QWidget) -> RejectedRowsDialog:
    """A non-blocking dialog listing a source's rejected rows."""
    source = next(s for s in store.sources(project) if s.id == source_id)
    rows = store.rejected_rows(project, source_id, limit=SHOWN_REJECTED_ROWS)
    dialog = RejectedRowsDialog(source.name, rows, source.rejected_count, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
