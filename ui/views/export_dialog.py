"""The Export dialog: choose what to export and where, run it on the worker, and say what was written.

The core writes each file to a temporary sibling and renames it over the
target only when complete, so a failed or cancelled export leaves the previous
file as it was; this dialog only gathers the choice and shows the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QProgressBar, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from steward import store
from steward.export_jobs import EXPORTERS, ExportOptions, Written
from steward.project import Project
from ui.job_progress import STEPS, WorkerJob, on_worker, show_failure, steps
from ui.settings import Settings
from ui.workers import Job, JobRunner

ALL_SOURCES = "All sources"


@dataclass(frozen=True)
class Choice:
    """One entry of the list: which exporter, the file type it writes and which options apply."""

    key: str              # unique in CHOICES
    kind: str             # a key of steward.export_jobs.EXPORTERS
    title: str
    suffix: str
    file_filter: str
    description: str
    options: bool = True  # neutralising and byte-order mark apply (CSV)
    per_source: bool = False


CSV = "CSV files (*.csv)"
CHOICES: tuple[Choice, ...] = (
    Choice("golden-csv", "golden", "Golden records (CSV)", ".csv", CSV,
           "One row per customer: golden records and records on their own, fixes applied."),
    Choice("golden-xlsx", "golden", "Golden records (Excel workbook)", ".xlsx", "Excel workbooks (*.xlsx)",
           "One row per customer, every value a text cell; rows past a sheet's limit continue on the next.",
           options=False),
    Choice("crosswalk", "crosswalk", "Crosswalk (CSV)", ".csv", CSV,
           "Each imported record's source and row with the golden_id of the customer it belongs to."),
    Choice("audit", "audit", "Audit trail (CSV)", ".csv", CSV,
           "Every decision exactly as stored (never neutralised), so a copy can be checked against the head hash."),
    Choice("failures", "failures", "Validation failures (CSV)", ".csv", CSV,
           "One row per failed check with its message and suggestion, then the record's values.", per_source=True),
    Choice("records", "records", "Records (CSV)", ".csv", CSV,
           "Every imported record, values exactly as imported.", per_source=True),
    Choice("clusters", "clusters", "Duplicate clusters (CSV)", ".csv", CSV,
           "Every imported record with its duplicate cluster and the match confidence.", per_source=True),
    Choice("report", "report", "Project report (HTML)", ".html", "Web pages (*.html)",
           "A self-contained page: profile, failures by rule, quality score, duplicates and the audit head hash.",
           options=False),
)


def summary(written: Written) -> str:
    """What an export wrote, in words, for the dialog (plain text)."""
    lines = [f"Wrote {written.rows:,} {written.noun} to {written.path}."]
    if written.sheets > 1:
        lines.append(f"The workbook has {written.sheets} sheets.")
    if written.neutralised:
        lines.append(f"{written.neutralised:,} cells starting with = + - @ or a control character were prefixed "
                     "with ' so spreadsheets do not run them as formulas.")
    lines.extend(written.notes)
    lines.append(f"Audit trail head: {written.audit_head}")
    return "\n".join(lines)


class ExportDialog(QDialog):
    """Exports one file of the project per run; the dialog stays open to export another."""

    export_finished = Signal(str)   # 'succeeded' | 'failed' | 'cancelled'

    def __init__(self, project: Project, runner: JobRunner, parent: QWidget | None = None,
                 settings: Settings | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.runner = runner
        self.settings = settings
        self.worker = WorkerJob(runner, self)
        self.worker.progress.connect(self._on_worker_progress)
        self.worker.succeeded.connect(self._on_worker_succeeded)
        self.worker.failed.connect(self._on_worker_failed)
        self.worker.cancelled.connect(self._on_worker_cancelled)
        self.last_written: Written | None = None
        self._confirmed: Path | None = None   # a path the file chooser already asked to replace
        self.setWindowTitle("Export")
        self.setMinimumWidth(640)
        self._build_widgets()
        self.set_choice("golden-csv")

    # -- construction ------------------------------------------------------------------

    def _build_widgets(self) -> None:
        what = QGroupBox("What to export")
        grid = QGridLayout(what)
        self.choice_group = QButtonGroup(self)
        self.choice_buttons: dict[str, QRadioButton] = {}
        for index, choice in enumerate(CHOICES):
            button = QRadioButton(choice.title)
            button.setToolTip(choice.description)
            self.choice_group.addButton(button, index)
            self.choice_buttons[choice.key] = button
            grid.addWidget(button, index % 4, index // 4)
        self.choice_group.idToggled.connect(self._on_choice_group_id_toggled)
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        grid.addWidget(self.help_label, 4, 0, 1, 2)

        self.path_edit = QLineEdit()
        self.path_edit.setClearButtonEnabled(True)
        self.path_edit.textChanged.connect(self._on_path_edit_text_changed)
        self.browse_button = QPushButton("Choose…")
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)

        self.source_combo = QComboBox()
        self.source_combo.addItem(ALL_SOURCES, None)
        for source in store.sources(self.project):
            self.source_combo.addItem(source.name, source.name)
        self.safe_check = QCheckBox("Neutralise cells starting with = + - @ (so spreadsheets never run them)")
        self.safe_check.setChecked(True)
        self.safe_check.setToolTip("Unticked: values are written exactly as they are (like steward export --exact).")
        self.bom_check = QCheckBox("Start with a byte-order mark (Excel then reads UTF-8 correctly)")
        self.bom_check.setChecked(True)
        form = QFormLayout()
        form.addRow("File:", file_row)
        form.addRow("Source:", self.source_combo)
        form.addRow("Options:", self.safe_check)
        form.addRow("", self.bom_check)

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, STEPS)
        self.progress_bar.hide()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self._on_close_button_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    # -- choosing ------------------------------------------------------------------------

    @property
    def job(self) -> Job | None:
        """The running export's job."""
        return self.worker.job

    @property
    def choice(self) -> Choice:
        return CHOICES[max(0, self.choice_group.checkedId())]

    def set_choice(self, key: str) -> None:
        self.choice_buttons[key].setChecked(True)

    def set_path(self, path: Path) -> None:
        self.path_edit.setText(str(path))

    def path(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    def _default_folder(self) -> Path:
        folder = self.settings.last_folder("export") if self.settings is not None else ""
        return Path(folder) if folder else self.project.path.parent

    def _default_name(self, choice: Choice) -> str:
        return f"{self.project.path.stem}-{choice.kind}{choice.suffix}"

    def _on_choice_group_id_toggled(self, index: int, checked: bool) -> None:
        if not checked:
            return
        choice = CHOICES[index]
        self.help_label.setText(choice.description)
        path = self.path()
        if path is None:
            self.set_path(self._default_folder() / self._default_name(choice))
        elif path.suffix.lower() != choice.suffix:
            made_for_another = any(path.name == self._default_name(other) for other in CHOICES)
            self.set_path(path.with_name(self._default_name(choice)) if made_for_another
                          else path.with_suffix(choice.suffix))
        self._update_state()

    def _on_path_edit_text_changed(self, text: str) -> None:
        self._update_state()

    def _on_browse_button_clicked(self) -> None:
        choice = self.choice
        start = str(self.path() or self._default_folder())
        chosen, _ = QFileDialog.getSaveFileName(self, f"Export {choice.title}", start,
                                                f"{choice.file_filter};;All files (*)")
        if chosen:
            path = Path(chosen)
            self._confirmed = path if path.suffix else path.with_suffix(choice.suffix)
            self.set_path(self._confirmed)

    def _update_state(self) -> None:
        running = self.worker.running
        choice = self.choice
        for widget in (*self.choice_buttons.values(), self.path_edit, self.browse_button):
            widget.setEnabled(not running)
        self.source_combo.setEnabled(not running and choice.per_source)
        self.safe_check.setEnabled(not running and choice.options and choice.kind != "audit")
        self.bom_check.setEnabled(not running and choice.options)
        self.export_button.setEnabled(not running and self.path() is not None)
        self.close_button.setText("Cancel" if running else "Close")
        self.progress_bar.setVisible(running)

    # -- running -------------------------------------------------------------------------

    def options(self) -> ExportOptions:
        choice = self.choice
        return ExportOptions(safe=self.safe_check.isChecked() or not choice.options,
                             bom=self.bom_check.isChecked() or not choice.options,
                             source=self.source_combo.currentData() if choice.per_source else None)

    def start(self) -> Job | None:
        """Run the chosen export on the worker; None if nothing was started."""
        path = self.path()
        if self.worker.running or path is None:
            return None
        if path.exists() and path != self._confirmed and QMessageBox.question(
                self, "Replace the file?", f"{path} already exists. Replace it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return None
        choice, options, project = self.choice, self.options(), self.project
        exporter = EXPORTERS[choice.kind]
        job = self.worker.start(on_worker(project, lambda copy, progress: exporter(copy, path, options, progress)),
                                f"export {choice.kind}")
        self.progress_bar.setValue(0)
        self.result_label.setText(f"Exporting {choice.title.lower()}…")
        self._update_state()
        if self.settings is not None:
            self.settings.set_last_folder("export", path)
        return job

    def cancel(self) -> None:
        """Stop the running export; the target keeps its previous content."""
        if self.worker.running:
            self.worker.cancel()
            self.result_label.setText("Cancelling…")

    def _on_close_button_clicked(self) -> None:
        if self.worker.running:
            self.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        """Escape and the window's close button cancel a running export instead of hiding the dialog."""
        if self.worker.running:
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.worker.running:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def _on_worker_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress_bar.setValue(steps(done, total))

    def _on_worker_succeeded(self, written: Written) -> None:
        self.last_written = written
        self.result_label.setText(summary(written))
        self._update_state()
        self.export_finished.emit("succeeded")

    def _on_worker_failed(self, error: Exception) -> None:
        self.result_label.setText("Nothing was written.")
        self._update_state()
        show_failure(self, "Export failed", error, "the export", "Nothing was written; any previous file is unchanged.")
        self.export_finished.emit("failed")

    def _on_worker_cancelled(self) -> None:
        self.result_label.setText("Export cancelled. Nothing was written; any previous file is unchanged.")
        self._update_state()
        self.export_finished.emit("cancelled")
