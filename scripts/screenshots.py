"""Take a screenshot of every screen of the main window on a freshly built sample project.

Run on a virtual screen so what is captured is what a user sees:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshots.py

The sample is imported, given the default rules, validated and matched in a
temporary folder, and two decisions are made (a merge and a rejection). The PNGs
go to docs/screenshots/ (the start page, one per screen, the rules, export and
import dialogs, and the Training screen of a small exercise, scored) and
docs/screenshot.png (the review screen, shown in the README).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from steward import golden_ops, operations, validation  # noqa: E402
from steward.importer import ImportOptions, import_file  # noqa: E402
from steward.match_store import match_project  # noqa: E402
from steward.project import Project  # noqa: E402
from steward.rule_store import propose_rules, save_rules  # noqa: E402
from steward.sample import sample_csv  # noqa: E402


def build_sample(folder: Path) -> Path:
    path = folder / "customers.steward"
    with Project.create(path) as project:
        import_file(project, sample_csv(), ImportOptions(source_name="customers"))
        save_rules(project, propose_rules(project))
        validation.validate(project)
        match_project(project)
        auto = golden_ops.auto_clusters(project)
        operations.perform(project, golden_ops.MergeClusters(auto[-1:]), "same customer, two dealers")
        operations.perform(project, operations.RejectCluster(auto[-2]), "father and son")
    return path


def settle(app, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


def save(widget, name: str) -> None:
    path = ROOT / "docs" / "screenshots" / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from steward import rule_store, scorecard
    from steward.trainer import create_demo_project
    from ui.app import application
    from ui.settings import Settings
    from ui.views.main_window import MainWindow
    from ui.views.rules_dialog import RulesDialog

    folder = Path(tempfile.mkdtemp())
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))
    app = application(["steward-app"])
    window = MainWindow(Settings())
    window.resize(1360, 860)
    window.show()
    settle(app)
    save(window, "welcome")
    window.open_project(build_sample(folder))
    (ROOT / "docs" / "screenshots").mkdir(parents=True, exist_ok=True)
    for name in window.workspace.names:
        if window.workspace.navigation.item(window.workspace.names.index(name)).isHidden():
            continue
        window.workspace.show_screen(name)
        settle(app)
        save(window, re.sub(r"[^a-z]+", "-", name.lower()).strip("-"))
        if name == "Duplicates":
            window.grab().save(str(ROOT / "docs" / "screenshot.png"))
            print("docs/screenshot.png")

    project = window.project
    dialog = RulesDialog(rule_store.load_rules(project), rule_store.default_region(project),
                         rule_store.mapped_fields(project), window)
    dialog.show()
    dialog.rule_list.setCurrentRow([r["name"] for r in dialog.rules].index("date_of_birth_plausible"))
    settle(app)
    save(dialog, "rules-dialog")
    dialog.reject()
    exporting = window.export_dialog()
    settle(app)
    save(exporting, "export")
    exporting.reject()
    window.import_path(sample_csv())
    settle(app, 60)
    save(window.imports.wizard, "import")
    window.imports.wizard.reject()
    settle(app)

    exercise = folder / "training.steward"
    create_demo_project(exercise, records=600, seed=1)
    window.open_project(exercise)
    auto = golden_ops.auto_clusters(window.project)
    window.session.perform(golden_ops.MergeClusters(tuple(auto[:-3])), "Merge auto-matches")
    window.session.perform(operations.RejectCluster(auto[-1]), "Not duplicates")
    window.training_view.show_card(scorecard.score(window.project))
    window.workspace.show_screen("Training")
    settle(app)
    save(window, "training")
    window.close_project(confirm=False)
    window.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
