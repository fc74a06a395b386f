"""The main window: the welcome page with no project open, else the project's screens; opening, closing and
importing into projects, and the long project-wide jobs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QUndoGroup
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox,
                               QStackedWidget, QUndoView)

from steward import review
from steward.errors import NewerProject, StewardError
from steward.project import SUFFIX, Project
from steward.sample import open_sample_project
from ui.import_flow import ImportController, show_rejected_rows
from ui.models.source_model import describe_source
from ui import project_jobs
from ui.session import Changes, Session
from ui.settings import Settings
from ui.training_flow import TrainingFlow
from ui.undo_steps import UndoSteps
from ui.views.audit_view import AuditView
from ui.views.export_dialog import ExportDialog
from ui.views.failures_view import FailuresView
from ui.views.import_wizard import IMPORT_SUFFIXES
from ui.views.profile_view import ProfileView
from ui.views.review_view import ReviewView
from ui.views.sources_view import SourcesView
from ui.views.training_view import TrainingView
from ui.views import window_menus
from ui.views.welcome import WelcomePanel
from ui.views.workspace import Workspace
from ui.workers import JobRunner

IMPORT_FILTER = "Customer lists (*.csv *.tsv *.txt *.xlsx *.xlsm *.xls);;All files (*)"
PROJECT_FILTER = f"Steward projects (*{SUFFIX});;All files (*)"


def sample_folder() -> Path:
    """Where the sample project lives: the user's application data folder."""
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


class MainWindow(QMainWindow):
    """Opens one project at a time and shows what it holds."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.project: Project | None = None
        self.session: Session | None = None
        self.runner = JobRunner(self)
        self.undo_group = QUndoGroup(self)
        self.undo_steps = UndoSteps(self.runner, self)
        self.long_job: project_jobs.JobProgress | None = None
        self.imports = ImportController(self.runner, self)
        self.imports.imported.connect(self._on_imports_imported)
        self.imports.finished.connect(self._on_imports_finished)
        self._build_widgets()
        window_menus.build(self)
        self._restore_state()
        self._update_state()
        self.setAcceptDrops(True)

    # -- construction ------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.welcome = WelcomePanel()
        self.welcome.new_requested.connect(self.new_project)
        self.welcome.open_requested.connect(self.open_project_dialog)
        self.welcome.import_requested.connect(self.import_into_new_project)
        self.welcome.exercise_requested.connect(self.new_exercise)
        self.welcome.sample_requested.connect(self.open_sample)
        self.welcome.recent_requested.connect(self.open_project)

        self.sources_view = SourcesView()
        self.sources_view.source_changed.connect(self._on_sources_view_source_changed)
        self.splitter = self.sources_view      # what the window state saves and restores
        self.source_model, self.record_model = self.sources_view.source_model, self.sources_view.record_model
        self.source_list, self.record_view = self.sources_view.source_list, self.sources_view.record_view
        self.caption = self.sources_view.caption

        self.workspace = Workspace()
        self.workspace.add_screen("Sources", self.splitter)
        self.profile_view = ProfileView(self.runner)
        self.workspace.add_screen("Profile", self.profile_view)
        self.failures_view = FailuresView(self.runner)
        self.failures_view.validated.connect(self._on_failures_view_validated)
        self.workspace.add_screen("Rules & failures", self.failures_view)
        self.review_view = ReviewView()
        self.workspace.add_screen("Duplicates", self.review_view)
        self.audit_view = AuditView()
        self.workspace.add_screen("Audit trail", self.audit_view)
        self.training = TrainingFlow(self)
        self.training_view = TrainingView(self.runner)
        self.training_view.reset_requested.connect(self.training.reset)
        self.workspace.add_screen("Training", self.training_view)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.workspace)
        self.undo_view = QUndoView(self.undo_group)
        self.undo_view.setEmptyLabel("Project opened")
        self.history_dock = QDockWidget("Undo History", self)
        self.history_dock.setObjectName("undo_history")
        self.history_dock.setWidget(self.undo_view)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)
        self.history_dock.hide()
        self.setCentralWidget(self.stack)
        self.counts_label = QLabel()
        self.statusBar().addPermanentWidget(self.counts_label)

    def _restore_state(self) -> None:
        geometry, state, splitter = self.settings.window_state("main_window")
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            screen = QGuiApplication.primaryScreen().availableGeometry()
            self.resize(min(1280, screen.width() - 40), min(800, screen.height() - 40))
        if not state.isEmpty():
            self.restoreState(state)
        if not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        self.welcome.set_recent(self.settings.recent_projects())

    # -- projects ----------------------------------------------------------------------

    def new_project(self) -> None:
        folder = self.settings.last_folder("project")
        name, _ = QFileDialog.getSaveFileName(self, "New project", str(Path(folder) / f"customers{SUFFIX}")
                                              if folder else f"customers{SUFFIX}", PROJECT_FILTER)
        if not name:
            return
        path = Path(name) if name.endswith(SUFFIX) else Path(name + SUFFIX)
        self.open_project(path, create=True)

    def open_project_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open project", self.settings.last_folder("project"),
                                              PROJECT_FILTER)
        if name:
            self.open_project(Path(name))

    def open_project(self, path: Path, create: bool = False) -> bool:
        """Close the current project and open (or create) ``path``; errors are shown, not raised."""
        if not self.close_project():
            return False
        try:
            project = Project.create(path) if create else Project.open(path)
        except NewerProject as error:
            answer = QMessageBox.question(self, "Newer project", f"{error}\n\nOpen it read-only now?")
            if answer != QMessageBox.StandardButton.Yes:
                return False
            try:
                project = Project.open(path, read_only=True)
            except StewardError as again:
                QMessageBox.warning(self, "Cannot open project", str(again))
                return False
        except StewardError as error:
            QMessageBox.warning(self, "Cannot open project", str(error))
            if not create and not Path(path).exists():
                self.settings.remove_recent_project(path)
            return False
        self._show_project(project)
        return True

    def open_sample(self) -> bool:
        """Open the sample project, building it from the bundled CSV the first time."""
        if not self.close_project():
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            project = open_sample_project(sample_folder())
        except StewardError as error:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, "Cannot open the sample project", str(error))
            return False
        QApplication.restoreOverrideCursor()
        self._show_project(project)
        return True

    def _show_project(self, project: Project) -> None:
        self.project = project
        self.settings.add_recent_project(project.path)
        self.settings.set_last_folder("project", project.path)
        if not project.read_only:
            self.session = Session(project, self)
            self.session.changed.connect(self._on_session_changed)
            self.session.failed.connect(self._on_session_failed)
            self.undo_group.addStack(self.session.undo_stack)
            self.undo_group.setActiveStack(self.session.undo_stack)
        self.workspace.set_session(self.session)
        self.workspace.set_screen_shown("Training", self.training_view.exercise is not None)
        self.stack.setCurrentWidget(self.workspace)
        self.sources_view.set_project(project)
        self._update_state()
        for warning in project.warnings:
            QMessageBox.warning(self, "Project opened with a warning", warning)

    def new_exercise(self) -> bool:
        """Make a training exercise (a generated list whose truth is known) and open it."""
        return self.training.new_exercise()

    def close_project(self, confirm: bool = True, discard: bool = False) -> bool:
        """Close the open project; False if the user chose to let a running import finish.

        A running import is cancelled (it rolls back) after asking, unless
        ``confirm`` is False (quitting on a signal). ``discard`` deletes a project this window just created.
        """
        if self.project is None:
            return self._stop_exercise(confirm)
        if self.imports.busy:
            if not self._may_cancel(confirm, "Import running",
                                    "An import is still running. Cancel it and close? Nothing of it will be kept."):
                return False
            self.imports.cancel()
            self.runner.wait()
            self.imports.abandon()
        if self.runner.busy:
            if not self._may_cancel(confirm, "Work running", "Steward is still working on this project. Cancel "
                                    "that and close? Nothing of it will be kept."):
                return False
            self.runner.cancel_all()
            self.runner.wait()
            self.undo_steps.abandon()
        self.workspace.set_session(None)
        if self.session is not None:
            self.undo_group.removeStack(self.session.undo_stack)
            self.session.deleteLater()
            self.session = None
        self.sources_view.set_project(None)
        project, self.project = self.project, None
        if discard:
            self.settings.remove_recent_project(project.path)
            project.discard()
        else:
            project.close()
        self.welcome.set_recent(self.settings.recent_projects())
        self.stack.setCurrentWidget(self.welcome)
        self._update_state()
        return True

    def _stop_exercise(self, confirm: bool) -> bool:
        """With no project open, the only work running is a training exercise being made or reset: cancel it
        (nothing of it is kept, a reset leaves the trained project as it was) after asking."""
        if not self.runner.busy:
            return True
        if not self._may_cancel(confirm, "Exercise being made", "Steward is still making the training exercise. "
                                "Cancel that and close? Nothing of it will be kept."):
            return False
        self.training.abandon()
        self.runner.wait()
        return True

    def _may_cancel(self, confirm: bool, title: str, question: str) -> bool:
        """Whether running work may be cancelled: asked unless ``confirm`` is False (quitting on a signal)."""
        return not confirm or QMessageBox.question(
            self, title, question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No) == QMessageBox.StandardButton.Yes

    # -- sources and records -------------------------------------------------------------

    def select_source(self, source_id: int) -> None:
        self.sources_view.select_source(source_id)

    def current_source_id(self) -> int | None:
        return self.sources_view.current_source_id()

    def _on_sources_view_source_changed(self, _source_id: int | None) -> None:
        self._update_state()

    # -- importing ---------------------------------------------------------------------

    def import_file_dialog(self) -> None:
        if self.project is None or self.project.read_only or self.imports.busy:
            return
        name, _ = QFileDialog.getOpenFileName(self, "Import a customer list", self.settings.last_folder("import"),
                                              IMPORT_FILTER)
        if name:
            self.settings.set_last_folder("import", Path(name))
            self.import_path(Path(name))

    def import_into_new_project(self) -> bool:
        """With no project open: choose a file, then where its project goes (beside it by default), and import."""
        name, _ = QFileDialog.getOpenFileName(self, "Import a customer list", self.settings.last_folder("import"),
                                              IMPORT_FILTER)
        if not name:
            return False
        source = Path(name)
        self.settings.set_last_folder("import", source)
        target, _ = QFileDialog.getSaveFileName(self, "Save the new project as",
                                                str(source.with_suffix(SUFFIX)), PROJECT_FILTER)
        if not target:
            return False
        path = Path(target) if target.endswith(SUFFIX) else Path(target + SUFFIX)
        if not self.open_project(path, create=True):
            return False
        # Every way out of the import (declined, failed, cancelled, done) says so on finished, once.
        self.imports.finished.connect(self._on_first_import_finished, Qt.ConnectionType.SingleShotConnection)
        return self.import_path(source)

    def _on_first_import_finished(self, outcome: str) -> None:
        """A project made for one import that did not happen goes again, as ``steward import`` does."""
        project = self.project
        if outcome != "succeeded" and project is not None and project.created and not self.source_model.sources:
            self.close_project(confirm=False, discard=True)

    def import_path(self, path: Path) -> bool:
        """Open the import wizard on ``path`` (the file dialog's second half, or a dropped file)."""
        if self.project is None or self.project.read_only:
            return False
        wizard = self.imports.begin(self.project, path, self.session)
        if wizard is not None:
            wizard.finished.connect(self._on_import_wizard_finished)   # after the import started from it
        self._update_state()
        return wizard is not None

    def _on_import_wizard_finished(self, _result: int) -> None:
        self._update_state()

    def _dropped_path(self, event: QDragEnterEvent | QDropEvent) -> Path | None:
        """The one local file of a drag that this window can take: a file to import, or a project to open."""
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        path = Path(urls[0].toLocalFile())
        if path.suffix.lower() == SUFFIX and self.project is None:
            return path
        if (path.suffix.lower() in IMPORT_SUFFIXES and self.project is not None and not self.project.read_only
                and not self.imports.busy):
            return path
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        path = self._dropped_path(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # After the drop returns: a dialog opened inside it would keep the dragging application waiting.
        if path.suffix.lower() == SUFFIX:
            QTimer.singleShot(0, lambda: self.open_project(path))
        else:
            QTimer.singleShot(0, lambda: self.import_path(path))

    def _on_imports_imported(self, result) -> None:
        self.sources_view.reload()
        if self.session is not None:
            self.session.changed.emit(Changes("import", 0))   # an import is audited by the core, not the session
        self.select_source(result.source_id)
        self.statusBar().showMessage(f"Imported {result.imported:,} records from {result.file_name}", 8000)

    def _on_imports_finished(self, outcome: str) -> None:
        if outcome == "cancelled":
            self.statusBar().showMessage("Import cancelled; nothing was changed.", 8000)
        self._update_state()

    def export_dialog(self) -> ExportDialog | None:
        """Open the export dialog (window-modal) for the open project."""
        if self.project is None:
            return None
        dialog = ExportDialog(self.project, self.runner, self, self.settings)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def find_duplicates(self) -> None:
        if self.session is not None and not self.runner.busy:
            self.long_job = project_jobs.find_duplicates(self.session, self.runner, self)
            self.long_job.finished.connect(self._on_long_job_finished)

    def merge_auto(self) -> None:
        if self.session is not None and not self.runner.busy:
            self.long_job = project_jobs.merge_auto(self.session, self.runner, self)
            if self.long_job is not None:
                self.long_job.finished.connect(self._on_long_job_finished)

    def _on_long_job_finished(self, outcome: str) -> None:
        if outcome == "cancelled":
            self.statusBar().showMessage("Cancelled; nothing was changed.", 8000)
        self.long_job = None
        self._update_state()

    def _on_session_changed(self, changes: Changes) -> None:
        if changes.action in ("import", "refresh", "match", "set_state"):   # set_state: an undone refresh, say
            self.sources_view.reload()
        self._update_state()

    def _on_failures_view_validated(self, _result: object) -> None:
        self._update_state()

    def _on_session_failed(self, message: str) -> None:
        QMessageBox.warning(self, "Cannot do that", message + "\n\nNothing was changed.")

    def show_rejected(self) -> None:
        source_id = self.current_source_id()
        if self.project is not None and source_id is not None:
            show_rejected_rows(self.project, source_id, self)

    # -- state ---------------------------------------------------------------------------

    def _update_state(self) -> None:
        project = self.project
        self.setWindowTitle(f"{project.path.stem} — Steward" + (" (read-only)" if project and project.read_only else "")
                            if project else "Steward")
        self.import_action.setEnabled(project is not None and not project.read_only and not self.imports.busy)
        self.export_action.setEnabled(project is not None)
        self.close_action.setEnabled(project is not None)
        source = next((s for s in self.source_model.sources if s.id == self.current_source_id()), None)
        self.rejected_action.setEnabled(source is not None and source.rejected_count > 0)
        self.caption.setText(describe_source(source) if source else "Select a source to see its records.")
        writable = project is not None and self.session is not None and not self.runner.busy
        self.find_duplicates_action.setEnabled(writable)
        self.merge_auto_action.setEnabled(writable)
        if project is None:
            self.counts_label.setText("No project open")
            return
        figures = review.figures(project)
        sources = self.source_model.sources
        text = (f"{len(sources)} source{'s' if len(sources) != 1 else ''} · {figures.records:,} records · "
                f"{figures.waiting:,} proposals to decide · {figures.failures:,} open failures · "
                f"quality {'not measured yet' if figures.score is None else f'{figures.score:.1f}'}")
        if source is not None and self.workspace.current_name() == "Sources":
            text = f"{source.name}: {source.record_count:,} records, {source.rejected_count:,} rejected    |    " + text
        self.counts_label.setText(text)

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.settings.recent_projects()
        for path in paths:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_project(p))
        if not paths:
            self.recent_menu.addAction("No recent projects").setEnabled(False)

    def show_about(self) -> None:
        QMessageBox.about(self, "About Steward",
                          "<b>Steward</b><p>Offline customer-data stewardship. Projects are single files on "
                          "this computer; nothing is sent anywhere.</p>")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.close_project():
            event.ignore()
            return
        self.settings.set_window_state("main_window", self.saveGeometry(), self.saveState(),
                                       self.splitter.saveState())
        self.settings.sync()
        super().closeEvent(event)
